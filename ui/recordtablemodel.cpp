#include "recordtablemodel.h"

#include "resilientcursor.h"
#include "storeservice.h"

#include <QFont>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QMetaObject>
#include <QPalette>
#include <QTimeZone>

#include <algorithm>
#include <limits>

namespace rangedb::ui {

namespace {

bool matches(const RecordPredicate *predicate, const RecordRow &row)
{
    return !predicate || (!row.isError() && (*predicate)(row.record));
}

// With a predicate the count has to read every record of the scope.
Result<ScopeIndex> filteredIndex(Store &store, const Scope &scope, const RecordPredicate &predicate,
                                 std::uint32_t stride, std::stop_token stop,
                                 const std::function<void(const ScopeIndex &)> &report)
{
    ScopeIndex index;
    index.stride = stride;
    ResilientCursor cursor(store, scope, 0, stop);
    RecordRow row;
    std::uint64_t scanned = 0;
    while (cursor.next(row)) {
        if ((++scanned & 0x3ff) == 0) {
            if (stop.stop_requested())
                return Status::cancelled();
            report(index);
        }
        if (!matches(&predicate, row))
            continue;
        index.add(sequenceOf(scope, row.record));
    }
    if (!cursor.error().ok())
        return cursor.error();
    index.complete = true;
    return index;
}

std::vector<RecordRow> readPage(Store &store, const Scope &scope, const RecordPredicate *predicate,
                                std::uint64_t from, std::size_t count, std::stop_token stop, Status *error)
{
    std::vector<RecordRow> rows;
    rows.reserve(count);
    ResilientCursor cursor(store, scope, from, stop);
    RecordRow row;
    while (rows.size() < count && cursor.next(row)) {
        if (matches(predicate, row))
            rows.push_back(std::move(row));
    }
    *error = cursor.error();
    return rows;
}

struct PageResult
{
    std::vector<RecordRow> rows;
    Status error;
};

} // namespace

RecordTableModel::RecordTableModel(StoreService *service, QObject *parent)
    : QAbstractTableModel(parent), m_service(service)
{
    connect(m_service, &StoreService::recordsAppended, this, &RecordTableModel::onRecordsAppended);
    connect(m_service, &StoreService::streamDeleted, this, &RecordTableModel::onStreamDeleted);
    connect(m_service, &StoreService::liveEventsMissed, this, &RecordTableModel::reload);
    connect(m_service, &StoreService::closed, this, [this] { clearRows(true); });
}

RecordTableModel::~RecordTableModel()
{
    for (auto &cancel : m_cancel)
        cancel();
}

void RecordTableModel::setScope(const Scope &scope)
{
    m_scope = scope;
    restart();
}

void RecordTableModel::setEventTypes(const QStringList &types)
{
    if (types == m_eventTypes)
        return;
    m_eventTypes = types;
    restart();
}

void RecordTableModel::setPredicate(std::shared_ptr<const RecordPredicate> predicate)
{
    m_predicate = std::move(predicate);
    restart();
}

void RecordTableModel::setNewestFirst(bool newestFirst)
{
    if (newestFirst == m_newestFirst)
        return;
    beginResetModel();
    m_newestFirst = newestFirst;
    endResetModel();
}

void RecordTableModel::setUtc(bool utc)
{
    if (utc == m_utc)
        return;
    m_utc = utc;
    if (m_rows > 0)
        Q_EMIT dataChanged(index(0, Time), index(rowCount() - 1, Time), {Qt::DisplayRole});
    Q_EMIT headerDataChanged(Qt::Horizontal, Time, Time);
}

void RecordTableModel::reload()
{
    restart();
}

std::shared_ptr<const RecordPredicate> RecordTableModel::combinedPredicate() const
{
    if (m_eventTypes.isEmpty())
        return m_predicate;
    std::vector<std::string> types;
    for (const QString &type : m_eventTypes)
        types.push_back(type.toStdString());
    std::sort(types.begin(), types.end());
    auto extra = m_predicate;
    return std::make_shared<const RecordPredicate>([types = std::move(types), extra](const Record &record) {
        return std::binary_search(types.begin(), types.end(), record.eventType) && (!extra || (*extra)(record));
    });
}

void RecordTableModel::clearRows(bool countComplete)
{
    beginResetModel();
    ++m_generation;
    for (auto &cancel : m_cancel)
        cancel();
    m_cancel.clear();
    m_rows = 0;
    m_anchors.clear();
    m_lastSequence = 0;
    m_pages.clear();
    m_inFlight.clear();
    m_wanted.clear();
    m_liveBacklog.clear();
    m_countComplete = countComplete;
    endResetModel();
}

void RecordTableModel::restart()
{
    clearRows(false);
    // Every change of the event types or the predicate comes through here.
    m_rowPredicate = combinedPredicate();

    const quint64 generation = m_generation;
    const Scope scope = m_scope;
    auto predicate = m_rowPredicate;
    auto handle = m_service->runWithProgress<ScopeIndex>(
        this,
        [scope, predicate](Store &store, std::stop_token stop, const auto &report) -> Result<ScopeIndex> {
            if (predicate)
                return filteredIndex(store, scope, *predicate, kPageSize, stop, report);
            return store.scopeIndex(scope, kPageSize, stop, report);
        },
        [this, generation](const ScopeIndex &partial) {
            if (generation == m_generation && !m_countComplete && !m_newestFirst)
                applyIndex(partial);
            if (generation == m_generation && !m_countComplete)
                Q_EMIT countProgress(partial.rows, false);
        },
        [this, generation](Result<ScopeIndex> result) {
            if (generation != m_generation)
                return;
            if (!result.ok()) {
                m_countComplete = true;
                Q_EMIT loadFailed(QString::fromStdString(result.status().message()));
                return;
            }
            applyIndex(result.value());
        });
    if (!handle.isActive()) {
        m_countComplete = true;
        return;
    }
    m_cancel.push_back([handle]() mutable { handle.cancel(); });
    // The first page does not need the count: it starts at the beginning of the scope.
    if (!m_newestFirst)
        requestPage(0);
}

void RecordTableModel::applyIndex(const ScopeIndex &index)
{
    const quint64 oldRows = m_rows;
    const bool reset = m_newestFirst && index.complete;
    if (reset)
        beginResetModel();
    m_anchors = index.anchors;
    m_lastSequence = index.lastSequenceNumber;
    const quint64 newRows = index.rows;
    // A partial page at the old end may now continue: fetch it again when asked.
    if (oldRows % kPageSize != 0)
        m_pages.remove(oldRows / kPageSize);
    if (!reset && newRows > oldRows) {
        beginInsertRows({}, int(std::min<quint64>(oldRows, INT_MAX)), int(std::min<quint64>(newRows, INT_MAX) - 1));
        m_rows = newRows;
        endInsertRows();
        // Pages that arrived before the count reached them (page 0 usually does) are
        // loaded rows now.
        for (auto it = m_pages.cbegin(); it != m_pages.cend(); ++it) {
            const quint64 first = it.key() * kPageSize;
            const quint64 end = std::min<quint64>(first + it->rows.size(), newRows);
            if (end > oldRows && first < end) {
                const quint64 from = std::max(first, oldRows);
                Q_EMIT pageLoaded(viewRow(from), viewRow(end - 1));
            }
        }
    } else {
        m_rows = newRows;
    }
    if (index.complete) {
        m_countComplete = true;
        if (reset)
            endResetModel();
        // Live records that arrived while counting; those in the snapshot are skipped.
        std::vector<Record> backlog = std::exchange(m_liveBacklog, {});
        appendLive(backlog);
        Q_EMIT countProgress(m_rows, true);
    }
}

int RecordTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(std::min<quint64>(m_rows, INT_MAX));
}

int RecordTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

const RecordRow *RecordTableModel::rowAt(int row) const
{
    if (row < 0 || quint64(row) >= m_rows)
        return nullptr;
    const quint64 oldest = oldestRow(row);
    auto it = m_pages.find(oldest / kPageSize);
    if (it == m_pages.end() || oldest % kPageSize >= it->rows.size())
        return nullptr;
    it->lastUse = ++m_useCounter;
    return &it->rows[oldest % kPageSize];
}

QString RecordTableModel::formatTime(std::uint64_t unixSeconds, bool utc)
{
    const QDateTime time = QDateTime::fromSecsSinceEpoch(qint64(unixSeconds), utc ? Qt::UTC : Qt::LocalTime);
    return time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString RecordTableModel::dataPreview(const std::string &json)
{
    constexpr std::size_t kMax = 300;
    if (json.size() <= kMax)
        return QString::fromStdString(json);
    // Cut at a character boundary of the UTF-8 text.
    std::size_t cut = kMax;
    while (cut > 0 && (std::uint8_t(json[cut]) & 0xc0) == 0x80)
        --cut;
    return QString::fromUtf8(json.data(), qsizetype(cut)) + QStringLiteral("…");
}

QVariant RecordTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index))
        return {};
    const RecordRow *row = rowAt(index.row());
    if (!row) {
        const quint64 oldest = oldestRow(index.row());
        requestPage(oldest / kPageSize);
        if (role == LoadedRole)
            return false;
        if (role == Qt::DisplayRole && index.column() == GlobalSequence)
            return QStringLiteral("…");
        if (role == Qt::ForegroundRole)
            return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        return {};
    }
    const Record &r = row->record;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case GlobalSequence:
            return r.globalSequenceNumber ? QVariant(quint64(r.globalSequenceNumber)) : QVariant(QStringLiteral("?"));
        case StreamSequence:
            return r.streamSequenceNumber ? QVariant(quint64(r.streamSequenceNumber)) : QVariant(QStringLiteral("?"));
        case Time:
            return row->isError() ? QString() : formatTime(r.insertTimestamp, m_utc);
        case AggregateType:
            return QString::fromStdString(r.aggregateType);
        case AggregateId:
            return QString::fromStdString(r.aggregateId);
        case EventType:
            return row->isError() ? tr("(cannot decode)") : QString::fromStdString(r.eventType);
        case EventId:
            return QString::fromStdString(r.eventId);
        case Data:
            return row->isError() ? row->error : dataPreview(r.data);
        default:
            return {};
        }
    case Qt::ToolTipRole:
        if (row->isError())
            return row->error;
        if (index.column() == Data)
            return dataPreview(r.data);
        if (index.column() == Time)
            return QString(formatTime(r.insertTimestamp, !m_utc) + (m_utc ? tr(" local") : tr(" UTC")));
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == GlobalSequence || index.column() == StreamSequence)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        if (row->isError())
            return QColor(0xc0, 0x20, 0x20);
        return {};
    case Qt::FontRole:
        if (index.column() == EventId || index.column() == Data)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    case GlobalSequenceRole:
        return quint64(r.globalSequenceNumber);
    case StreamSequenceRole:
        return quint64(r.streamSequenceNumber);
    case StreamNameRole:
        return row->isError() && r.aggregateType.empty() ? QString() : QString::fromStdString(r.streamName());
    case EventTypeRole:
        return QString::fromStdString(r.eventType);
    case LoadedRole:
        return true;
    case DecodeErrorRole:
        return row->error;
    default:
        return {};
    }
}

