#include "exportdialog.h"

#include "databasetreemodel.h"
#include "recordpage.h"
#include "resilientcursor.h"
#include "transferprogress.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace rangedb::ui {

namespace {

QString suffixOf(StreamFormat format)
{
    return format == StreamFormat::JsonArray ? QStringLiteral("json") : QString::fromLatin1(streamFormatName(format));
}

// The records of another iterator that meet a condition; the stored bytes pass through, so
// a filtered export of a JSON store still copies records byte for byte.
class FilteredIterator final : public RecordIterator
{
public:
    FilteredIterator(RecordIteratorPtr inner, std::function<bool(const Record &)> keep)
        : m_inner(std::move(inner)), m_keep(std::move(keep))
    {
    }
    bool next() override
    {
        while (m_inner->next()) {
            if (m_keep(*m_inner->record()))
                return true;
        }
        return false;
    }
    const Record *record() const override { return m_inner->record(); }
    const Status &error() const override { return m_inner->error(); }
    std::string_view rawValue() const override { return m_inner->rawValue(); }
    bool rawIsCanonicalJson() const override { return m_inner->rawIsCanonicalJson(); }

private:
    RecordIteratorPtr m_inner;
    std::function<bool(const Record &)> m_keep;
};

// The selected rows of a table that the table has not all cached: walks the scope as the
// table counts its rows (every row without a condition, else the decodable rows that meet
// it) and yields those in the ranges, in constant memory. A selected row that does not
// decode cannot be exported: the walk ends with its error.
class SelectionIterator final : public RecordIterator
{
public:
    SelectionIterator(Store &store, const Scope &scope, std::shared_ptr<const RecordPredicate> predicate,
                      std::vector<std::pair<quint64, quint64>> ranges, std::stop_token stop)
        : m_cursor(store, scope, 0, stop), m_predicate(std::move(predicate)), m_ranges(std::move(ranges)),
          m_stop(std::move(stop))
    {
    }
    bool next() override
    {
        m_current = nullptr;
        while (m_range < m_ranges.size() && m_cursor.next(m_row)) {
            if (m_predicate && (m_row.isError() || !(*m_predicate)(m_row.record)))
                continue;
            const quint64 row = m_rowNumber++;
            while (m_range < m_ranges.size() && row > m_ranges[m_range].second)
                ++m_range;
            if (m_range == m_ranges.size() || row < m_ranges[m_range].first)
                continue;
            if (m_row.isError()) {
                m_error = Status::error(ErrorCode::DecodeError, "selected row " + std::to_string(row + 1)
                                                                    + " cannot be exported: " + m_row.error.toStdString());
                return false;
            }
            m_current = &m_row.record;
            return true;
        }
        if (m_error.ok())
            m_error = m_stop.stop_requested() ? Status::cancelled() : m_cursor.error();
        return false;
    }
    const Record *record() const override { return m_current; }
    const Status &error() const override { return m_error; }

private:
    ResilientCursor m_cursor;
    std::shared_ptr<const RecordPredicate> m_predicate;
    std::vector<std::pair<quint64, quint64>> m_ranges;
    std::stop_token m_stop;
    RecordRow m_row;
    const Record *m_current = nullptr;
    quint64 m_rowNumber = 0;
    std::size_t m_range = 0;
    Status m_error;
};

// Everything the worker needs, copied off the dialog.
struct ExportPlan
{
    ExportDialog::What what = ExportDialog::What::AllEvents;
    Scope scope;
    std::shared_ptr<const RecordPredicate> predicate;
    std::shared_ptr<const RecordFilter> search;
    std::vector<std::pair<quint64, quint64>> ranges;
    std::vector<Record> cached; // the selection, when the table had every row of it
    bool useCached = false;
    StreamFormat format = StreamFormat::Ndjson;
    QString path;
};

Result<ExportSummary> runExport(Store &store, ExportPlan plan, std::stop_token stop,
                                const TransferProgressCallback &progress)
{
    using What = ExportDialog::What;
    RecordIteratorPtr records;
    switch (plan.what) {
    case What::AllEvents:
        records = store.events(0, stop);
        break;
    case What::AggregateTypes:
        records = store.eventsByAggregateTypes(0, plan.scope.aggregateTypes, stop);
        break;
    case What::Stream:
        records = store.eventsByStream(0, plan.scope.stream, stop);
        break;
    case What::Table:
    case What::Search: {
        auto predicate = plan.predicate;
        auto search = plan.what == What::Search ? plan.search : nullptr;
        records = scopeEvents(store, plan.scope, 0, stop);
        if (predicate || search) {
            records = std::make_unique<FilteredIterator>(std::move(records), [predicate, search](const Record &r) {
                return (!predicate || (*predicate)(r)) && (!search || search->matches(r));
            });
        }
        break;
    }
    case What::Selection:
        if (plan.useCached)
            records = makeVectorIterator(std::move(plan.cached));
        else
            records = std::make_unique<SelectionIterator>(store, plan.scope, plan.predicate, std::move(plan.ranges), stop);
        break;
    }
    auto exported = exportToFile(*records, plan.path, plan.format, stop, progress);
    if (!exported.ok() && exported.status().code() == ErrorCode::StreamNotFound)
        return Status::error(ErrorCode::StreamNotFound, "stream " + plan.scope.stream + " holds no records");
    return exported;
}

} // namespace

