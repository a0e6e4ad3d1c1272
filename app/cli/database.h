#pragma once

#include "cliargs.h"

#include "rangedb/leveldbstore.h"
#include "rangedb/status.h"

#include <memory>

namespace rangedb::cli {

enum class Access {
    Read,  // never creates: a missing folder or one without a database is an error
    Write, // creates the database (and its folder) when missing, unless --read-only
};

// The folder the command works on: --db, or the embedded default database.
QString databasePath(const GlobalOptions &options);

// Opens the database for a command. Errors are ready to print: NotADatabase names the
// folder ("<path> is not a rangedb database (no CURRENT file)"), DatabaseLocked says it
// is in use by another process.
Result<std::unique_ptr<LevelDbStore>> openDatabase(const GlobalOptions &options, Access access);

// For write commands on a store opened with --read-only: the error to report before any
// work is done.
Status refuseReadOnly(const LevelDbStore &store, const char *command);

} // namespace rangedb::cli
