#include "recordpage.h"

#include "resilientcursor.h"

#include <QAction>
#include <QCheckBox>
#include <QCompleter>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFontMetrics>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QStringListModel>
#include <QTableView>
#include <QTimeZone>
#include <QToolButton>
#include <QVBoxLayout>

namespace rangedb::ui {

namespace {

constexpr std::size_t kMaxStoredMatches = 1'000'000;

// Completes the last item of a comma-separated list ("A, Bx" completes "Bx").
class ListCompleter final : public QCompleter
{
public:
    using QCompleter::QCompleter;

    QStringList splitPath(const QString &path) const override
    {
        return {path.section(QLatin1Char(','), -1).trimmed()};
    }
    QString pathFromIndex(const QModelIndex &index) const override
    {
        const QString text = widget() ? static_cast<QLineEdit *>(widget())->text() : QString();
        const qsizetype comma = text.lastIndexOf(QLatin1Char(','));
        const QString head = comma < 0 ? QString() : text.left(comma + 1) + QLatin1Char(' ');
        return head + QCompleter::pathFromIndex(index);
    }
};

constexpr int kMaxKnownEventTypes = 2000;

struct SearchProgress
{
    quint64 scanned = 0;
    quint64 matches = 0;
};

struct SearchResult
{
    std::vector<quint64> rows;
    quint64 matches = 0;
    Status error;
};

} // namespace

RecordPage::RecordPage(StoreService *service, QWidget *parent)
    : QWidget(parent), m_service(service), m_model(new RecordTableModel(service, this))
{
    buildUi();
    connect(m_model, &RecordTableModel::countProgress, this, &RecordPage::updateCountLabel);
    connect(m_model, &QAbstractItemModel::modelReset, this, &RecordPage::updateCountLabel);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &RecordPage::updateCountLabel);
    connect(m_model, &RecordTableModel::loadFailed, this, &RecordPage::loadFailed);
    connect(m_model, &RecordTableModel::located, this, [this](int row) {
        selectRow(row);
        if (const quint64 extra = std::exchange(m_selectExtra, 0); extra > 0 && row < m_model->rowCount()) {
            // The rows after it in global order: below it, or above it when the newest come first.
            const int other = m_model->isNewestFirst() ? std::max(0, row - int(extra))
                                                       : std::min(m_model->rowCount() - 1, row + int(extra));
            const QItemSelection range(m_model->index(std::min(row, other), 0),
                                       m_model->index(std::max(row, other), RecordTableModel::ColumnCount - 1));
            m_view->selectionModel()->select(range, QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
    });
    connect(m_model, &RecordTableModel::locateFailed, this, [this] { m_selectExtra = 0; });
    connect(m_model, &RecordTableModel::locateFailed, this, &RecordPage::statusMessage);
    // The selected row's page may arrive after the selection: tell the inspector then.
    connect(m_model, &RecordTableModel::pageLoaded, this, [this](int first, int last) {
        learnEventTypes(first, last);
        // A new scope starts with its first row selected, so the keys and the inspector work at once.
        if (!m_view->currentIndex().isValid() && first == 0 && m_model->rowCount() > 0) {
            m_view->selectionModel()->setCurrentIndex(m_model->index(0, 0), QItemSelectionModel::ClearAndSelect
                                                                                  | QItemSelectionModel::Rows);
            return;
        }
        const int row = m_view->currentIndex().row();
        if (row >= first && row <= last)
            onCurrentChanged();
    });
}

RecordPage::~RecordPage()
{
    m_search.cancel();
}

void RecordPage::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);