ExportSources ExportSources::collect(const DatabaseTreeModel *tree, const RecordPage *page)
{
    ExportSources sources;
    if (tree) {
        sources.totalEvents = tree->totalEvents();
        const QModelIndex all = tree->allEventsIndex();
        for (int row = 0; row < tree->rowCount(); ++row) {
            const QModelIndex index = tree->index(row, 0);
            if (index == all)
                continue;
            sources.aggregateTypes.emplace_back(index.data(DatabaseTreeModel::NameRole).toString(),
                                                index.data(DatabaseTreeModel::CountRole).toULongLong());
        }
        std::sort(sources.aggregateTypes.begin(), sources.aggregateTypes.end());
    }
    if (!page)
        return sources;
    const RecordTableModel *model = page->model();
    sources.tableScope = model->scope();
    sources.tableTitle = page->title();
    sources.tablePredicate = model->rowPredicate();
    sources.tableRows = model->totalRows();
    if (auto filter = page->searchFilter(); filter && !filter->isEmpty()) {
        sources.search = std::move(filter);
        sources.searchMatches = page->matchCount();
    }
    // Ranges of the selection, from the view's ranges (never one index per row: a table
    // of millions can be all selected).
    if (const QItemSelectionModel *selection = page->view()->selectionModel()) {
        std::vector<std::pair<quint64, quint64>> ranges;
        for (const QItemSelectionRange &range : selection->selection()) {
            const quint64 a = model->oldestRowOf(range.top());
            const quint64 b = model->oldestRowOf(range.bottom());
            ranges.emplace_back(std::min(a, b), std::max(a, b));
        }
        std::sort(ranges.begin(), ranges.end());
        for (const auto &range : ranges) {
            if (!sources.selectedRanges.empty() && range.first <= sources.selectedRanges.back().second + 1)
                sources.selectedRanges.back().second = std::max(sources.selectedRanges.back().second, range.second);
            else
                sources.selectedRanges.push_back(range);
        }
        for (const auto &[first, last] : sources.selectedRanges)
            sources.selectedCount += last - first + 1;
        // The cached rows, if the selection is small enough to be cached at all.
        if (sources.selectedCount <= quint64(RecordTableModel::kPageSize) * RecordTableModel::kMaxCachedPages) {
            for (const auto &[first, last] : sources.selectedRanges) {
                for (quint64 row = first; row <= last; ++row) {
                    const RecordRow *cached = model->rowAt(model->viewRowOf(row));
                    if (!cached)
                        break;
                    sources.selectedCached.push_back(*cached);
                }
            }
        }
    }
    return sources;
}

