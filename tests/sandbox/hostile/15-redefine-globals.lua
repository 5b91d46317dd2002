-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 15: redefining base functions affects this run only
print = function() error("poisoned print") end
pcall = nil
tostring = error
return "redefined"
