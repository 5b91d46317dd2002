-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 5: strip the proxy's metatable
setmetatable(table, nil)
table.insert = print
