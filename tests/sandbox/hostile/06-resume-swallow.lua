-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: timeout timeout_ms=100
-- class 6: swallow it through coroutine.resume
while true do coroutine.resume(coroutine.create(function() while true do end end)) end
