-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 4: no function leaks the real environment through its upvalues
for _, f in pairs({print, pcall, load, tostring, setmetatable}) do
  local ok, env = pcall(debug and debug.getupvalue or error, f, 1)
  if ok and type(env) == "table" and env.io then return env.io end
end
return io.stdout
