-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 13: heap addresses through %p
return string.format("%p", {})
