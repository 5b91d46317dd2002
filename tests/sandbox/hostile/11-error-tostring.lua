-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 11: an error object whose __tostring loops
error(setmetatable({}, {__tostring = function() while true do end end}))
