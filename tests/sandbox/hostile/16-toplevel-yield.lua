-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 16: yield outside any coroutine
coroutine.yield(1)
