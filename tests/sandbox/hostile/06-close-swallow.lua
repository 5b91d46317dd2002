-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: timeout timeout_ms=100
-- class 6: loop inside a __close handler while the error unwinds
while true do
  pcall(function()
    local guard <close> = setmetatable({}, {__close = function() while true do end end})
    while true do end
  end)
end
