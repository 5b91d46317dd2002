-- expect: memory
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: memory
-- class 7: a terabyte from rep
return ("x"):rep(2^40)
