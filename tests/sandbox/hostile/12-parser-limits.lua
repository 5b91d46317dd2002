-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 12: the parser's own limits raise errors
local locals = {} for i = 1, 250 do locals[i] = "local v" .. i .. " = " .. i end
assert(not load(table.concat(locals, "\n")))
local up = {"local a1"} for i = 2, 300 do up[i] = "local a" .. i end
assert(not load(table.concat(up, " ") .. " return function() return " .. ("a1+"):rep(299) .. "a1 end"))
assert(not load(("function f() "):rep(250) .. ("end "):rep(250)))
assert(not load("goto nowhere"))
assert(not load("::a:: ::a::"))
return "limits hold"
