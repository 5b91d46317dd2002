-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 11: metamethods on a result; the host must read it raw
local loop = function() while true do end end
return setmetatable({1, 2}, {__index = loop, __pairs = loop, __len = loop, __eq = loop,
  __tostring = loop, __name = "x", __metatable = loop})
