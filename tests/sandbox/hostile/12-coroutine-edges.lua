-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 12: coroutine states and closing
local co = coroutine.create(function() local x <close> = setmetatable({}, {__close = function() end}) coroutine.yield(1) end)
assert(coroutine.resume(co))
assert(coroutine.close(co))
assert(coroutine.status(co) == "dead")
assert(not coroutine.resume(co))
assert(not pcall(coroutine.close, coroutine.running()))
local w = coroutine.wrap(function() error("inner") end)
assert(not pcall(w))
return "coroutines hold"
