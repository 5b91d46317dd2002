-- expect: memory
-- limits: instructions=100000000 memory_mb=16 timeout_ms=5000
-- class 8: unbounded tables
local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end
