-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 13: a __name metafield makes Lua print the address after it
local o = setmetatable({}, {__name = "thing"})
assert(not tostring(o):find("0x"))
assert(not string.format("%s", o):find("0x"))
return tostring(o)
