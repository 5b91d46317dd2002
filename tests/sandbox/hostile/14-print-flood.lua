-- expect: output
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 14: print without end
while true do print(("x"):rep(1000)) end
