-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: timeout timeout_ms=100
-- class 6: do the work in short coroutines, under each one's own hook count
while true do
  for i = 1, 1000 do coroutine.wrap(function() for j = 1, 90 do end end)() end
end
