-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 1: write a file through io
local dir = ...
local f = io.open(dir .. "/canary.txt", "w")
f:write("owned")
