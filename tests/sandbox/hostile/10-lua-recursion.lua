-- expect: runtime
-- limits: instructions=100000000 memory_mb=64 timeout_ms=5000
-- class 10: deep Lua recursion
local function f(n) return 1 + f(n + 1) end
return f(1)
