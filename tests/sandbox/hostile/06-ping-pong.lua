-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: timeout timeout_ms=100
-- class 6: switch between threads as fast as possible, so the budget is spent or the
-- deadline passes while either may be running
local a, b
a = coroutine.wrap(function() while true do b() coroutine.yield() end end)
b = coroutine.wrap(function() while true do pcall(coroutine.yield) end end)
while true do a() end
