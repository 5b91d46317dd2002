-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 4: switch the count hook off
debug.sethook()
while true do end
