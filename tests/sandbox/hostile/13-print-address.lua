-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 13: heap addresses through print
print({}, print, coroutine.create(print))
return 1
