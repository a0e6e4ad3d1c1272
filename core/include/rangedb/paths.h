#pragma once

#include <QString>

// Where the applications keep their data. Shared by rangedb-cli and the workbench so that
// both find the same embedded default database.
namespace rangedb {

// Sets the organization name ("") and application name ("rangedb-workbench") on
// QCoreApplication, which QStandardPaths uses: AppDataLocation then is
// ~/.local/share/rangedb-workbench on Linux. Call once, on the main thread, after the
// Q*Application exists and before defaultDatabasePath().
void setApplicationIdentity();

// The embedded default database: <AppDataLocation>/default-db. It may not exist yet.
// Reentrant once the application identity is set.
QString defaultDatabasePath();

} // namespace rangedb