    // Header: what is shown and how many rows.
    auto *header = new QHBoxLayout;
    header->setContentsMargins(6, 4, 6, 0);
    m_titleLabel = new QLabel(this);
    QFont titleFont = m_titleLabel->font();
    titleFont.setBold(true);
    m_titleLabel->setFont(titleFont);
    m_titleLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("countLabel"));
    m_eventTypes = new QLineEdit(this);
    m_eventTypes->setObjectName(QStringLiteral("eventTypeFilter"));
    m_eventTypes->setPlaceholderText(tr("Event types (comma separated)"));
    m_eventTypes->setClearButtonEnabled(true);
    m_eventTypes->setToolTip(tr("Show only these event types; empty shows all"));
    m_eventTypes->setMaximumWidth(320);
    // Completion from the event types of the rows seen so far.
    m_knownEventTypes = new QStringListModel(this);
    auto *completer = new ListCompleter(m_knownEventTypes, this);
    completer->setCaseSensitivity(Qt::CaseInsensitive);
    completer->setModelSorting(QCompleter::CaseInsensitivelySortedModel);
    m_eventTypes->setCompleter(completer);
    connect(m_eventTypes, &QLineEdit::editingFinished, this, [this] {
        QStringList types;
        for (const QString &part : m_eventTypes->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            if (!part.trimmed().isEmpty())
                types.append(part.trimmed());
        }
        m_model->setEventTypes(types);
    });
    header->addWidget(m_titleLabel);
    header->addSpacing(12);
    header->addWidget(m_countLabel, 1);
    header->addWidget(m_eventTypes);
    layout->addLayout(header);

    // Search bar.
    auto *search = new QHBoxLayout;
    search->setContentsMargins(6, 0, 6, 0);
    m_searchEdit = new QLineEdit(this);
    m_searchEdit->setObjectName(QStringLiteral("searchEdit"));
    m_searchEdit->setPlaceholderText(tr("Search: text, or a condition such as  amount > 100  or  user.id = 7  (Ctrl+F)"));
    m_searchEdit->setClearButtonEnabled(true);
    connect(m_searchEdit, &QLineEdit::returnPressed, this, [this] {
        QString error;
        if (m_searchEdit->text().trimmed().isEmpty()) {
            cancelSearch();
            m_matches.clear();
            m_matchCount = 0;
            m_searchStatus->clear();
            setOnlyMatches(false);
            return;
        }
        if (!startSearch(m_searchEdit->text(), &error))
            m_searchStatus->setText(error);
    });
    auto *previous = new QToolButton(this);
    previous->setText(tr("Previous"));
    previous->setToolTip(tr("Previous match (Shift+F3)"));
    connect(previous, &QToolButton::clicked, this, &RecordPage::findPrevious);
    auto *next = new QToolButton(this);
    next->setText(tr("Next"));
    next->setToolTip(tr("Next match (F3)"));
    connect(next, &QToolButton::clicked, this, &RecordPage::findNext);
    m_onlyMatches = new QCheckBox(tr("Only matches"), this);
    m_onlyMatches->setToolTip(tr("Show only the rows that match the search"));
    connect(m_onlyMatches, &QCheckBox::toggled, this, &RecordPage::setOnlyMatches);
    m_searchProgress = new QProgressBar(this);
    m_searchProgress->setMaximumWidth(140);
    m_searchProgress->setTextVisible(false);
    m_searchProgress->hide();
    m_searchCancel = new QToolButton(this);
    m_searchCancel->setText(tr("Cancel"));
    m_searchCancel->hide();
    connect(m_searchCancel, &QToolButton::clicked, this, &RecordPage::cancelSearch);
    m_searchStatus = new QLabel(this);
    m_searchStatus->setObjectName(QStringLiteral("searchStatus"));
    m_searchStatus->setMinimumWidth(QFontMetrics(font()).horizontalAdvance(QStringLiteral("0,000,000 matches of 00,000,000")));
    search->addWidget(m_searchEdit, 1);
    search->addWidget(previous);
    search->addWidget(next);
    search->addWidget(m_onlyMatches);
    search->addWidget(m_searchProgress);
    search->addWidget(m_searchCancel);
    search->addWidget(m_searchStatus);
    layout->addLayout(search);

    // The table.
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("recordTable"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->setShowGrid(false);
    m_view->setSortingEnabled(false);
    m_view->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_view->verticalHeader()->hide();
    // Fixed row heights: the view never asks every row for its size.
    const int rowHeight = QFontMetrics(font()).height() + 6;
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(rowHeight);
    auto *columns = m_view->horizontalHeader();
    columns->setHighlightSections(false);
    columns->setStretchLastSection(true);
    columns->setSectionResizeMode(QHeaderView::Interactive);
    const QFontMetrics metrics(font());
    const auto width = [&](const char *sample) { return metrics.horizontalAdvance(QLatin1String(sample)) + 24; };
    m_view->setColumnWidth(RecordTableModel::GlobalSequence, width("Global #99"));
    m_view->setColumnWidth(RecordTableModel::StreamSequence, width("Stream #99"));
    m_view->setColumnWidth(RecordTableModel::Time, width("2026-11-30 23:59:59"));
    m_view->setColumnWidth(RecordTableModel::AggregateType, width("aggregate type"));
    m_view->setColumnWidth(RecordTableModel::AggregateId, width("acct-0001.eu-xxxxxxx"));
    m_view->setColumnWidth(RecordTableModel::EventType, width("AccountWasOpened.."));
    m_view->setColumnWidth(RecordTableModel::EventId, width("0123456789abcdef01"));
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &RecordPage::onCurrentChanged);
    layout->addWidget(m_view, 1);

    m_goTo = new QAction(tr("&Go To…"), this);
    m_goTo->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_G));
    m_goTo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_goTo->setToolTip(tr("Go to a global sequence number or a time (Ctrl+G)"));
    connect(m_goTo, &QAction::triggered, this, &RecordPage::showGoTo);
    addAction(m_goTo);

    m_find = new QAction(tr("&Find…"), this);
    m_find->setShortcut(QKeySequence::Find);
    m_find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_find, &QAction::triggered, this, [this] {
        m_searchEdit->setFocus();
        m_searchEdit->selectAll();
    });
    addAction(m_find);
    auto *findNextAction = new QAction(tr("Find Next"), this);
    findNextAction->setShortcut(QKeySequence::FindNext);
    findNextAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(findNextAction, &QAction::triggered, this, &RecordPage::findNext);
    addAction(findNextAction);
    auto *findPreviousAction = new QAction(tr("Find Previous"), this);
    findPreviousAction->setShortcut(QKeySequence::FindPrevious);
    findPreviousAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(findPreviousAction, &QAction::triggered, this, &RecordPage::findPrevious);
    addAction(findPreviousAction);

    m_appendLike = new QAction(tr("Append &Like This…"), this);
    m_appendLike->setToolTip(tr("Fill the Append dock with this record's stream, event type, data and metadata"));
    connect(m_appendLike, &QAction::triggered, this, [this] {
        if (const RecordRow *row = currentRow(); row && !row->isError())
            Q_EMIT appendLikeRequested(row->record);
    });
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_view->addAction(m_appendLike);
}

