-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 9: a finalizer that never ends
setmetatable({}, {__gc = function() while true do end end})
