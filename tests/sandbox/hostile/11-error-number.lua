-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 11: an error table with __index
error(setmetatable({}, {__index = function() while true do end end}), 0)
