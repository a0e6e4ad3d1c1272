#pragma once

#include "rangedb/transfer.h"
#include "storeservice.h"

#include <QDialog>

#include <memory>
#include <optional>
#include <stop_token>

class QAbstractItemModel;
class QButtonGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QTableView;
class QTextBrowser;

namespace rangedb::ui {

class ImportPreviewModel;
class TransferProgressPanel;

// File ▸ Import… (and a file dropped on the window): imports a record stream file (JSON
// array, NDJSON or msgpack; sniffed, can be overridden) into the open database with
// rangedb::importFile, all or nothing.
//
// Choosing a file shows a preview: the first records as they would be stored (in append
// mode with the numbers they would get) and the problems found in them so far. "Dry Run"
// reads the whole file and reports streams created and extended, events per aggregate
// type and conflicts, writing nothing. "Import" runs on a worker with a progress panel and
// Cancel; errors (record number, line and column or byte offset, the offending text) are
// shown in the dialog, and nothing is written then. Restore mode needs an empty database:
// the dialog says so. Every read and write goes through the StoreService; on a read-only
// database only the preview and the dry run work. GUI thread only.
class ImportDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ImportDialog(StoreService *service, QWidget *parent = nullptr);
    ~ImportDialog() override;

    // Sets the file and refreshes the preview.
    void setFile(const QString &path);
    QString file() const;
    // nullopt: sniffed from the file.
    void setFormat(std::optional<StreamFormat> format);
    // The format the preview found (sniffed or forced); nullopt before a preview.
    std::optional<StreamFormat> previewFormat() const { return m_previewFormat; }
    void setMode(ImportMode mode);
    ImportMode mode() const;

    void startDryRun();
    // Starts the import; false (reason in errorText()) when it cannot start.
    bool startImport();
    void cancelImport();
    bool isBusy() const { return m_job.isActive(); }
    bool canImport() const;

    QAbstractItemModel *previewModel() const;
    QStringList previewProblems() const { return m_problems; }
    // The dry run's report, or the import's summary, as shown (plain text).
    QString reportText() const;
    // The last error shown (plain text); empty when none.
    QString errorText() const;
    TransferProgressPanel *progressPanel() const { return m_progress; }

    void reject() override;

Q_SIGNALS:
    void previewReady();
    void dryRunFinished(bool succeeded);
    // The import ended: `succeeded`, or failed / cancelled with the database as before.
    // `restore`: it was a restore (the window re-reads its views then).
    void importFinished(bool succeeded, bool restore);

private:
    void buildUi();
    void refreshPreview();
    void updateState();
    void browse();
    void setBusy(bool busy, bool importing);
    void showError(const QString &text);
    void showReport(const QString &html);
    ImportOptions options() const;

    StoreService *m_service;
    RequestHandle m_job;
    std::shared_ptr<std::stop_source> m_userStop; // Cancel of the running dry run or import
    RequestHandle m_previewJob;
    quint64 m_previewGeneration = 0;
    QString m_previewKey; // file, format and mode of the last preview asked for
    std::optional<StreamFormat> m_previewFormat;
    QStringList m_problems;
    quint64 m_lastGlobalSequence = 0; // of the database, as the preview found it
    bool m_knowsDatabase = false;

    QLineEdit *m_path = nullptr;
    QComboBox *m_format = nullptr;
    QLabel *m_detected = nullptr;
    QButtonGroup *m_modeGroup = nullptr;
    QLabel *m_modeNote = nullptr;
    QTableView *m_preview = nullptr;
    ImportPreviewModel *m_previewModel = nullptr;
    QLabel *m_previewStatus = nullptr;
    QTextBrowser *m_report = nullptr;
    QLabel *m_error = nullptr;
    TransferProgressPanel *m_progress = nullptr;
    QPushButton *m_dryRunButton = nullptr;
    QPushButton *m_importButton = nullptr;
    QPushButton *m_closeButton = nullptr;
};

} // namespace rangedb::ui
