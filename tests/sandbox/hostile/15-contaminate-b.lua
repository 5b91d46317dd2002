-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 15: nothing from 15-contaminate-a is here
assert(LEFT_BEHIND == nil and left_co == nil)
assert(string.LEFT_BEHIND == nil)
assert(rawget(_G, "anything") == nil and anything == nil)
return "clean"