QVariant RecordTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case GlobalSequence:
        return tr("Global #");
    case StreamSequence:
        return tr("Stream #");
    case Time:
        return m_utc ? tr("Time (UTC)") : tr("Time");
    case AggregateType:
        return tr("Aggregate type");
    case AggregateId:
        return tr("Aggregate ID");
    case EventType:
        return tr("Event type");
    case EventId:
        return tr("Event ID");
    case Data:
        return tr("Data");
    default:
        return {};
    }
}

void RecordTableModel::requestPage(quint64 page) const
{
    if (m_inFlight.contains(page))
        return;
    auto it = std::find(m_wanted.begin(), m_wanted.end(), page);
    if (it != m_wanted.end())
        m_wanted.erase(it);
    m_wanted.push_front(page);
    // Fast scrolling asks for many pages; only the latest few are still wanted.
    while (m_wanted.size() > 8)
        m_wanted.pop_back();
    if (!m_pumpQueued) {
        m_pumpQueued = true;
        // data() is const and may be called during painting: fetch from the event loop.
        QMetaObject::invokeMethod(const_cast<RecordTableModel *>(this), &RecordTableModel::pump, Qt::QueuedConnection);
    }
}

void RecordTableModel::pump()
{
    m_pumpQueued = false;
    constexpr int kMaxInFlight = 2;
    while (m_inFlight.size() < kMaxInFlight && !m_wanted.empty()) {
        const quint64 page = m_wanted.front();
        m_wanted.pop_front();
        if (m_pages.contains(page)) {
            auto &cached = m_pages[page];
            const quint64 expected = std::min<quint64>(kPageSize, m_rows - std::min(m_rows, page * kPageSize));
            if (cached.rows.size() >= expected)
                continue;
        }
        std::uint64_t from = 0;
        if (page < m_anchors.size())
            from = m_anchors[page];
        else if (page != 0)
            continue; // not counted yet: asked again when the rows exist
        const quint64 generation = m_generation;
        const Scope scope = m_scope;
        auto predicate = m_rowPredicate;
        m_inFlight.insert(page);
        auto handle = m_service->run(
            this,
            [scope, predicate, from](Store &store, std::stop_token stop) {
                PageResult result;
                result.rows = readPage(store, scope, predicate.get(), from, kPageSize, stop, &result.error);
                return result;
            },
            [this, generation, page](PageResult result) {
                if (generation != m_generation)
                    return;
                m_inFlight.remove(page);
                if (!result.error.ok() && result.error.code() != ErrorCode::Cancelled)
                    Q_EMIT loadFailed(QString::fromStdString(result.error.message()));
                pageArrived(generation, page, std::move(result.rows));
                pump();
            });
        if (!handle.isActive()) {
            m_inFlight.remove(page);
            return;
        }
    }
}

