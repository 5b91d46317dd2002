-- expect: timeout
-- limits: instructions=2000000 memory_mb=16 timeout_ms=200
-- allow: test
-- class 16: many host calls, each short
while true do host.test.sleep(20) end
