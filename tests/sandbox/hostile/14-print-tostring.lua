-- expect: output
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 14: a giant __tostring printed
local o = setmetatable({}, {__tostring = function() return ("y"):rep(1e6) end})
print(o)
