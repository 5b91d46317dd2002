-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: timeout timeout_ms=100
-- class 6: a wrapped coroutine dies of an error and its pending
-- __close, run while the wrapper closes it, loops
local w = coroutine.wrap(function()
  local guard <close> = setmetatable({}, {__close = function() while true do end end})
  error("boom")
end)
print(pcall(w))
while true do end
