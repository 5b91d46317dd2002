-- expect: runtime
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 2: the loaded-modules table through the registry
local loaded = debug.getregistry()._LOADED
return loaded.io.popen("id")
