#include "CSQLiteConfig.h"
#include <sqlite3.h>

int netwatch_sqlite_multithread(void) {
    int rc = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    if (rc == SQLITE_OK) {
        // Memory statistics take a global mutex on every allocation; netwatch reads none.
        rc = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    }
    return rc;
}
