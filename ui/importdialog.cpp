#include "importdialog.h"

#include "recordtablemodel.h"
#include "transferprogress.h"

#include <QAbstractTableModel>
#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QTableView>
#include <QTextBrowser>
#include <QTextDocument>
#include <QVBoxLayout>

namespace rangedb::ui {

namespace {

constexpr std::size_t kPreviewRecords = 50;

QString formatTitle(StreamFormat format)
{
    switch (format) {
    case StreamFormat::JsonArray:
        return QObject::tr("JSON array");
    case StreamFormat::Ndjson:
        return QObject::tr("NDJSON");
    case StreamFormat::Msgpack:
        return QObject::tr("msgpack");
    }
    return {};
}

struct PreviewResult
{
    Status status;
    ImportPreview preview;
    std::uint64_t lastGlobalSequence = 0;
};

QString html(const std::string &text)
{
    return QString::fromStdString(text).toHtmlEscaped();
}

} // namespace

// The preview's records as a table, with the record table's columns. Read-only, fixed
// size (at most kPreviewRecords rows); replaced whole when a new preview arrives.
class ImportPreviewModel final : public QAbstractTableModel
{
public:
    using QAbstractTableModel::QAbstractTableModel;

    void setRecords(std::vector<Record> records)
    {
        beginResetModel();
        m_records = std::move(records);
        endResetModel();
    }
    int rowCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : int(m_records.size());
    }
    int columnCount(const QModelIndex &parent = {}) const override
    {
        return parent.isValid() ? 0 : RecordTableModel::ColumnCount;
    }
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
            return {};
        const Record &r = m_records[std::size_t(index.row())];
        if (role == Qt::ToolTipRole && index.column() == RecordTableModel::Data)
            return QString::fromStdString(r.data);
        if (role == Qt::TextAlignmentRole
            && (index.column() == RecordTableModel::GlobalSequence || index.column() == RecordTableModel::StreamSequence))
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        if (role != Qt::DisplayRole)
            return {};
        switch (index.column()) {
        case RecordTableModel::GlobalSequence:
            return quint64(r.globalSequenceNumber);
        case RecordTableModel::StreamSequence:
            return quint64(r.streamSequenceNumber);
        case RecordTableModel::Time:
            // Append mode assigns the time (and the event ID) when it saves.
            return r.insertTimestamp ? RecordTableModel::formatTime(r.insertTimestamp, false) : QObject::tr("(on import)");
        case RecordTableModel::AggregateType:
            return QString::fromStdString(r.aggregateType);
        case RecordTableModel::AggregateId:
            return QString::fromStdString(r.aggregateId);
        case RecordTableModel::EventType:
            return QString::fromStdString(r.eventType);
        case RecordTableModel::EventId:
            return r.eventId.empty() ? QObject::tr("(new)") : QString::fromStdString(r.eventId);
        case RecordTableModel::Data:
            return RecordTableModel::dataPreview(r.data);
        default:
            return {};
        }
    }
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
            return {};
        // The record table's column titles.
        static const char *const titles[] = {"Global #",     "Stream #",   "Time",     "Aggregate type",
                                             "Aggregate ID", "Event type", "Event ID", "Data"};
        static_assert(std::size(titles) == RecordTableModel::ColumnCount);
        return section >= 0 && section < RecordTableModel::ColumnCount ? RecordTableModel::tr(titles[section]) : QVariant();
    }

private:
    std::vector<Record> m_records;
};

ImportDialog::ImportDialog(StoreService *service, QWidget *parent) : QDialog(parent), m_service(service)
{
    setWindowTitle(tr("Import Events"));
    buildUi();
    updateState();
}

ImportDialog::~ImportDialog()
{
    m_job.cancel();
    m_previewJob.cancel();
}

