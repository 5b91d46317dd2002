-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 7: table.move over 2^63 slots
table.move({}, 1, math.maxinteger - 1, 2)
