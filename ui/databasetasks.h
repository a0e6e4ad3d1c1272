#pragma once

#include "storeservice.h"

#include <QObject>

#include <functional>
#include <optional>

class QWidget;

namespace rangedb::ui {

// The long database tasks of the menus: the consistency check and filling a database with
// sample events. Each runs on a worker through the StoreService behind a progress dialog
// with Cancel, and tells its outcome through `report` (QMessageBox::Icon, title, text;
// NoIcon for a passing note). GUI thread only.
class DatabaseTasks : public QObject
{
    Q_OBJECT

public:
    using Report = std::function<void(int icon, const QString &title, const QString &text)>;

    // `window` parents the progress dialogs and this object.
    DatabaseTasks(StoreService *service, QWidget *window, Report report);

    // Store::check over every key; reports the counts and the first 20 problems.
    void runCheck();
    // Appends `events` generated sample events (rangedb::SampleGenerator), 10 per save.
    void fillWithSampleData(quint64 events);

    // The New Database dialog: a folder that is new or empty, and the record encoding.
    static std::optional<OpenRequest> askNewDatabase(QWidget *parent);

private:
    StoreService *m_service;
    QWidget *m_window;
    Report m_report;
};

} // namespace rangedb::ui
