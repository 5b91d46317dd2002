-- expect: timeout
-- limits: instructions=2000000 memory_mb=16 timeout_ms=200
-- allow: test
-- class 16: a host call that would block for a minute
host.test.sleep(60000)
return "woke"