void RecordPage::selectGlobalRange(quint64 first, quint64 last)
{
    m_selectExtra = last > first ? last - first : 0;
    m_model->locateGlobalSequence(first);
}

void RecordPage::setScope(const Scope &scope, const QString &title)
{
    cancelSearch();
    m_matches.clear();
    m_matchCount = 0;
    m_searchStatus->clear();
    if (m_onlyMatches->isChecked()) {
        m_onlyMatches->blockSignals(true);
        m_onlyMatches->setChecked(false);
        m_onlyMatches->blockSignals(false);
        m_model->setPredicate(nullptr);
    }
    m_title = title;
    m_titleLabel->setText(title);
    m_model->setScope(scope);
    updateCountLabel();
}

void RecordPage::learnEventTypes(int first, int last)
{
    bool added = false;
    for (int row = first; row <= last && m_seenEventTypes.size() < kMaxKnownEventTypes; ++row) {
        const RecordRow *loaded = m_model->rowAt(row);
        if (loaded && !loaded->isError() && !loaded->record.eventType.empty())
            added |= m_seenEventTypes.insert(QString::fromStdString(loaded->record.eventType)).second;
    }
    if (added) {
        QStringList types(m_seenEventTypes.begin(), m_seenEventTypes.end());
        types.sort(Qt::CaseInsensitive);
        m_knownEventTypes->setStringList(types);
    }
}

QStringList RecordPage::knownEventTypes() const
{
    return m_knownEventTypes->stringList();
}

void RecordPage::setUtc(bool utc)
{
    m_model->setUtc(utc);
}

void RecordPage::setNewestFirst(bool newestFirst)
{
    m_model->setNewestFirst(newestFirst);
}

void RecordPage::updateCountLabel()
{
    const QLocale locale;
    QString text = locale.toString(m_model->totalRows()) + (m_model->totalRows() == 1 ? tr(" row") : tr(" rows"));
    if (m_model->isCounting())
        text += tr(" (counting…)");
    m_countLabel->setText(text);
    // A row asked for before it was counted.
    if (m_pendingSelect >= 0 && m_pendingSelect < m_model->rowCount()) {
        const int row = std::exchange(m_pendingSelect, -1);
        selectRow(row);
    }
}

