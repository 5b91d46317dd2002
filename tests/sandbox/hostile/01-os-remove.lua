-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 1: delete a file
local dir = ...
os.remove(dir .. "/canary.txt")
