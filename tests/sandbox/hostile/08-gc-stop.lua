-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 8: stop the collector
collectgarbage("stop")
local t = {} while true do t = {t} end