void ImportDialog::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;

    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("importPath"));
    m_path->setMinimumWidth(460);
    m_path->setPlaceholderText(tr("A .ndjson, .json or .msgpack file, e.g. one rangedb exported"));
    connect(m_path, &QLineEdit::editingFinished, this, &ImportDialog::refreshPreview);
    auto *browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, &ImportDialog::browse);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_path, 1);
    fileRow->addWidget(browse);
    form->addRow(tr("File:"), fileRow);

    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("importFormat"));
    m_format->addItem(tr("Detect from the file"), -1);
    m_format->addItem(formatTitle(StreamFormat::Ndjson), int(StreamFormat::Ndjson));
    m_format->addItem(formatTitle(StreamFormat::JsonArray), int(StreamFormat::JsonArray));
    m_format->addItem(formatTitle(StreamFormat::Msgpack), int(StreamFormat::Msgpack));
    connect(m_format, &QComboBox::currentIndexChanged, this, &ImportDialog::refreshPreview);
    m_detected = new QLabel(this);
    m_detected->setObjectName(QStringLiteral("importDetected"));
    auto *formatRow = new QHBoxLayout;
    formatRow->addWidget(m_format);
    formatRow->addWidget(m_detected, 1);
    form->addRow(tr("Format:"), formatRow);

    m_modeGroup = new QButtonGroup(this);
    auto *append = new QRadioButton(tr("&Append: save as new events (new numbers, event IDs and times)"), this);
    append->setObjectName(QStringLiteral("modeAppend"));
    auto *restore = new QRadioButton(tr("&Restore: keep numbers, event IDs and times (empty database only)"), this);
    restore->setObjectName(QStringLiteral("modeRestore"));
    m_modeGroup->addButton(append, int(ImportMode::Append));
    m_modeGroup->addButton(restore, int(ImportMode::Restore));
    append->setChecked(true);
    connect(m_modeGroup, &QButtonGroup::idToggled, this, [this](int, bool checked) {
        if (checked)
            refreshPreview();
    });
    auto *modes = new QVBoxLayout;
    modes->addWidget(append);
    modes->addWidget(restore);
    m_modeNote = new QLabel(this);
    m_modeNote->setObjectName(QStringLiteral("importModeNote"));
    m_modeNote->setWordWrap(true);
    modes->addWidget(m_modeNote);
    form->addRow(tr("Mode:"), modes);
    layout->addLayout(form);

    m_previewStatus = new QLabel(tr("Preview"), this);
    m_previewStatus->setObjectName(QStringLiteral("importPreviewStatus"));
    layout->addWidget(m_previewStatus);
    m_previewModel = new ImportPreviewModel(this);
    m_preview = new QTableView(this);
    m_preview->setObjectName(QStringLiteral("importPreview"));
    m_preview->setModel(m_previewModel);
    m_preview->verticalHeader()->hide();
    m_preview->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_preview->setWordWrap(false);
    m_preview->setAlternatingRowColors(true);
    m_preview->horizontalHeader()->setStretchLastSection(true);
    m_preview->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    const auto width = [this](const char *sample) { return fontMetrics().horizontalAdvance(QLatin1String(sample)) + 24; };
    m_preview->setColumnWidth(RecordTableModel::GlobalSequence, width("Global #99"));
    m_preview->setColumnWidth(RecordTableModel::StreamSequence, width("Stream #9"));
    m_preview->setColumnWidth(RecordTableModel::Time, width("2026-11-30 23:59:59"));
    m_preview->setColumnWidth(RecordTableModel::AggregateType, width("aggregate type"));
    m_preview->setColumnWidth(RecordTableModel::AggregateId, width("acct-0001.eu-xxx"));
    m_preview->setColumnWidth(RecordTableModel::EventType, width("AccountWasOpened.."));
    m_preview->setColumnWidth(RecordTableModel::EventId, width("0123456789abcdef"));
    m_preview->setMinimumHeight(180);
    layout->addWidget(m_preview, 2);

    m_report = new QTextBrowser(this);
    m_report->setObjectName(QStringLiteral("importReport"));
    m_report->setMinimumHeight(170);
    m_report->hide();
    layout->addWidget(m_report, 1);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("importError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #c02020"));
    m_error->hide();
    layout->addWidget(m_error);

    m_progress = new TransferProgressPanel(this);
    connect(m_progress, &TransferProgressPanel::cancelRequested, this, &ImportDialog::cancelImport);
    layout->addWidget(m_progress);

    auto *buttons = new QDialogButtonBox(this);
    m_dryRunButton = buttons->addButton(tr("&Dry Run"), QDialogButtonBox::ActionRole);
    m_dryRunButton->setObjectName(QStringLiteral("dryRunButton"));
    m_dryRunButton->setToolTip(tr("Read the whole file and say what an import would do; writes nothing"));
    m_importButton = buttons->addButton(tr("&Import"), QDialogButtonBox::AcceptRole);
    m_importButton->setObjectName(QStringLiteral("importButton"));
    m_closeButton = buttons->addButton(QDialogButtonBox::Close);
    connect(m_dryRunButton, &QPushButton::clicked, this, &ImportDialog::startDryRun);
    connect(m_importButton, &QPushButton::clicked, this, &ImportDialog::startImport);
    connect(m_closeButton, &QPushButton::clicked, this, &ImportDialog::reject);
    layout->addWidget(buttons);
    resize(1000, 720);
}

