-- expect: memory
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000 max_string=1500
-- class 8: a string past max_string built by ..
return ("x"):rep(1000) .. ("y"):rep(1000)