void RecordPage::selectRow(int viewRow)
{
    if (viewRow < 0)
        return;
    if (viewRow >= m_model->rowCount()) {
        m_pendingSelect = viewRow;
        return;
    }
    const QModelIndex index = m_model->index(viewRow, 0);
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index, QAbstractItemView::PositionAtCenter);
}

const RecordRow *RecordPage::currentRow() const
{
    const QModelIndex current = m_view->currentIndex();
    return current.isValid() ? m_model->rowAt(current.row()) : nullptr;
}

void RecordPage::onCurrentChanged()
{
    Q_EMIT currentRecordChanged(currentRow());
}

void RecordPage::showGoTo()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Go To"));
    auto *form = new QFormLayout(&dialog);
    auto *edit = new QLineEdit(&dialog);
    edit->setPlaceholderText(tr("12345  or  2026-11-30 14:05:00"));
    edit->setMinimumWidth(320);
    auto *hint = new QLabel(tr("A global sequence number, or a time (%1). Goes to the first row at or after it.")
                                .arg(m_model->isUtc() ? tr("UTC") : tr("local time")),
                            &dialog);
    hint->setWordWrap(true);
    auto *error = new QLabel(&dialog);
    error->setStyleSheet(QStringLiteral("color: #c02020"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    form->addRow(tr("Go to:"), edit);
    form->addRow(hint);
    form->addRow(error);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    quint64 number = 0;
    bool byTime = false;
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        const QString text = edit->text().trimmed();
        bool ok = false;
        number = text.toULongLong(&ok);
        if (ok) {
            byTime = false;
            dialog.accept();
            return;
        }
        const QTimeZone zone = m_model->isUtc() ? QTimeZone::utc() : QTimeZone::systemTimeZone();
        for (const QString &format : {QStringLiteral("yyyy-MM-dd HH:mm:ss"), QStringLiteral("yyyy-MM-dd HH:mm"),
                                      QStringLiteral("yyyy-MM-ddTHH:mm:ss"), QStringLiteral("yyyy-MM-dd")}) {
            QDateTime time = QDateTime::fromString(text, format);
            if (time.isValid()) {
                time.setTimeZone(zone);
                number = quint64(std::max<qint64>(0, time.toSecsSinceEpoch()));
                byTime = true;
                dialog.accept();
                return;
            }
        }
        error->setText(tr("\"%1\" is neither a number nor a time like 2026-11-30 14:05:00.").arg(text));
    });
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (byTime)
        m_model->locateTime(number);
    else
        m_model->locateGlobalSequence(number);
}

bool RecordPage::startSearch(const QString &query, QString *error)
{
    auto parsed = RecordFilter::parse(query.toStdString());
    if (!parsed.ok()) {
        if (error)
            *error = QString::fromStdString(parsed.status().message());
        return false;
    }
    cancelSearch();
    m_filter = std::make_shared<const RecordFilter>(std::move(parsed).value());
    m_matches.clear();
    m_matchCount = 0;
    const quint64 generation = ++m_searchGeneration;
    const Scope scope = m_model->scope();
    auto predicate = m_model->rowPredicate();
    auto filter = m_filter;
    const quint64 total = m_model->totalRows();
    m_searchProgress->setRange(0, 1000);
    m_searchProgress->setValue(0);
    m_searchProgress->show();
    m_searchCancel->show();
    m_searchStatus->setText(tr("Searching…"));
    m_search = m_service->runWithProgress<SearchProgress>(
        this,
        [scope, predicate, filter](Store &store, std::stop_token stop, const auto &report) {
            SearchResult result;
            ResilientCursor cursor(store, scope, 0, stop);
            RecordRow row;
            quint64 rowNumber = 0;
            while (cursor.next(row)) {
                if (row.isError() || (predicate && !(*predicate)(row.record))) {
                    if (row.isError() && !predicate)
                        ++rowNumber; // error rows are rows of an unfiltered table
                    continue;
                }
                if (filter->matches(row.record)) {
                    ++result.matches;
                    if (result.rows.size() < kMaxStoredMatches)
                        result.rows.push_back(rowNumber);
                }
                ++rowNumber;
                if ((rowNumber & 0xfff) == 0) {
                    if (stop.stop_requested())
                        break;
                    report(SearchProgress{rowNumber, result.matches});
                }
            }
            result.error = stop.stop_requested() ? Status::cancelled() : cursor.error();
            return result;
        },
        [this, generation, total](const SearchProgress &progress) {
            if (generation != m_searchGeneration)
                return;
            if (total > 0)
                m_searchProgress->setValue(int(std::min<quint64>(1000, progress.scanned * 1000 / total)));
            m_searchStatus->setText(tr("%1 matches so far").arg(QLocale().toString(progress.matches)));
        },
        [this, generation](SearchResult result) {
            if (generation != m_searchGeneration)
                return;
            m_searchProgress->hide();
            m_searchCancel->hide();
            m_matches = std::move(result.rows);
            m_matchCount = result.matches;
            if (!result.error.ok()) {
                m_searchStatus->setText(tr("Search failed: %1").arg(QString::fromStdString(result.error.message())));
            } else {
                QString text = tr("%1 matches").arg(QLocale().toString(m_matchCount));
                if (m_matchCount > m_matches.size())
                    text += tr(" (stepping through the first %1)").arg(QLocale().toString(quint64(m_matches.size())));
                m_searchStatus->setText(text);
            }
            m_search = {};
            Q_EMIT searchFinished(m_matchCount);
            if (m_onlyMatches->isChecked())
                setOnlyMatches(true);
            else if (!m_matches.empty())
                stepMatch(true, true); // the first match at or after the selection
        });
    return true;
}

