-- expect: ok
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
return "the state closes without running anything"
-- class 9: nothing runs during lua_close
