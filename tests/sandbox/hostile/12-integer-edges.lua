-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 12: integer corner cases the VM must raise or wrap, never crash on
assert(math.mininteger // -1 == math.mininteger)
assert(math.mininteger % -1 == 0)
assert(not pcall(function() return 1 // 0 end))
assert(not pcall(function() return 1 % 0 end))
assert(math.tointeger(2^63) == nil)
assert(string.format("%d", math.mininteger) == "-9223372036854775808")
assert(tostring(-0.0) == "-0.0")
return math.maxinteger + 1 == math.mininteger
