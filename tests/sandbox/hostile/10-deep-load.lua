-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 10: deeply nested source given to load
local f, e = load("return " .. ("{"):rep(1e5) .. ("}"):rep(1e5))
error(e)
