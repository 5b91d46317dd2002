-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: runtime
-- class 7: nested repetition in match
return ("a"):rep(5e4):match("^a-a-a-a-b")
