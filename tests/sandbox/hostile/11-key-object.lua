-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 11: a table key the host would have to convert
return {[setmetatable({}, {__tostring = function() while true do end end})] = 1}
