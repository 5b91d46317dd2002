-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 10: long right-associative concatenation
local t = {} for i = 1, 150 do t[i] = "\"x\"" end
return #load("return " .. table.concat(t, " .. "))()
