/*
** wire.h — the messages between the host and a worker process (private to
** sandbox/). Each is a frame: a 4-byte length, a type byte, the payload.
**
**     host → worker   RUN    the job: limits, seed, name, entry, source, args, capabilities
**     worker → host   CALL   a host function: capability, name, arguments
**     host → worker   REPLY  its outcome: code, message, value
**     worker → host   DONE   the result
**
** Whatever the host reads was written by a process that ran hostile code, so
** every reader checks lengths, counts and kinds and fails cleanly on anything else.
*/
#ifndef AUGUR_SANDBOX_WIRE_H
#define AUGUR_SANDBOX_WIRE_H

#include "sandbox/private.h"

enum { WIRE_RUN = 1, WIRE_CALL, WIRE_REPLY, WIRE_DONE };

enum { WIRE_OK = 0, WIRE_EOF = -1, WIRE_TIMEOUT = -2, WIRE_BAD = -3 };

/* Send or receive one frame. deadline_ns 0 waits without end; a frame larger
** than max is WIRE_BAD. Sends never raise SIGPIPE. */
int wire_send(int fd, int type, const buf *payload, uint64_t deadline_ns);
int wire_recv(int fd, int *type, buf *payload, size_t max, uint64_t deadline_ns);

/* A job as a worker receives it, owning its storage. */
typedef struct wire_job {
    sandbox_job    job;
    sandbox_limits lim;
    sandbox_value *args;
    char          *source, *name, *entry;
    char         **allow;
    sandbox_cap   *caps;
    size_t         ncaps;
    uint64_t       start_ns;  /* when the host began the run: the worker's deadline is the
                                 host's, CLOCK_MONOTONIC being the same in every process */
} wire_job;

int  wire_job_encode(buf *out, const sandbox_job *job, const sandbox_limits *lim,
                     uint64_t start_ns, const sandbox_cap *caps, size_t ncaps);
/* Every capability decoded calls fn with ud; AUGUR_EINVAL when malformed. */
int  wire_job_decode(const char *data, size_t len, sandbox_host_fn fn, void *ud, wire_job *out);
void wire_job_free(wire_job *j);

int  wire_result_encode(buf *out, const sandbox_result *res);
int  wire_result_decode(const char *data, size_t len, sandbox_result *res);

#endif
