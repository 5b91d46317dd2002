-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 13: heap addresses through %s
local s = string.format("%s %s", {}, print)
assert(not s:find("0x"))
return s
