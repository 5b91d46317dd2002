-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 4: Lua 5.1 environment functions
return getfenv(0).io
