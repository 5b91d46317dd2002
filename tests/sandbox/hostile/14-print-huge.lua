-- expect: output
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 14: one giant print
print(("x"):rep(4e6))