void ImportDialog::setFile(const QString &path)
{
    m_path->setText(path);
    refreshPreview();
}

QString ImportDialog::file() const
{
    return m_path->text().trimmed();
}

void ImportDialog::setFormat(std::optional<StreamFormat> format)
{
    m_format->setCurrentIndex(m_format->findData(format ? int(*format) : -1));
}

void ImportDialog::setMode(ImportMode mode)
{
    m_modeGroup->button(int(mode))->setChecked(true);
}

ImportMode ImportDialog::mode() const
{
    return ImportMode(m_modeGroup->checkedId());
}

QAbstractItemModel *ImportDialog::previewModel() const
{
    return m_previewModel;
}

QString ImportDialog::reportText() const
{
    return m_report->isVisibleTo(this) ? m_report->toPlainText() : QString();
}

QString ImportDialog::errorText() const
{
    return m_error->isVisibleTo(this) ? m_error->text() : QString();
}

ImportOptions ImportDialog::options() const
{
    ImportOptions options;
    if (const int format = m_format->currentData().toInt(); format >= 0)
        options.format = StreamFormat(format);
    options.mode = mode();
    return options;
}

bool ImportDialog::canImport() const
{
    return m_service->isOpen() && !m_service->isReadOnly() && !file().isEmpty() && !isBusy();
}

void ImportDialog::showError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

void ImportDialog::showReport(const QString &htmlText)
{
    m_report->setHtml(htmlText);
    m_report->setVisible(!htmlText.isEmpty());
}

void ImportDialog::browse()
{
    const QString folder = file().isEmpty()
                               ? QSettings().value(QStringLiteral("import/lastDirectory"), QDir::homePath()).toString()
                               : QFileInfo(file()).path();
    const QString chosen = QFileDialog::getOpenFileName(
        this, tr("Import From"), folder, tr("Record streams (*.ndjson *.json *.msgpack *.jsonl);;All files (*)"));
    if (chosen.isEmpty())
        return;
    QSettings().setValue(QStringLiteral("import/lastDirectory"), QFileInfo(chosen).absolutePath());
    setFile(chosen);
}

void ImportDialog::refreshPreview()
{
    // editingFinished also fires when the field merely loses focus (as when a dry run or an
    // import disables it): only a change of file, format or mode reads the file again.
    const QString key = file() + QLatin1Char('\n') + m_format->currentData().toString() + QLatin1Char('\n')
                        + QString::number(int(mode()));
    if (key == m_previewKey || isBusy())
        return;
    m_previewKey = key;
    m_previewJob.cancel();
    const quint64 generation = ++m_previewGeneration;
    m_previewFormat.reset();
    m_problems.clear();
    m_previewModel->setRecords({});
    showError({});
    showReport({});
    m_detected->clear();
    const QString path = file();
    if (path.isEmpty()) {
        m_previewStatus->setText(tr("Choose a file to see its first records."));
        updateState();
        return;
    }
    if (!QFileInfo(path).isFile()) {
        m_previewStatus->setText(tr("Preview"));
        showError(tr("%1 is not a file.").arg(path));
        m_previewKey.clear(); // try again once it is
        updateState();
        return;
    }
    m_previewStatus->setText(tr("Reading the first records…"));
    const ImportOptions opts = options();
    m_previewJob = m_service->run(
        this,
        [path, format = opts.format, mode = opts.mode](Store &store, std::stop_token) {
            PreviewResult result;
            auto preview = previewImport(path, format, kPreviewRecords, mode, &store);
            if (preview.ok())
                result.preview = std::move(preview).value();
            else
                result.status = preview.status();
            auto last = store.lastGlobalSequenceNumber();
            result.lastGlobalSequence = last.ok() ? last.value() : 0;
            return result;
        },
        [this, generation](PreviewResult result) {
            if (generation != m_previewGeneration)
                return;
            m_previewJob = {};
            m_knowsDatabase = true;
            m_lastGlobalSequence = result.lastGlobalSequence;
            if (!result.status.ok()) {
                m_previewStatus->setText(tr("Preview"));
                showError(tr("The file cannot be read: %1").arg(StoreService::describe(result.status)));
                m_previewKey.clear();
            } else {
                const ImportPreview &preview = result.preview;
                m_previewFormat = preview.format;
                m_detected->setText(m_format->currentData().toInt() < 0 ? tr("found %1").arg(formatTitle(preview.format))
                                                                        : QString());
                for (const std::string &problem : preview.problems)
                    m_problems << QString::fromStdString(problem);
                const QLocale locale;
                const QString count = preview.complete
                                          ? tr("all %1 records of the file").arg(locale.toString(quint64(preview.records.size())))
                                          : tr("the first %1 records").arg(locale.toString(quint64(preview.records.size())));
                m_previewStatus->setText(mode() == ImportMode::Append
                                             ? tr("Preview: %1 as they would be stored, with the numbers they would get").arg(count)
                                             : tr("Preview: %1 as they would be stored").arg(count));
                m_previewModel->setRecords(preview.records);
                if (!m_problems.isEmpty())
                    showError(tr("Problems found so far (nothing is imported while there are any):\n%1")
                                  .arg(m_problems.join(QLatin1Char('\n'))));
            }
            updateState();
            Q_EMIT previewReady();
        });
    updateState();
}

