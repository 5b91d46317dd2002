-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: runtime
-- class 7: table.move over 2^63 slots, allocating nothing: the budget stops it, or
-- without one the limit on the work of one call
table.move({}, 1, math.maxinteger - 1, 2)
