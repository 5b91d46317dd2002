-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 10: a deep table returned to the host
local t = {} for i = 1, 1000 do t = {t} end
return t
