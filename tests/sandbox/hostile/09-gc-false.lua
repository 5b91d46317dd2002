-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 9: mark for finalization with a placeholder, then arm it
local mt = {__gc = false}
local o = setmetatable({}, mt)
mt.__gc = function() while true do end end
