-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: ok
-- class 7: rep of nothing, 2^62 times (a loop in C)
return #(""):rep(2^62) + #(""):rep(2^62, "")
