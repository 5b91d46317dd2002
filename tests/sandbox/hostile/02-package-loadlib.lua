-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 2: CVE-2022-0543, the Debian Redis escape
local f = package.loadlib("libc.so.6", "system")
return f("id")