ExportDialog::ExportDialog(StoreService *service, ExportSources sources, QWidget *parent)
    : QDialog(parent), m_service(service), m_sources(std::move(sources))
{
    setWindowTitle(tr("Export Events"));
    buildUi();
    // The table's scope when it shows one, else everything.
    switch (m_sources.tableScope.kind) {
    case Scope::Kind::AllEvents:
        choose(m_sources.tablePredicate ? What::Table : What::AllEvents);
        break;
    case Scope::Kind::AggregateTypes:
        choose(m_sources.tablePredicate ? What::Table : What::AggregateTypes, m_sources.tableScope);
        break;
    case Scope::Kind::Stream:
        choose(m_sources.tablePredicate ? What::Table : What::Stream, m_sources.tableScope);
        break;
    }
}

ExportDialog::~ExportDialog()
{
    m_job.cancel();
}

void ExportDialog::buildUi()
{
    const QLocale locale;
    auto *layout = new QVBoxLayout(this);

    auto *group = new QGroupBox(tr("Events to export"), this);
    auto *whatBox = new QGridLayout(group);
    whatBox->setColumnStretch(1, 1);
    m_whatGroup = new QButtonGroup(this);
    int row = 0;
    auto addChoice = [&](What what, const QString &text, QWidget *extra = nullptr) {
        auto *button = new QRadioButton(text, this);
        button->setObjectName(QStringLiteral("what%1").arg(int(what)));
        m_whatGroup->addButton(button, int(what));
        // Choices without a field of their own take the whole width.
        whatBox->addWidget(button, row, 0, 1, extra ? 1 : 2, Qt::AlignTop);
        if (extra)
            whatBox->addWidget(extra, row, 1);
        ++row;
        return button;
    };
    addChoice(What::AllEvents, tr("All events (%1)").arg(locale.toString(m_sources.totalEvents)));

    m_types = new QListWidget(this);
    m_types->setObjectName(QStringLiteral("exportTypes"));
    for (const auto &[name, count] : m_sources.aggregateTypes) {
        auto *item = new QListWidgetItem(tr("%1 (%2)").arg(name, locale.toString(count)), m_types);
        item->setData(Qt::UserRole, name);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Unchecked);
    }
    const int itemHeight = std::max(m_types->sizeHintForRow(0), fontMetrics().height());
    m_types->setFixedHeight(std::clamp(m_types->count(), 2, 6) * itemHeight + 2 * m_types->frameWidth() + 2);
    addChoice(What::AggregateTypes, tr("Aggregate types:"), m_types);
    connect(m_types, &QListWidget::itemChanged, this, [this] {
        m_whatGroup->button(int(What::AggregateTypes))->setChecked(true);
        updateState();
    });

    m_stream = new QLineEdit(this);
    m_stream->setObjectName(QStringLiteral("exportStream"));
    m_stream->setPlaceholderText(tr("aggregateType!aggregateID"));
    addChoice(What::Stream, tr("Stream:"), m_stream);
    connect(m_stream, &QLineEdit::textEdited, this, [this] {
        m_whatGroup->button(int(What::Stream))->setChecked(true);
        updateState();
    });

    QString table = tr("The table's rows: %1").arg(m_sources.tableTitle);
    if (m_sources.tablePredicate)
        table += tr(", as filtered");
    addChoice(What::Table, tr("%1 (%2 rows)").arg(table, locale.toString(m_sources.tableRows)));
    auto *search = addChoice(What::Search, m_sources.search
                                               ? tr("Search matches: “%1” in %2 (%3)")
                                                     .arg(QString::fromStdString(m_sources.search->query()),
                                                          m_sources.tableTitle, locale.toString(m_sources.searchMatches))
                                               : tr("Search matches (no search)"));
    search->setEnabled(m_sources.search != nullptr);
    auto *selected = addChoice(What::Selection, tr("Selected rows (%1)").arg(locale.toString(m_sources.selectedCount)));
    selected->setEnabled(m_sources.selectedCount > 0);
    connect(m_whatGroup, &QButtonGroup::idToggled, this, [this](int, bool checked) {
        if (checked)
            updateState();
    });
    layout->addWidget(group);

    auto *form = new QFormLayout;
    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("exportFormat"));
    m_format->addItem(tr("NDJSON (one record per line)"), int(StreamFormat::Ndjson));
    m_format->addItem(tr("JSON array"), int(StreamFormat::JsonArray));
    m_format->addItem(tr("msgpack (rangedb's binary stream)"), int(StreamFormat::Msgpack));
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::onFormatChanged);
    form->addRow(tr("Format:"), m_format);
    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("exportPath"));
    m_path->setMinimumWidth(420);
    connect(m_path, &QLineEdit::textEdited, this, [this] {
        m_pathEdited = true;
        updateState();
    });
    m_browse = new QPushButton(tr("Browse…"), this);
    connect(m_browse, &QPushButton::clicked, this, &ExportDialog::browse);
    auto *fileRow = new QHBoxLayout;
    fileRow->addWidget(m_path, 1);
    fileRow->addWidget(m_browse);
    form->addRow(tr("File:"), fileRow);
    layout->addLayout(form);

    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("exportNote"));
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("color: palette(mid)"));
    layout->addWidget(m_note);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("exportError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(QStringLiteral("color: #c02020"));
    m_error->hide();
    layout->addWidget(m_error);
    m_progress = new TransferProgressPanel(this);
    connect(m_progress, &TransferProgressPanel::cancelRequested, this, &ExportDialog::cancelExport);
    layout->addWidget(m_progress);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_exportButton = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &ExportDialog::startExport);
    connect(buttons, &QDialogButtonBox::rejected, this, &ExportDialog::reject);
    layout->addStretch(1);
    layout->addWidget(buttons);

    const QString folder = QSettings().value(QStringLiteral("export/lastDirectory"), QDir::homePath()).toString();
    m_path->setText(QDir(folder).filePath(QStringLiteral("events.ndjson")));
}

