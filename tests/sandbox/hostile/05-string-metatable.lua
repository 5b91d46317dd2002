-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 5: patch every string's methods (Minetest mesecons)
local mt = getmetatable("")
mt.__index.rep = function() return "evil" end
return ("x"):rep(2)
