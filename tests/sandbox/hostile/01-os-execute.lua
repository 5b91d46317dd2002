-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 1: run a shell command
local dir = ...
os.execute("rm -f " .. dir .. "/canary.txt")
