-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 5: rawset past the read-only proxy
rawset(string, "format", print)
return string.format("%d", 1)
