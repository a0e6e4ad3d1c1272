#include "version.h"

namespace rangedb::ui {

QString versionString()
{
    return QStringLiteral("RangeDB Workbench 0.1.0 (rangedb v0.12.0 format)");
}

} // namespace rangedb::ui
