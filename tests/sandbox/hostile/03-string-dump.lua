-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 3: bytecode from string.dump
local f = load(string.dump(function() return 1 end))
return f()
