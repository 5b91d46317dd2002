-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 2: search everything reachable for package or loadlib
local seen = {}
local function walk(t, depth)
  if seen[t] or depth > 6 then return end
  seen[t] = true
  for k, v in pairs(t) do
    if k == "loadlib" or k == "package" or k == "searchers" then error("reachable: " .. k) end
    if type(v) == "table" then walk(v, depth + 1) end
  end
end
walk(_G, 0)
return "none"
