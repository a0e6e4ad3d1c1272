#pragma once

#include "rangedb/recordfilter.h"
#include "rangedb/transfer.h"
#include "recordtablemodel.h"
#include "storeservice.h"

#include <QDialog>

#include <memory>
#include <stop_token>
#include <utility>
#include <vector>

class QButtonGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QRadioButton;

namespace rangedb::ui {

class DatabaseTreeModel;
class RecordPage;
class TransferProgressPanel;

// What the window offers to export, taken from the tree and the record table when the
// dialog opens (value types: the dialog never reads the widgets they came from again).
struct ExportSources
{
    quint64 totalEvents = 0;
    std::vector<std::pair<QString, quint64>> aggregateTypes; // name, events; sorted
    // The record table: its scope and title, the condition its rows meet (event types,
    // "only matches"; null for every record of the scope), and its row count.
    Scope tableScope;
    QString tableTitle;
    std::shared_ptr<const RecordPredicate> tablePredicate;
    quint64 tableRows = 0;
    // The last search of the table (null when none) and its match count.
    std::shared_ptr<const RecordFilter> search;
    quint64 searchMatches = 0;
    // The selected rows as [first, last] ranges of row numbers counted oldest first (as
    // the table counts them), sorted; and the records of those rows the table has cached.
    std::vector<std::pair<quint64, quint64>> selectedRanges;
    quint64 selectedCount = 0;
    std::vector<RecordRow> selectedCached; // in row order; complete only if == selectedCount

    // Reads them off the window's tree and record page (GUI thread).
    static ExportSources collect(const DatabaseTreeModel *tree, const RecordPage *page);
};

// File ▸ Export…: chooses what (all events, aggregate types, a stream, the table's rows,
// the search matches, the selected rows), the format (JSON array, NDJSON, msgpack) and the
// file, then exports on a worker from a snapshot of the store (rangedb::exportToFile: the
// file appears only when the whole export succeeded) while a progress panel shows records,
// bytes, rate and time left, with Cancel. It reads the store only through the StoreService
// and never writes to it. Closing it while it runs cancels the export. GUI thread only.
class ExportDialog : public QDialog
{
    Q_OBJECT

public:
    enum class What { AllEvents, AggregateTypes, Stream, Table, Search, Selection };

    ExportDialog(StoreService *service, ExportSources sources, QWidget *parent = nullptr);
    ~ExportDialog() override;

    // Chooses what to export: `scope` fills the aggregate types or the stream.
    void choose(What what, const Scope &scope = {});
    What chosen() const;
    bool isAvailable(What what) const;
    void setFormat(StreamFormat format);
    StreamFormat format() const;
    void setPath(const QString &path);
    QString path() const;

    // Starts the export (the Export button). False, with the reason in errorText(), when
    // the choice is incomplete.
    bool startExport();
    bool isRunning() const { return m_job.isActive(); }
    void cancelExport();
    // What went wrong last, as shown in the dialog; empty when nothing did.
    QString errorText() const;
    TransferProgressPanel *progressPanel() const { return m_progress; }

    void reject() override;

Q_SIGNALS:
    void exportFinished(const QString &path, quint64 records, quint64 bytes);
    // Failed or cancelled (status Cancelled); the file is absent or as it was.
    void exportFailed(const QString &path, const rangedb::Status &status);

private:
    void buildUi();
    void updateState();
    void onFormatChanged();
    void browse();
    quint64 expectedRecords() const;
    QString suggestedName() const;
    void setError(const QString &text);

    StoreService *m_service;
    ExportSources m_sources;
    RequestHandle m_job;
    std::shared_ptr<std::stop_source> m_userStop; // Cancel of the running export

    QButtonGroup *m_whatGroup = nullptr;
    QListWidget *m_types = nullptr;
    QLineEdit *m_stream = nullptr;
    QComboBox *m_format = nullptr;
    QLineEdit *m_path = nullptr;
    QPushButton *m_browse = nullptr;
    QLabel *m_note = nullptr;
    QLabel *m_error = nullptr;
    QPushButton *m_exportButton = nullptr;
    TransferProgressPanel *m_progress = nullptr;
    bool m_pathEdited = false;
};

} // namespace rangedb::ui
