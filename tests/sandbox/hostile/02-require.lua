-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 2: load a module
local os = require("os")
return os.execute("id")
