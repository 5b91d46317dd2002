-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 5: monkey-patch a library table
string.rep = function() return "evil" end
return ("x"):rep(3)
