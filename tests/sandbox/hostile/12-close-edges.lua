-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 12: to-be-closed variables and errors inside __close
local x <close> = setmetatable({}, {__close = function() error("in close") end})
local y <close> = setmetatable({}, {__close = function() error("in close too") end})
error("first")