void ExportDialog::choose(What what, const Scope &scope)
{
    if (scope.kind == Scope::Kind::AggregateTypes) {
        const QSignalBlocker blocker(m_types);
        for (int i = 0; i < m_types->count(); ++i) {
            QListWidgetItem *item = m_types->item(i);
            const std::string name = item->data(Qt::UserRole).toString().toStdString();
            const bool wanted =
                std::find(scope.aggregateTypes.begin(), scope.aggregateTypes.end(), name) != scope.aggregateTypes.end();
            item->setCheckState(wanted ? Qt::Checked : Qt::Unchecked);
        }
    } else if (scope.kind == Scope::Kind::Stream) {
        m_stream->setText(QString::fromStdString(scope.stream));
    }
    if (QAbstractButton *button = m_whatGroup->button(int(what)); button && button->isEnabled())
        button->setChecked(true);
    updateState();
}

ExportDialog::What ExportDialog::chosen() const
{
    return What(std::max(0, m_whatGroup->checkedId()));
}

bool ExportDialog::isAvailable(What what) const
{
    QAbstractButton *button = m_whatGroup->button(int(what));
    return button && button->isEnabled();
}

void ExportDialog::setFormat(StreamFormat format)
{
    m_format->setCurrentIndex(m_format->findData(int(format)));
}

StreamFormat ExportDialog::format() const
{
    return StreamFormat(m_format->currentData().toInt());
}

void ExportDialog::setPath(const QString &path)
{
    m_path->setText(path);
    m_pathEdited = true;
    updateState();
}

QString ExportDialog::path() const
{
    return m_path->text().trimmed();
}

QString ExportDialog::errorText() const
{
    return m_error->isVisibleTo(this) ? m_error->text() : QString();
}

void ExportDialog::setError(const QString &text)
{
    m_error->setText(text);
    m_error->setVisible(!text.isEmpty());
}

QString ExportDialog::suggestedName() const
{
    QString base;
    switch (chosen()) {
    case What::AllEvents:
        base = QStringLiteral("all-events");
        break;
    case What::AggregateTypes: {
        QStringList names;
        for (int i = 0; i < m_types->count(); ++i) {
            if (m_types->item(i)->checkState() == Qt::Checked)
                names << m_types->item(i)->data(Qt::UserRole).toString();
        }
        base = names.isEmpty() ? QStringLiteral("events") : names.join(QLatin1Char('+'));
        break;
    }
    case What::Stream:
        base = QStringLiteral("stream-") + QString(m_stream->text().trimmed()).replace(QLatin1Char('!'), QLatin1Char('_'));
        break;
    case What::Table:
        base = QStringLiteral("table");
        break;
    case What::Search:
        base = QStringLiteral("search-matches");
        break;
    case What::Selection:
        base = QStringLiteral("selected-events");
        break;
    }
    // Nothing a file system refuses.
    for (QChar &c : base) {
        if (c == QLatin1Char('/') || c == QLatin1Char('\\') || c == QLatin1Char(':') || c.category() == QChar::Other_Control)
            c = QLatin1Char('_');
    }
    return base + QLatin1Char('.') + suffixOf(format());
}