void RecordTableModel::pageArrived(quint64 generation, quint64 page, std::vector<RecordRow> rows)
{
    if (generation != m_generation)
        return;
    const quint64 first = page * kPageSize;
    // Before the count reached it, page 0 may bring rows the count has not yet: keep only
    // what exists as rows; the rest comes again once counted.
    Page &slot = m_pages[page];
    slot.rows = std::move(rows);
    slot.lastUse = ++m_useCounter;
    evict();
    if (first >= m_rows || slot.rows.empty())
        return;
    const quint64 last = std::min<quint64>(first + slot.rows.size(), m_rows) - 1;
    emitRowsChanged(first, last);
    Q_EMIT pageLoaded(viewRow(m_newestFirst ? last : first), viewRow(m_newestFirst ? first : last));
}

void RecordTableModel::emitRowsChanged(quint64 firstOldest, quint64 lastOldest)
{
    if (firstOldest > lastOldest || lastOldest >= m_rows)
        return;
    int a = viewRow(firstOldest), b = viewRow(lastOldest);
    if (a > b)
        std::swap(a, b);
    Q_EMIT dataChanged(index(a, 0), index(b, ColumnCount - 1));
}

void RecordTableModel::evict()
{
    while (m_pages.size() > kMaxCachedPages) {
        auto oldest = m_pages.begin();
        for (auto it = m_pages.begin(); it != m_pages.end(); ++it) {
            if (it->lastUse < oldest->lastUse)
                oldest = it;
        }
        m_pages.erase(oldest);
    }
}

bool RecordTableModel::inScope(const Record &record) const
{
    switch (m_scope.kind) {
    case Scope::Kind::AllEvents:
        return true;
    case Scope::Kind::AggregateTypes:
        return std::find(m_scope.aggregateTypes.begin(), m_scope.aggregateTypes.end(), record.aggregateType)
            != m_scope.aggregateTypes.end();
    case Scope::Kind::Stream:
        return record.aggregateType.size() + 1 + record.aggregateId.size() == m_scope.stream.size()
            && record.streamName() == m_scope.stream;
    }
    return false;
}

void RecordTableModel::onRecordsAppended(const std::shared_ptr<const std::vector<Record>> &batch)
{
    if (!m_service->isOpen())
        return;
    if (!m_countComplete) {
        for (const Record &record : *batch) {
            if (inScope(record))
                m_liveBacklog.push_back(record);
        }
        return;
    }
    appendLive(*batch);
}

