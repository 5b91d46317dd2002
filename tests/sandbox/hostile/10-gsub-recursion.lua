-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 10: C recursion through gsub callbacks
local function f(s) return (s:gsub(".", f)) end
return f("x")
