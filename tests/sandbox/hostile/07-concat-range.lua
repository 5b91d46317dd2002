-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: runtime
-- class 7: concat over 2^50 elements
return table.concat(setmetatable({}, {__index = function() return "" end}), "", 1, 2^50)
