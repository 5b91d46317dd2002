-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 5: what the script can reach does not change what strings do
pcall(function() string.upper = nil end)
pcall(rawset, string, "upper", nil)
assert(("abc"):upper() == "ABC")
assert(getmetatable("") == "protected")
return ("x"):rep(3)
