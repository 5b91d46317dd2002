-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 4: upvalues through debug
local name, env = debug.getupvalue(print, 1)
return env