void ImportDialog::updateState()
{
    const bool busy = isBusy();
    QString note;
    QString style;
    if (m_service->isReadOnly()) {
        note = tr("The database is open read-only: the preview and the dry run work, importing does not.");
        style = QStringLiteral("color: #c02020");
    } else if (mode() == ImportMode::Restore) {
        if (m_knowsDatabase && m_lastGlobalSequence > 0) {
            note = tr("Restore writes only into an empty database, and this one is not (its last global sequence "
                      "number is %1). Use Append, or create a new database (File ▸ New Database) and import there.")
                       .arg(QLocale().toString(m_lastGlobalSequence));
            style = QStringLiteral("color: #c02020");
        } else {
            note = tr("Restore writes the records exactly as they are in the file, into this empty database.");
        }
    } else {
        note = tr("Append saves the records stream by stream, in their order, after the events already stored.");
    }
    m_modeNote->setText(note);
    m_modeNote->setStyleSheet(style);
    m_importButton->setEnabled(canImport());
    m_dryRunButton->setEnabled(m_service->isOpen() && !file().isEmpty() && !busy);
}

void ImportDialog::setBusy(bool busy, bool importing)
{
    for (QWidget *widget : findChildren<QWidget *>(QString(), Qt::FindDirectChildrenOnly)) {
        if (widget != m_progress && widget != m_error && widget != m_report && widget != m_preview)
            widget->setEnabled(!busy);
    }
    if (busy)
        m_progress->start(importing ? TransferProgressPanel::Kind::Import : TransferProgressPanel::Kind::DryRun);
    else {
        m_progress->stop();
        m_progress->hide();
    }
    updateState();
}

