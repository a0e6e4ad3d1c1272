#pragma once

#include <QString>

namespace rangedb::ui {

// The program's version string, shown in the window's About box.
QString versionString();

} // namespace rangedb::ui
