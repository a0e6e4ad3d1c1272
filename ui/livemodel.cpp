#include "livemodel.h"

#include "recordtablemodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>

#include <algorithm>

namespace rangedb::ui {

void LiveQueue::accept(const Record &record)
{
    m_received.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(m_mutex);
    m_items.push_back(LiveItem{record, 0, 0, 0});
    ++m_records;
    // Over capacity: the oldest record goes. Markers stay where they are, so the front may
    // be a marker; looking past a few of them is cheap because they are rare.
    while (m_records > m_capacity) {
        auto oldest = std::find_if(m_items.begin(), m_items.end(), [](const LiveItem &i) { return !i.isMarker(); });
        m_items.erase(oldest);
        --m_records;
        ++m_dropped;
    }
}

void LiveQueue::missed(std::uint64_t count, std::uint64_t firstMissed, std::uint64_t lastMissed)
{
    std::lock_guard lock(m_mutex);
    LiveItem marker;
    marker.missedCount = count;
    marker.missedFirst = firstMissed;
    marker.missedLast = lastMissed;
    m_items.push_back(std::move(marker));
}

LiveQueue::Taken LiveQueue::take()
{
    std::lock_guard lock(m_mutex);
    Taken taken;
    taken.items.swap(m_items);
    taken.dropped = std::exchange(m_dropped, 0);
    m_records = 0;
    return taken;
}

void LiveQueue::setCapacity(std::size_t capacity)
{
    std::lock_guard lock(m_mutex);
    m_capacity = std::max<std::size_t>(capacity, 1);
}

std::size_t LiveQueue::pending() const
{
    std::lock_guard lock(m_mutex);
    return m_items.size();
}

// ---------------------------------------------------------------------------------------

LiveModel::LiveModel(QObject *parent) : QAbstractTableModel(parent) {}

void LiveModel::append(std::deque<LiveItem> items, std::uint64_t droppedBefore)
{
    m_dropped += droppedBefore;
    m_received += droppedBefore;
    for (const LiveItem &item : items) {
        if (item.isMarker()) {
            m_missed += item.missedCount;
            continue;
        }
        ++m_received;
        m_lastGlobalSequence = std::max<quint64>(m_lastGlobalSequence, item.record.globalSequenceNumber);
        const QString type = QString::fromStdString(item.record.eventType);
        if (!m_eventTypesSeen.contains(type)) {
            m_eventTypesSeen.insert(type);
            Q_EMIT eventTypeSeen(type);
        }
    }
    if (m_paused) {
        for (LiveItem &item : items)
            m_held.push_back(std::move(item));
        // What is held obeys the row limit too: memory stays bounded however long the pause.
        std::size_t records = std::size_t(std::count_if(m_held.begin(), m_held.end(), [](const LiveItem &i) {
            return !i.isMarker();
        }));
        for (auto it = m_held.begin(); records > std::size_t(m_maxRows) && it != m_held.end();) {
            if (it->isMarker()) {
                ++it;
                continue;
            }
            it = m_held.erase(it);
            --records;
            ++m_dropped;
        }
    } else {
        push(items);
    }
    Q_EMIT countsChanged();
}

void LiveModel::push(std::deque<LiveItem> &items)
{
    // A batch larger than the limit: its oldest rows would be inserted only to be removed.
    while (items.size() > std::size_t(m_maxRows)) {
        if (!items.front().isMarker())
            ++m_dropped; // a marker's count stays in m_missed; only its row goes
        items.pop_front();
    }
    if (items.empty())
        return;
    // Make room first, then one insert: at most one removal and one insertion per batch.
    const std::size_t room = std::size_t(m_maxRows) - items.size();
    if (m_rows.size() > room)
        dropOldest(m_rows.size() - room);

    const quint64 firstNewSerial = m_firstSerial + m_rows.size();
    std::vector<quint64> shown;
    shown.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        Entry entry;
        if (items[i].isMarker())
            entry.marker = std::move(items[i]);
        else
            entry.row.record = std::move(items[i].record);
        if (shows(entry))
            shown.push_back(firstNewSerial + i);
        m_rows.push_back(std::move(entry));
    }
    if (shown.empty())
        return;
    const int first = int(m_visible.size());
    beginInsertRows({}, first, first + int(shown.size()) - 1);
    m_visible.insert(m_visible.end(), shown.begin(), shown.end());
    endInsertRows();
}

void LiveModel::dropOldest(std::size_t count)
{
    for (std::size_t i = 0; i < count; ++i) {
        if (!m_rows[i].isMarker())
            ++m_dropped;
    }
    // The shown rows among them are the first rows of the view: one removal.
    const quint64 newFirst = m_firstSerial + count;
    const auto firstKept = std::lower_bound(m_visible.begin(), m_visible.end(), newFirst);
    const int gone = int(firstKept - m_visible.begin());
    if (gone > 0)
        beginRemoveRows({}, 0, gone - 1);
    m_visible.erase(m_visible.begin(), firstKept);
    m_rows.erase(m_rows.begin(), m_rows.begin() + std::ptrdiff_t(count));
    m_firstSerial = newFirst;
    if (gone > 0)
        endRemoveRows();
}

void LiveModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_visible.clear();
    m_held.clear();
    m_firstSerial = 0;
    m_received = m_dropped = m_missed = 0;
    m_lastGlobalSequence = 0;
    endResetModel();
    Q_EMIT countsChanged();
}

void LiveModel::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (!paused) {
        std::deque<LiveItem> held;
        held.swap(m_held);
        push(held);
    }
    Q_EMIT countsChanged();
}

void LiveModel::setMaxRows(int maxRows)
{
    maxRows = std::max(1, maxRows);
    if (maxRows == m_maxRows)
        return;
    m_maxRows = maxRows;
    if (m_rows.size() > std::size_t(maxRows))
        dropOldest(m_rows.size() - std::size_t(maxRows));
    Q_EMIT countsChanged();
}

void LiveModel::setEventTypes(const QStringList &types)
{
    m_eventTypes = types;
    m_eventTypeSet = QSet<QString>(types.begin(), types.end());
    rebuildVisible();
}

void LiveModel::setFilter(const RecordFilter &filter)
{
    m_filter = filter;
    rebuildVisible();
}

void LiveModel::setUtc(bool utc)
{
    if (utc == m_utc)
        return;
    m_utc = utc;
    if (!m_visible.empty())
        Q_EMIT dataChanged(index(0, Time), index(rowCount() - 1, Time), {Qt::DisplayRole});
}

void LiveModel::rebuildVisible()
{
    // A new filter changes which rows exist: the one reset the model does besides clear().
    beginResetModel();
    m_visible.clear();
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (shows(m_rows[i]))
            m_visible.push_back(m_firstSerial + i);
    }
    endResetModel();
}

bool LiveModel::shows(const Entry &entry) const
{
    if (entry.isMarker())
        return true; // a loss is never filtered away: what was lost might have matched
    const Record &record = entry.row.record;
    if (!m_eventTypeSet.isEmpty() && !m_eventTypeSet.contains(QString::fromStdString(record.eventType)))
        return false;
    return m_filter.isEmpty() || m_filter.matches(record);
}

QStringList LiveModel::eventTypesSeen() const
{
    QStringList types(m_eventTypesSeen.begin(), m_eventTypesSeen.end());
    types.sort();
    return types;
}

const RecordRow *LiveModel::rowAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return nullptr;
    const Entry &entry = entryOfRow(row);
    return entry.isMarker() ? nullptr : &entry.row;
}

bool LiveModel::isMarker(int row) const
{
    return row >= 0 && row < rowCount() && entryOfRow(row).isMarker();
}

int LiveModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_visible.size());
}

int LiveModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LiveModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = entryOfRow(index.row());
    if (entry.isMarker()) {
        const LiveItem &m = entry.marker;
        switch (role) {
        case Qt::DisplayRole:
            if (index.column() == EventType) {
                const QLocale locale;
                return QString(tr("⚠ %n event(s) missed", nullptr, int(std::min<std::uint64_t>(m.missedCount, INT_MAX)))
                               + (m.missedFirst ? tr(" (#%1 … #%2)").arg(locale.toString(m.missedFirst), locale.toString(m.missedLast))
                                     : QString()));
            }
            if (index.column() == Data)
                return tr("The pane could not keep up; these records are in the store but not shown here.");
            return {};
        case Qt::ForegroundRole: return QBrush(QColor(0xb3, 0x26, 0x1e));
        case Qt::FontRole: {
            QFont font;
            font.setBold(true);
            return font;
        }
        case IsMarkerRole: return true;
        case MissedCountRole: return quint64(m.missedCount);
        default: return {};
        }
    }
    const Record &r = entry.row.record;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case GlobalSequence: return quint64(r.globalSequenceNumber);
        case StreamSequence: return quint64(r.streamSequenceNumber);
        case Time: return RecordTableModel::formatTime(r.insertTimestamp, m_utc);
        case AggregateType: return QString::fromStdString(r.aggregateType);
        case AggregateId: return QString::fromStdString(r.aggregateId);
        case EventType: return QString::fromStdString(r.eventType);
        case Data: return RecordTableModel::dataPreview(r.data);
        default: return {};
        }
    case Qt::TextAlignmentRole:
        if (index.column() == GlobalSequence || index.column() == StreamSequence)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case GlobalSequenceRole: return quint64(r.globalSequenceNumber);
    case EventTypeRole: return QString::fromStdString(r.eventType);
    case IsMarkerRole: return false;
    default: return {};
    }
}

QVariant LiveModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case GlobalSequence: return tr("Global #");
    case StreamSequence: return tr("Stream #");
    case Time: return tr("Inserted");
    case AggregateType: return tr("Aggregate type");
    case AggregateId: return tr("Aggregate ID");
    case EventType: return tr("Event type");
    case Data: return tr("Data");
    default: return {};
    }
}

} // namespace rangedb::ui
