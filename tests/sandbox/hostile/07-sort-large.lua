-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: ok
-- class 7: sort's n log n work in C
local t = {} for i = 1, 2e5 do t[i] = -i end
table.sort(t)
