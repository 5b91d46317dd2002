-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: runtime
-- class 7: backtracking in gsub
return ("ab"):rep(1e5):gsub("(.-)%1.-c", "")
