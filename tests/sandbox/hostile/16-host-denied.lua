-- expect: denied
-- limits: instructions=2000000 memory_mb=16 timeout_ms=2000
-- class 16: a capability the run was not given
return host.test.echo("x")