void ExportDialog::onFormatChanged()
{
    // Keep the file name's suffix in step with the format, unless it is a name of the
    // user's own with some other suffix.
    const QFileInfo info(path());
    const QString suffix = info.suffix();
    if (suffix == QLatin1String("json") || suffix == QLatin1String("ndjson") || suffix == QLatin1String("msgpack")
        || suffix.isEmpty()) {
        const QString base = suffix.isEmpty() ? info.fileName() : info.completeBaseName();
        m_path->setText(QDir(info.path()).filePath(base + QLatin1Char('.') + suffixOf(format())));
    }
    updateState();
}

void ExportDialog::updateState()
{
    if (!m_pathEdited && !path().isEmpty())
        m_path->setText(QDir(QFileInfo(path()).path()).filePath(suggestedName()));
    QString note;
    const QFileInfo target(path());
    if (target.exists())
        note = tr("%1 exists; it is replaced only when the export has succeeded.").arg(target.fileName());
    else
        note = tr("The file appears only when the export has succeeded: a cancelled or failed export leaves none.");
    if (format() == StreamFormat::Msgpack)
        note += QLatin1Char(' ') + tr("msgpack is rangedb's own layout (two maps per record); rangedb reads it back.");
    m_note->setText(note);
    m_exportButton->setEnabled(!isRunning());
}

quint64 ExportDialog::expectedRecords() const
{
    switch (chosen()) {
    case What::AllEvents:
        return m_sources.totalEvents;
    case What::AggregateTypes: {
        quint64 total = 0;
        for (int i = 0; i < m_types->count(); ++i) {
            if (m_types->item(i)->checkState() == Qt::Checked)
                total += m_sources.aggregateTypes[std::size_t(i)].second;
        }
        return total;
    }
    case What::Stream:
        return m_sources.tableScope == Scope::ofStream(m_stream->text().trimmed().toStdString()) && !m_sources.tablePredicate
                   ? m_sources.tableRows
                   : 0;
    case What::Table:
        return m_sources.tableRows;
    case What::Search:
        return m_sources.searchMatches;
    case What::Selection:
        return m_sources.selectedCount;
    }
    return 0;
}

void ExportDialog::browse()
{
    const QString filter = tr("Record streams (*.ndjson *.json *.msgpack);;All files (*)");
    const QString chosenPath = QFileDialog::getSaveFileName(this, tr("Export To"), path(), filter, nullptr,
                                                            QFileDialog::DontConfirmOverwrite);
    if (!chosenPath.isEmpty())
        setPath(chosenPath);
}

