-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 14: write to the host's stdout
io.write(("x"):rep(1e6))
