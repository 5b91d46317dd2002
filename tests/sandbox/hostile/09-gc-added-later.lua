-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 9: a __gc added after setmetatable never runs
local mt = {}
for i = 1, 100 do setmetatable({}, mt) end
mt.__gc = function() while true do end end
for i = 1, 1e4 do local _ = {i} end
return "finished"
