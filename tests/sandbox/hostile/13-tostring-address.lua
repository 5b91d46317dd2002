-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 13: heap addresses through tostring
assert(not tostring({}):find("0x"))
assert(not tostring(print):find("0x"))
assert(not tostring(coroutine.create(print)):find("0x"))
return tostring({})
