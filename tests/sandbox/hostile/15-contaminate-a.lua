-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 15: leave things behind for the next run (15-contaminate-b checks)
LEFT_BEHIND = true
pcall(function() string.LEFT_BEHIND = true end)
pcall(rawset, string, "LEFT_BEHIND", true)
pcall(setmetatable, _G, {__index = function() return "poisoned" end})
left_co = coroutine.create(function() local x <close> = setmetatable({}, {__close = function() end}) coroutine.yield() end)
coroutine.resume(left_co)
return "left"
