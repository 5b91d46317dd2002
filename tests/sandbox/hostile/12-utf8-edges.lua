-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 12: utf8 with invalid input
assert(utf8.len("\xff") == nil)
assert(not pcall(utf8.codepoint, "\xff"))
assert(utf8.char(0x7fffffff) ~= nil)
assert(not pcall(utf8.char, -1))
for p, c in utf8.codes("héllo") do assert(c > 0) end
assert(not pcall(function() for p, c in utf8.codes("\xffabc") do end end))
return "utf8 holds"
