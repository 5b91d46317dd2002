-- expect: memory
-- limits: instructions=100000000 memory_mb=16 timeout_ms=5000
-- class 8: catch the memory error and try again
local keep = {}
while true do
  pcall(function() while true do keep[#keep + 1] = ("x"):rep(1000) .. #keep end end)
end
