-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: runtime
-- class 7: exponential backtracking in find
return ("a"):rep(1e5):find(".-.-.-.-b")
