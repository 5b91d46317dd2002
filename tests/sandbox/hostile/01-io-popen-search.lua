-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 1: look for popen, execute or open anywhere reachable
local seen, found = {}, nil
local function walk(t)
  if seen[t] then return end
  seen[t] = true
  for k, v in pairs(t) do
    if k == "popen" or k == "execute" or k == "getenv" or k == "exit" or k == "tmpname" then found = k end
    if type(v) == "table" then walk(v) end
  end
end
walk(_G)
walk(getmetatable("") == "protected" and {} or getmetatable(""))
if found then error("reachable: " .. found) end
return "nothing reachable"
