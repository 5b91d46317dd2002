-- expect: instructions
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- no budget: timeout timeout_ms=100
-- class 6: a comparator that loops, called from C
table.sort({3, 1, 2}, function(x, y) while true do end end)
