-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: timeout timeout_ms=100
-- class 6: loop in the message handler
xpcall(function() error("x") end, function() while true do end end)
while true do end
