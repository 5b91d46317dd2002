-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: runtime
-- class 7: a __len that lies to insert
table.insert(setmetatable({}, {__len = function() return 2^53 end}), 1, "x")
