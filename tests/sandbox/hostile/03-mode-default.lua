-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 3: binary chunk with the default mode and an environment
local f, e = load("\27LuaT" .. ("\0"):rep(30), "x", nil, _ENV)
if f then return f() end
error(e)
