#pragma once

#include "rangedb/recordfilter.h"
#include "rangedb/store.h"
#include "resilientcursor.h"

#include <QAbstractTableModel>
#include <QSet>
#include <QStringList>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>

namespace rangedb::ui {

// What a live subscription hands over: records, and markers where the subscription's
// buffer overflowed and records were lost.
struct LiveItem
{
    Record record;
    std::uint64_t missedCount = 0; // > 0: a marker for missedFirst..missedLast, no record
    std::uint64_t missedFirst = 0;
    std::uint64_t missedLast = 0;
    bool isMarker() const { return missedCount > 0; }
};

// The subscriber of one Live pane. Its callbacks only append to a queue; the GUI thread
// takes the queue whole, at most once a frame. The queue keeps at most `capacity` items:
// older records are dropped (and counted) because the pane, which keeps no more rows than
// that, would drop them next anyway. Markers are never dropped. Thread-safe.
class LiveQueue final : public Subscriber
{
public:
    explicit LiveQueue(std::size_t capacity) : m_capacity(std::max<std::size_t>(capacity, 1)) {}

    void accept(const Record &record) override;
    void missed(std::uint64_t count, std::uint64_t firstMissed, std::uint64_t lastMissed) override;

    struct Taken
    {
        std::deque<LiveItem> items;
        std::uint64_t dropped = 0; // records dropped from the queue since the last take()
    };
    Taken take();
    void setCapacity(std::size_t capacity);
    // Records accepted so far (including those dropped from the queue).
    std::uint64_t received() const { return m_received.load(std::memory_order_relaxed); }
    // Items waiting for take().
    std::size_t pending() const;

private:
    mutable std::mutex m_mutex;
    std::deque<LiveItem> m_items; // GUARDED_BY(m_mutex)
    std::size_t m_records = 0;    // GUARDED_BY(m_mutex): records (not markers) in m_items
    std::size_t m_capacity;       // GUARDED_BY(m_mutex)
    std::uint64_t m_dropped = 0;  // GUARDED_BY(m_mutex)
    std::atomic<std::uint64_t> m_received{0};
};

// The rows of one Live pane: what arrived, newest last, at most maxRows() of them, shown
// through an event-type list and a RecordFilter that apply while tailing.
//
// Rows come in by append(): one beginInsertRows per batch, and, when the row limit is
// exceeded, one beginRemoveRows for the oldest rows (counted in droppedRows()). A missed
// marker is a row of its own that every filter shows. While paused, append() holds the
// batch back (still within the row limit) and pendingRows() counts it; resume() shows it.
// Changing the filter is the only reset. GUI thread only.
class LiveModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { GlobalSequence, StreamSequence, Time, AggregateType, AggregateId, EventType, Data, ColumnCount };
    enum Roles {
        GlobalSequenceRole = Qt::UserRole + 1, // quint64
        EventTypeRole,                         // QString
        IsMarkerRole,                          // bool: a "records were missed" row
        MissedCountRole,                       // quint64, on marker rows
    };
    static constexpr int kDefaultMaxRows = 10000;

    explicit LiveModel(QObject *parent = nullptr);

    // Adds a batch: one insert (and at most one removal of the oldest rows). `droppedBefore`
    // counts records that were dropped for the row limit before they reached the model.
    void append(std::deque<LiveItem> items, std::uint64_t droppedBefore = 0);
    // Forgets every row and counter (a reset).
    void clear();

    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    // Records held back while paused.
    quint64 pendingRows() const { return quint64(m_held.size()); }

    // The most rows kept (>= 1); lowering it drops the oldest at once.
    void setMaxRows(int maxRows);
    int maxRows() const { return m_maxRows; }

    // Rows whose event type is one of `types` (empty: all), and that `filter` matches.
    void setEventTypes(const QStringList &types);
    QStringList eventTypes() const { return m_eventTypes; }
    void setFilter(const RecordFilter &filter);
    const RecordFilter &filter() const { return m_filter; }

    void setUtc(bool utc);

    // Counters since the last clear().
    quint64 receivedRecords() const { return m_received; } // records that reached the model
    quint64 droppedRows() const { return m_dropped; }      // for the row limit
    quint64 missedRecords() const { return m_missed; }     // lost by the subscription
    quint64 keptRows() const { return quint64(m_rows.size()); } // in the model, shown or filtered out
    quint64 lastGlobalSequence() const { return m_lastGlobalSequence; }
    // Event types seen, sorted.
    QStringList eventTypesSeen() const;

    // The record shown in `row`; null for a marker row or an invalid row. Valid until the
    // next change of the model.
    const RecordRow *rowAt(int row) const;
    bool isMarker(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    // Any counter changed (after append, clear, pause, resume).
    void countsChanged();
    // A new event type arrived.
    void eventTypeSeen(const QString &eventType);

private:
    struct Entry
    {
        RecordRow row;
        LiveItem marker; // missedCount > 0 for a marker
        bool isMarker() const { return marker.isMarker(); }
    };

    bool shows(const Entry &entry) const;
    const Entry &entryOfRow(int row) const { return m_rows[std::size_t(m_visible[std::size_t(row)] - m_firstSerial)]; }
    void push(std::deque<LiveItem> &items);
    // Drops the `count` oldest kept rows (count <= keptRows()), with one beginRemoveRows.
    void dropOldest(std::size_t count);
    void rebuildVisible();

    std::deque<Entry> m_rows;       // kept rows, oldest first; m_rows[i] has serial m_firstSerial + i
    quint64 m_firstSerial = 0;
    std::deque<quint64> m_visible;  // serials of the rows shown, ascending
    std::deque<LiveItem> m_held;    // arrived while paused
    QSet<QString> m_eventTypesSeen;

    int m_maxRows = kDefaultMaxRows;
    bool m_paused = false;
    bool m_utc = false;
    QStringList m_eventTypes;
    QSet<QString> m_eventTypeSet;
    RecordFilter m_filter;

    quint64 m_received = 0;
    quint64 m_dropped = 0;
    quint64 m_missed = 0;
    quint64 m_lastGlobalSequence = 0;
};

} // namespace rangedb::ui
