-- expect: output
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 10: a small DAG that is exponential as a tree
local t = {"x"} for i = 1, 40 do t = {t, t} end
return t
