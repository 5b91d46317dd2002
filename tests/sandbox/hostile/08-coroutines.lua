-- expect: memory
-- limits: instructions=100000000 memory_mb=16 timeout_ms=5000
-- class 8: many coroutines
local t = {} while true do t[#t + 1] = coroutine.create(print) end
