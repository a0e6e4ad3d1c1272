#pragma once

#include "resilientcursor.h"

#include <QDockWidget>

namespace rangedb::ui {

class RecordInspector;
class StoreService;

// The "Record" dock: the record inspector for the selected row. Fetches the stored bytes
// of the record through the StoreService (on a worker) after showing the decoded record.
class InspectorDock : public QDockWidget
{
    Q_OBJECT

public:
    explicit InspectorDock(StoreService *service, QWidget *parent = nullptr);

    RecordInspector *inspector() const { return m_inspector; }
    // Shows a row of a record table (null clears).
    void showRow(const RecordRow *row);
    void setUtc(bool utc);

Q_SIGNALS:
    // The stored bytes of the shown record arrived (tests wait on it).
    void storedBytesShown();

private:
    StoreService *m_service;
    RecordInspector *m_inspector;
    quint64 m_generation = 0;
};

} // namespace rangedb::ui
