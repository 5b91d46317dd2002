-- expect: timeout
-- limits: instructions=2000000 memory_mb=16 timeout_ms=200
-- no budget: timeout timeout_ms=100
-- class 7: a loop of library calls that each do C work (more than the budget charges for
-- matching), so the deadline stops it, with or without a budget
local s = ("ab"):rep(1000)
while true do s:find("b.-c") s:gsub("a", "b") table.concat({s, s}) end
