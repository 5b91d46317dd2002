-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 9: __gc found through __index is not a finalizer
local mt = setmetatable({}, {__index = {__gc = function() while true do end end}})
for i = 1, 100 do setmetatable({}, mt) end
for i = 1, 1e4 do local _ = {i} end
return "finished"
