-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 5: replace the string metatable
setmetatable("", {__index = {}})
