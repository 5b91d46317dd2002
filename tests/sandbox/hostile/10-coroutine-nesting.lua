-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 10: coroutines nested inside coroutines
local function f() return coroutine.wrap(f)() end
return f()
