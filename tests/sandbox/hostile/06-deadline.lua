-- expect: timeout
-- limits: instructions=100000000000 memory_mb=16 timeout_ms=200
-- class 6: the wall clock when the budget is large
while true do end
