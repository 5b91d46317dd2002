-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: timeout timeout_ms=100
-- class 6: the endless loop
while true do end
