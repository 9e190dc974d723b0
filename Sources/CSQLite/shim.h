// The system SQLite (libsqlite3-dev), the one C library KVortex links (DESIGN.md "Hard constraints").
#include <sqlite3.h>