void RecordPage::cancelSearch()
{
    if (!m_search.isActive())
        return;
    m_search.cancel();
    m_search = {};
    ++m_searchGeneration;
    m_searchProgress->hide();
    m_searchCancel->hide();
    m_searchStatus->setText(tr("Search cancelled"));
}

void RecordPage::setOnlyMatches(bool only)
{
    if (m_onlyMatches->isChecked() != only) {
        m_onlyMatches->blockSignals(true);
        m_onlyMatches->setChecked(only);
        m_onlyMatches->blockSignals(false);
    }
    if (only && m_filter && !m_filter->isEmpty()) {
        auto filter = m_filter;
        m_model->setPredicate(
            std::make_shared<const RecordPredicate>([filter](const Record &record) { return filter->matches(record); }));
    } else if (m_model->hasPredicate()) {
        m_model->setPredicate(nullptr);
    }
}

void RecordPage::findNext()
{
    stepMatch(true, false);
}

void RecordPage::findPrevious()
{
    stepMatch(false, false);
}

void RecordPage::stepMatch(bool forward, bool includeCurrent)
{
    if (m_model->hasPredicate()) {
        // Only matches are shown: every row is one.
        const int current = m_view->currentIndex().isValid() ? m_view->currentIndex().row() : -1;
        const int rows = m_model->rowCount();
        if (rows > 0)
            selectRow(forward ? (current + 1) % rows : (current <= 0 ? rows - 1 : current - 1));
        return;
    }
    if (m_matches.empty())
        return;
    const QModelIndex currentIndex = m_view->currentIndex();
    // Moving down the view is moving to older rows when the newest come first.
    const bool towardsNewer = forward != m_model->isNewestFirst();
    quint64 target;
    if (!currentIndex.isValid()) {
        target = towardsNewer ? m_matches.front() : m_matches.back();
    } else {
        const quint64 current = m_model->oldestRowOf(currentIndex.row());
        if (towardsNewer) {
            auto it = includeCurrent ? std::lower_bound(m_matches.begin(), m_matches.end(), current)
                                     : std::upper_bound(m_matches.begin(), m_matches.end(), current);
            target = it == m_matches.end() ? m_matches.front() : *it;
        } else {
            auto it = includeCurrent ? std::upper_bound(m_matches.begin(), m_matches.end(), current)
                                     : std::lower_bound(m_matches.begin(), m_matches.end(), current);
            target = it == m_matches.begin() ? m_matches.back() : *(it - 1);
        }
    }
    const auto position = std::lower_bound(m_matches.begin(), m_matches.end(), target) - m_matches.begin();
    m_searchStatus->setText(tr("Match %1 of %2")
                                .arg(QLocale().toString(qint64(position) + 1), QLocale().toString(m_matchCount)));
    selectRow(m_model->viewRowOf(target));
}

} // namespace rangedb::ui
