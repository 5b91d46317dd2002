-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 10: a cyclic table returned to the host
local a, b = {}, {}
a.b = b b.a = a
return a
