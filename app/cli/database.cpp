#include "database.h"

#include "rangedb/paths.h"

#include <QDir>
#include <QFileInfo>

namespace rangedb::cli {

QString databasePath(const GlobalOptions &options)
{
    return options.databasePath.isEmpty() ? defaultDatabasePath() : options.databasePath;
}

Result<std::unique_ptr<LevelDbStore>> openDatabase(const GlobalOptions &options, Access access)
{
    const QString path = databasePath(options);
    const std::string nativePath = QFile::encodeName(path).toStdString();
    const std::string shownPath = path.toStdString();
    const auto notADatabase = [&] {
        return Status::error(ErrorCode::NotADatabase, shownPath + " is not a rangedb database (no CURRENT file)");
    };

    const bool create = access == Access::Write && !options.readOnly;
    // Read commands look before they open: whatever the store would do with a stray
    // folder, a read command must leave it exactly as it was.
    if (!create && !looksLikeDatabase(nativePath))
        return notADatabase();
    if (create && !QFileInfo(path).isDir() && !QFileInfo::exists(path) && !QDir().mkpath(path))
        return Status::error(ErrorCode::IoError, "cannot create the folder " + shownPath);

    LevelDbOptions levelDbOptions;
    levelDbOptions.createIfMissing = create;
    levelDbOptions.readOnly = options.readOnly;
    levelDbOptions.durable = options.durable;
    levelDbOptions.serializer = options.createSerializer;
    auto opened = LevelDbStore::open(nativePath, levelDbOptions);
    if (opened.ok())
        return opened;

    const Status status = opened.status();
    switch (status.code()) {
    case ErrorCode::NotADatabase:
        return notADatabase();
    case ErrorCode::DatabaseLocked:
        if (status.message().find("in use") == std::string::npos) {
            return Status::error(ErrorCode::DatabaseLocked,
                                 shownPath + " is in use by another process (" + status.message() + ")");
        }
        return status;
    default:
        return status.withContext("cannot open " + shownPath);
    }
}

Status refuseReadOnly(const LevelDbStore &store, const char *command)
{
    if (!store.isReadOnly())
        return {};
    return Status::error(ErrorCode::ReadOnly, std::string(command) + ": the database " + store.path()
                                                  + " is open read-only (--read-only); nothing was written");
}

} // namespace rangedb::cli
