-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: timeout timeout_ms=100
-- class 6: errors whose objects loop
local function e() error(setmetatable({}, {__tostring = function() while true do end end})) end
while true do pcall(e) end
