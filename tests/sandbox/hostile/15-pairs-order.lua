-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 15: pairs visits keys in the same order in every run, whatever Lua's hash seed
local t = {}
for i = 1, 200 do t["key" .. i] = i end
local order = {}
for k, v in pairs(t) do order[#order + 1] = k; t[k] = nil end
assert(order[1] == "key1" and order[2] == "key10" and order[3] == "key100", order[1])
assert(#order == 200 and next(t) == nil)
return order[200]
