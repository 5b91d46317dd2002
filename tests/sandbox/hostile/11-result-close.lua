-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 11: __close and __call on a returned value
local loop = function() while true do end end
return setmetatable({}, {__close = loop, __call = loop}), "second"
