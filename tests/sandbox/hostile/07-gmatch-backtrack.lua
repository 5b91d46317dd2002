-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: runtime
-- class 7: backtracking in gmatch
for w in ("x"):rep(1e5):gmatch(".-.-y") do end