void RecordTableModel::appendLive(const std::vector<Record> &records)
{
    auto predicate = m_rowPredicate;
    std::vector<const Record *> accepted;
    for (const Record &record : records) {
        if (!inScope(record) || (predicate && !(*predicate)(record)))
            continue;
        const std::uint64_t sequence = sequenceOf(m_scope, record);
        if (m_rows > 0 && sequence <= m_lastSequence)
            continue; // already in the counted snapshot
        accepted.push_back(&record);
    }
    if (accepted.empty())
        return;
    const quint64 first = m_rows;
    const quint64 count = accepted.size();
    if (m_newestFirst)
        beginInsertRows({}, 0, int(count - 1));
    else
        beginInsertRows({}, int(first), int(first + count - 1));
    for (const Record *record : accepted) {
        const std::uint64_t sequence = sequenceOf(m_scope, *record);
        if (m_rows % kPageSize == 0)
            m_anchors.push_back(sequence);
        const quint64 page = m_rows / kPageSize;
        // Extend the cached page in place; a new page starts with this record.
        auto it = m_pages.find(page);
        if (it != m_pages.end() && it->rows.size() == m_rows % kPageSize)
            it->rows.push_back(RecordRow{*record, {}});
        else if (m_rows % kPageSize == 0)
            m_pages.insert(page, Page{{RecordRow{*record, {}}}, ++m_useCounter});
        ++m_rows;
        m_lastSequence = sequence;
    }
    endInsertRows();
    evict();
}

void RecordTableModel::onStreamDeleted(const QString &stream)
{
    const std::string name = stream.toStdString();
    const auto type = name.substr(0, name.find('!'));
    const bool affected = m_scope.kind == Scope::Kind::AllEvents
        || (m_scope.kind == Scope::Kind::Stream && m_scope.stream == name)
        || (m_scope.kind == Scope::Kind::AggregateTypes
            && std::find(m_scope.aggregateTypes.begin(), m_scope.aggregateTypes.end(), type)
                != m_scope.aggregateTypes.end());
    if (affected)
        restart();
}

void RecordTableModel::locateGlobalSequence(quint64 globalSequence)
{
    locate(false, globalSequence);
}

void RecordTableModel::locateTime(quint64 unixSeconds)
{
    locate(true, unixSeconds);
}

void RecordTableModel::locate(bool byTime, quint64 target)
{
    if (!m_countComplete) {
        Q_EMIT locateFailed(tr("Still counting the rows; try again in a moment."));
        return;
    }
    if (m_rows == 0) {
        Q_EMIT locateFailed(tr("There are no rows to go to."));
        return;
    }
    const quint64 generation = m_generation;
    const Scope scope = m_scope;
    auto predicate = m_rowPredicate;
    auto anchors = std::make_shared<const std::vector<std::uint64_t>>(m_anchors);
    const quint64 rows = m_rows;
    const bool anchorsAreGlobal = scope.kind != Scope::Kind::Stream;
    auto handle = m_service->run(
        this,
        [=](Store &store, std::stop_token stop) -> Result<quint64> {
            auto keyOf = [byTime](const Record &record) {
                return byTime ? record.insertTimestamp : record.globalSequenceNumber;
            };
            // The first record at an anchor gives that page's key.
            auto keyAtAnchor = [&](std::size_t page) -> Result<std::uint64_t> {
                if (!byTime && anchorsAreGlobal)
                    return (*anchors)[page];
                ResilientCursor cursor(store, scope, (*anchors)[page], stop);
                RecordRow row;
                while (cursor.next(row)) {
                    if (matches(predicate.get(), row))
                        return keyOf(row.record);
                }
                if (!cursor.error().ok())
                    return cursor.error();
                return std::numeric_limits<std::uint64_t>::max();
            };
            // The last page whose first key is <= target.
            std::size_t lo = 0, hi = anchors->size();
            while (hi - lo > 1) {
                const std::size_t mid = lo + (hi - lo) / 2;
                auto key = keyAtAnchor(mid);
                if (!key.ok())
                    return key.status();
                if (key.value() <= target)
                    lo = mid;
                else
                    hi = mid;
            }
            Status error;
            auto page = readPage(store, scope, predicate.get(), (*anchors)[lo], kPageSize, stop, &error);
            if (!error.ok())
                return error;
            quint64 row = quint64(lo) * kPageSize;
            for (const RecordRow &r : page) {
                if (!r.isError() && keyOf(r.record) >= target)
                    return std::min(row, rows - 1);
                ++row;
            }
            return std::min(row, rows - 1);
        },
        [this, generation](Result<quint64> result) {
            if (generation != m_generation)
                return;
            if (!result.ok()) {
                Q_EMIT locateFailed(QString::fromStdString(result.status().message()));
                return;
            }
            Q_EMIT located(viewRow(result.value()));
        });
    if (handle.isActive())
        m_cancel.push_back([handle]() mutable { handle.cancel(); });
}

} // namespace rangedb::ui
