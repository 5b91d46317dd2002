-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: runtime
-- class 7: unpack of a hundred million values
return select("#", table.unpack({}, 1, 1e8))
