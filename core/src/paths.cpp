#include "rangedb/paths.h"

#include <QCoreApplication>
#include <QStandardPaths>

namespace rangedb {

void setApplicationIdentity()
{
    // No organization: the data folder is named after the application alone, as the
    // desktop file and the documentation promise.
    QCoreApplication::setOrganizationName(QString());
    QCoreApplication::setApplicationName(QStringLiteral("rangedb-workbench"));
}

QString defaultDatabasePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/default-db");
}

} // namespace rangedb
