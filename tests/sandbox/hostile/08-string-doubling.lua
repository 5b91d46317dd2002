-- expect: memory
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 8: doubling a string
local s = "x" while true do s = s .. s end
