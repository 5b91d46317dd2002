-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 12: string.format and string.pack corner cases
assert(string.format("%q", math.mininteger) == "0x8000000000000000")
assert(string.format("%q", 1/0) == "1e9999")
assert(string.format("%a", 1) ~= nil)
assert(not pcall(string.format, "%10.100f", 1))
assert(not pcall(string.pack, "i17", 1))
assert(not pcall(string.unpack, "z", "abc"))
assert(#string.pack("s1", ("x"):rep(255)) == 256)
assert(not pcall(string.pack, "s1", ("x"):rep(256)))
return "formats hold"
