-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 3: asking load for binary mode
local f, e = load("\27Lua" .. ("\0"):rep(40), "x", "b")
if f then return f() end
error(e)
