-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 10: C recursion through __index
local t = setmetatable({}, {__index = function(t, k) return t[k] end})
return t.x
