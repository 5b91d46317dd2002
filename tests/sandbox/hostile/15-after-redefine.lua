-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 15: base functions are whole again in the next run
print("print works")
assert(pcall(tostring, 1))
return tostring(1)
