-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: runtime
-- class 7: a format wider than Lua allows
return string.format("%099999d", 1)
