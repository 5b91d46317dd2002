-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 14: warn to the host's stderr
warn("@on")
while true do warn("spam") end
