#ifndef CSQLITECONFIG_H
#define CSQLITECONFIG_H

/// Puts SQLite in multi-thread mode (no mutex per call) before its first use: GRDB already
/// serializes each connection, and the serialized mode's lock on every bind cost the history
/// writer a tenth of its time. Memory statistics are turned off too (a global mutex per malloc). sqlite3_config is variadic, so Swift cannot call it itself.
/// Returns SQLite's result code (SQLITE_MISUSE when SQLite was already initialized).
int netwatch_sqlite_multithread(void);

#endif
