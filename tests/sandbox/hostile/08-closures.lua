-- expect: memory
-- limits: instructions=100000000 memory_mb=16 timeout_ms=5000
-- class 8: many closures
local t = {} local i = 0 while true do i = i + 1 local j = i t[i] = function() return j end end
