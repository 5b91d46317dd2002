-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: runtime
-- class 7: a plain find that compares O(n*m) bytes
local s = ("a"):rep(4e6)
return s:find(("a"):rep(2e6) .. "b", 1, true)