void ImportDialog::startDryRun()
{
    if (isBusy() || file().isEmpty())
        return;
    showError({});
    showReport({});
    const QString path = file();
    ImportOptions opts = options();
    m_userStop = std::make_shared<std::stop_source>();
    m_job = m_service->runWithProgress<TransferProgress>(
        this,
        [path, opts, userStop = m_userStop](Store &store, std::stop_token stop, const auto &report) mutable {
            // Either the service (closing the database) or Cancel stops it.
            std::stop_source either;
            std::stop_callback onService(stop, [&either] { either.request_stop(); });
            std::stop_callback onCancel(userStop->get_token(), [&either] { either.request_stop(); });
            opts.stop = either.get_token();
            opts.progress = [&report](const TransferProgress &p) { report(p); };
            return dryRunImport(store, path, opts);
        },
        [this](const TransferProgress &progress) { m_progress->setProgress(progress); },
        [this](Result<ImportReport> result) {
            m_job = {};
            setBusy(false, false);
            if (!result.ok()) {
                showError(result.status().code() == ErrorCode::Cancelled
                              ? tr("Dry run cancelled.")
                              : tr("The dry run stopped: %1").arg(StoreService::describe(result.status())));
                Q_EMIT dryRunFinished(false);
                return;
            }
            const ImportReport &r = result.value();
            const QLocale locale;
            QString text = tr("<p><b>Dry run (%1, %2): nothing was written.</b></p>")
                               .arg(formatTitle(r.format), mode() == ImportMode::Append ? tr("append") : tr("restore"));
            text += tr("<p>%1 records in %2 streams: %3 streams would be created, %4 extended.")
                        .arg(locale.toString(r.records), locale.toString(r.streams), locale.toString(r.streamsCreated),
                             locale.toString(r.streamsExtended));
            if (r.records > 0)
                text += tr(" Global sequence numbers %1 to %2.")
                            .arg(locale.toString(r.firstGlobalSequenceNumber), locale.toString(r.lastGlobalSequenceNumber));
            text += QStringLiteral("</p>");
            // Conflicts first: they decide whether the import can run.
            if (r.conflictCount == 0) {
                text += tr("<p style=\"color:#1b7a2a\">No conflicts: the import would succeed.</p>");
            } else {
                text += tr("<p style=\"color:#c02020\"><b>%n conflict(s): the import would fail and write nothing.</b></p><ul>",
                           nullptr, int(std::min<std::uint64_t>(r.conflictCount, 1u << 30)));
                for (const std::string &conflict : r.conflicts)
                    text += QStringLiteral("<li><tt>%1</tt></li>").arg(html(conflict));
                text += QStringLiteral("</ul>");
                if (r.conflictCount > r.conflicts.size())
                    text += tr("<p>… and %1 more.</p>").arg(locale.toString(quint64(r.conflictCount - r.conflicts.size())));
            }
            if (!r.eventsByAggregateType.empty()) {
                text += tr("<p>Events per aggregate type:</p><table cellspacing=\"0\" cellpadding=\"2\">");
                for (const AggregateTypeInfo &type : r.eventsByAggregateType)
                    text += QStringLiteral("<tr><td>%1</td><td align=\"right\">&nbsp;&nbsp;%2</td></tr>")
                                .arg(html(type.aggregateType), locale.toString(type.totalEvents));
                text += QStringLiteral("</table>");
            }
            showReport(text);
            Q_EMIT dryRunFinished(true);
        });
    if (m_job.isActive())
        setBusy(true, false);
}

bool ImportDialog::startImport()
{
    if (!canImport()) {
        if (m_service->isReadOnly())
            showError(tr("The database is open read-only; open it writable to import."));
        return false;
    }
    showError({});
    showReport({});
    const QString path = file();
    ImportOptions opts = options();
    const bool restore = opts.mode == ImportMode::Restore;
    m_userStop = std::make_shared<std::stop_source>();
    m_job = m_service->runWithProgress<TransferProgress>(
        this,
        [path, opts, userStop = m_userStop](Store &store, std::stop_token stop, const auto &report) mutable {
            std::stop_source either;
            std::stop_callback onService(stop, [&either] { either.request_stop(); });
            std::stop_callback onCancel(userStop->get_token(), [&either] { either.request_stop(); });
            opts.stop = either.get_token();
            opts.progress = [&report](const TransferProgress &p) { report(p); };
            return importFile(store, path, opts);
        },
        [this](const TransferProgress &progress) { m_progress->setProgress(progress); },
        [this, restore](Result<ImportReport> result) {
            m_job = {};
            setBusy(false, true);
            if (!result.ok()) {
                if (result.status().code() == ErrorCode::Cancelled)
                    showError(tr("Import cancelled. Nothing was written: the database is as it was."));
                else
                    showError(tr("The import failed: %1\nNothing was written: the database is as it was.")
                                  .arg(StoreService::describe(result.status())));
                Q_EMIT importFinished(false, restore);
                return;
            }
            const ImportReport &r = result.value();
            const QLocale locale;
            showReport(tr("<p><b>Imported %1 records</b> (%2) into %3 streams: %4 created, %5 extended.</p>")
                           .arg(locale.toString(r.records), formatTitle(r.format), locale.toString(r.streams),
                                locale.toString(r.streamsCreated), locale.toString(r.streamsExtended)));
            m_importButton->setEnabled(false); // importing the same file twice is rarely meant
            Q_EMIT importFinished(true, restore);
        });
    if (!m_job.isActive()) {
        showError(tr("No database is open."));
        return false;
    }
    setBusy(true, true);
    return true;
}

void ImportDialog::cancelImport()
{
    // Not the request itself: its result must still arrive, once the engine has removed
    // what it wrote, so that the window re-reads its views after that and not before.
    if (isBusy() && m_userStop)
        m_userStop->request_stop();
}

void ImportDialog::reject()
{
    // Closing while it runs only cancels; the dialog stays until the database is as it was.
    if (isBusy()) {
        cancelImport();
        return;
    }
    QDialog::reject();
}

} // namespace rangedb::ui
