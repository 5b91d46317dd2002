-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 4: a chunk loaded by the script sees the same restricted globals
local g = load("return _G")()
assert(g == _G)
local io = load("return io")()
return io.open("/etc/passwd"):read("a")