bool ExportDialog::startExport()
{
    if (isRunning())
        return false;
    setError({});
    ExportPlan plan;
    plan.what = chosen();
    plan.format = format();
    plan.path = path();
    switch (plan.what) {
    case What::AllEvents:
        plan.scope = Scope::allEvents();
        break;
    case What::AggregateTypes: {
        std::vector<std::string> types;
        for (int i = 0; i < m_types->count(); ++i) {
            if (m_types->item(i)->checkState() == Qt::Checked)
                types.push_back(m_types->item(i)->data(Qt::UserRole).toString().toStdString());
        }
        if (types.empty()) {
            setError(tr("Tick at least one aggregate type."));
            return false;
        }
        plan.scope = Scope::ofAggregateTypes(std::move(types));
        break;
    }
    case What::Stream: {
        const QString stream = m_stream->text().trimmed();
        if (!parseStreamName(stream.toStdString()).ok()) {
            setError(tr("Name a stream as aggregateType!aggregateID, e.g. account!acct-0001."));
            return false;
        }
        plan.scope = Scope::ofStream(stream.toStdString());
        break;
    }
    case What::Table:
    case What::Search:
        plan.scope = m_sources.tableScope;
        plan.predicate = m_sources.tablePredicate;
        plan.search = m_sources.search;
        if (plan.what == What::Search && !plan.search) {
            setError(tr("The table has no search to export the matches of."));
            return false;
        }
        break;
    case What::Selection:
        if (m_sources.selectedCount == 0) {
            setError(tr("Select rows in the table first."));
            return false;
        }
        plan.scope = m_sources.tableScope;
        plan.predicate = m_sources.tablePredicate;
        plan.ranges = m_sources.selectedRanges;
        plan.useCached = m_sources.selectedCached.size() == m_sources.selectedCount;
        if (plan.useCached) {
            for (const RecordRow &row : m_sources.selectedCached) {
                if (row.isError()) {
                    setError(tr("A selected row cannot be exported: %1").arg(row.error));
                    return false;
                }
                plan.cached.push_back(row.record);
            }
        }
        break;
    }
    if (plan.path.isEmpty()) {
        setError(tr("Choose the file to export to."));
        return false;
    }
    const QFileInfo target(plan.path);
    if (target.isDir()) {
        setError(tr("%1 is a folder; choose a file name.").arg(plan.path));
        return false;
    }
    if (!target.dir().exists()) {
        setError(tr("The folder %1 does not exist.").arg(target.dir().path()));
        return false;
    }
    QSettings().setValue(QStringLiteral("export/lastDirectory"), target.absolutePath());

    const QString path = plan.path;
    m_userStop = std::make_shared<std::stop_source>();
    m_job = m_service->runWithProgress<TransferProgress>(
        this,
        [plan = std::move(plan), userStop = m_userStop](Store &store, std::stop_token stop, const auto &report) mutable {
            // Either the service (closing the database) or Cancel stops it.
            std::stop_source either;
            std::stop_callback onService(stop, [&either] { either.request_stop(); });
            std::stop_callback onCancel(userStop->get_token(), [&either] { either.request_stop(); });
            return runExport(store, std::move(plan), either.get_token(),
                             [&report](const TransferProgress &p) { report(p); });
        },
        [this](const TransferProgress &progress) { m_progress->setProgress(progress); },
        [this, path](Result<ExportSummary> result) {
            m_job = {};
            m_progress->stop();
            m_progress->hide();
            for (QWidget *widget : findChildren<QWidget *>(QString(), Qt::FindDirectChildrenOnly)) {
                if (widget != m_progress)
                    widget->setEnabled(true);
            }
            updateState();
            if (result.ok()) {
                Q_EMIT exportFinished(path, result->records, result->bytes);
                accept();
                return;
            }
            const Status &status = result.status();
            const QFileInfo info(path);
            const QString untouched = info.exists() ? tr("%1 was left as it was.").arg(path)
                                                    : tr("No file was written.");
            if (status.code() == ErrorCode::Cancelled)
                setError(tr("Export cancelled. %1").arg(untouched));
            else
                setError(tr("The export failed: %1\n%2").arg(StoreService::describe(status), untouched));
            Q_EMIT exportFailed(path, status);
        });
    if (!m_job.isActive()) {
        setError(tr("No database is open."));
        return false;
    }
    for (QWidget *widget : findChildren<QWidget *>(QString(), Qt::FindDirectChildrenOnly)) {
        if (widget != m_progress && widget != m_error)
            widget->setEnabled(false);
    }
    m_progress->start(TransferProgressPanel::Kind::Export, expectedRecords());
    return true;
}

void ExportDialog::cancelExport()
{
    // Not the request itself: its result (Cancelled) still arrives, once exportToFile has
    // dropped its temporary file, and says what became of the file.
    if (m_job.isActive() && m_userStop)
        m_userStop->request_stop();
}

void ExportDialog::reject()
{
    // Closing while it runs drops the request: the worker stops at its next check and
    // leaves no file, or the previous one as it was.
    m_job.cancel();
    QDialog::reject();
}

} // namespace rangedb::ui
