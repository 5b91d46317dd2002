-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 1: kill the host
os.exit(3)
