-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- allow: test
-- class 11: metamethods on values passed to a host function
local loop = function() while true do end end
return host.test.echo(setmetatable({a = 1}, {__index = loop, __pairs = loop, __len = loop}))
