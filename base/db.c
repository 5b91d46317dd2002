/* db.c — write-ahead logging for files that several processes open at once. */
#include "base/db.h"

#include "base/time.h"

#include <time.h>

int db_wal(sqlite3 *db, int busy_ms)
{
    const struct timespec pause = { 0, 1000000 };
    uint64_t deadline = time_mono_ns() + (uint64_t)(busy_ms > 0 ? busy_ms : 0) * 1000000u;
    int rc;

    if ((rc = sqlite3_busy_timeout(db, busy_ms)) != SQLITE_OK)
        return rc;
    /* The switch reads the file's header under a shared lock and then upgrades the lock
    ** to write it. While another connection is about to write, SQLite refuses that
    ** upgrade at once rather than call the busy handler (waiting with the shared lock
    ** held could deadlock): try again until the timeout. */
    while (((rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL)) & 0xff) ==
               SQLITE_BUSY &&
           time_mono_ns() < deadline)
        nanosleep(&pause, NULL);
    return rc;
}
