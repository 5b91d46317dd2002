-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 3: a binary chunk delivered piece by piece through a reader
local parts, i = { "\27", "Lua", "T\0", ("\1"):rep(30) }, 0
local f, e = load(function() i = i + 1 return parts[i] end, "r", "bt")
if f then return f() end
error(e)
