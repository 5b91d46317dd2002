/*
** db.h — the setting every SQLite file that several processes share needs.
*/
#ifndef AUGUR_DB_H
#define AUGUR_DB_H

#include <sqlite3.h>

/* Gives db a busy timeout of busy_ms and switches its file to write-ahead logging,
** waiting up to busy_ms for other connections to let it. Returns an SQLite result code;
** sqlite3_errmsg(db) says why it failed. */
int db_wal(sqlite3 *db, int busy_ms);

#endif
