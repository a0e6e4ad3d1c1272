#pragma once

#include "rangedb/store.h"
#include "resilientcursor.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QSet>
#include <QStringList>

#include <deque>
#include <functional>
#include <memory>

namespace rangedb::ui {

class StoreService;

// A condition rows must meet (event types, a search filter). Called on worker threads and
// on the GUI thread: it must be thread-safe and must not touch the store.
using RecordPredicate = std::function<bool(const Record &)>;


// The records of one scope (all events, aggregate types, one stream) as a table.
//
// A windowed model (design.md): a keys-only scan counts the rows and keeps an anchor every
// kPageSize rows (Store::scopeIndex), so any row is one seek away; pages of records are
// fetched on demand into a cache of at most kMaxCachedPages pages. Rows appear while the
// count runs (oldest first), and grow as events are appended. Everything touching the store
// runs through the StoreService; all functions are for the GUI thread.
class RecordTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { GlobalSequence, StreamSequence, Time, AggregateType, AggregateId, EventType, EventId, Data, ColumnCount };
    enum Roles {
        GlobalSequenceRole = Qt::UserRole + 1, // quint64
        StreamSequenceRole,                    // quint64
        StreamNameRole,                        // QString
        EventTypeRole,                         // QString
        LoadedRole,                            // bool: false while the row's page is on its way
        DecodeErrorRole,                       // QString, empty unless the row failed to decode
    };
    static constexpr std::uint32_t kPageSize = 256;
    static constexpr int kMaxCachedPages = 64;

    explicit RecordTableModel(StoreService *service, QObject *parent = nullptr);
    ~RecordTableModel() override;

    // Shows `scope` (re-counts). The event-type filter and the predicate stay.
    void setScope(const Scope &scope);
    const Scope &scope() const { return m_scope; }
    // Rows whose event type is one of `types`; empty shows all.
    void setEventTypes(const QStringList &types);
    QStringList eventTypes() const { return m_eventTypes; }
    // An extra condition (e.g. a search); null shows all. `description` is for status text.
    void setPredicate(std::shared_ptr<const RecordPredicate> predicate);
    bool hasPredicate() const { return m_predicate != nullptr; }
    // Newest first puts the last record in row 0. Needs the complete count.
    void setNewestFirst(bool newestFirst);
    bool isNewestFirst() const { return m_newestFirst; }
    void setUtc(bool utc);
    bool isUtc() const { return m_utc; }
    // Re-counts and drops the cache (after a delete, or missed live events).
    void reload();

    // The condition rows meet (event types and predicate combined); null for all.
    std::shared_ptr<const RecordPredicate> rowPredicate() const { return m_rowPredicate; }
    // Rows counted oldest first, whatever the order shown.
    quint64 oldestRowOf(int viewRow) const { return oldestRow(viewRow); }
    int viewRowOf(quint64 oldest) const { return viewRow(oldest); }

    bool isCounting() const { return !m_countComplete; }
    quint64 totalRows() const { return m_rows; }
    // The row if its page is cached, else null.
    const RecordRow *rowAt(int row) const;

    // Finds the first row at or after a global sequence number / an insert time (Unix
    // seconds) and emits located(row), or locateFailed().
    void locateGlobalSequence(quint64 globalSequence);
    void locateTime(quint64 unixSeconds);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString formatTime(std::uint64_t unixSeconds, bool utc);
    static QString dataPreview(const std::string &json);

Q_SIGNALS:
    // The count is running (rows so far) or done.
    void countProgress(quint64 rows, bool complete);
    void loadFailed(const QString &message);
    void located(int row);
    void locateFailed(const QString &message);
    // A page arrived (tests and benchmarks wait on it).
    void pageLoaded(int firstRow, int lastRow);

private:
    struct Page
    {
        std::vector<RecordRow> rows;
        quint64 lastUse = 0;
    };

    // Drops every row and cancels every request; a new generation starts.
    void clearRows(bool countComplete);
    void restart();
    void applyIndex(const ScopeIndex &index);
    void requestPage(quint64 page) const;
    void pump();
    void pageArrived(quint64 generation, quint64 page, std::vector<RecordRow> rows);
    void appendLive(const std::vector<Record> &records);
    void onRecordsAppended(const std::shared_ptr<const std::vector<Record>> &batch);
    void onStreamDeleted(const QString &stream);
    bool inScope(const Record &record) const;
    // The event types and the predicate as one condition; null for all rows.
    std::shared_ptr<const RecordPredicate> combinedPredicate() const;
    quint64 oldestRow(int viewRow) const { return m_newestFirst ? m_rows - 1 - quint64(viewRow) : quint64(viewRow); }
    int viewRow(quint64 oldestRow) const { return int(m_newestFirst ? m_rows - 1 - oldestRow : oldestRow); }
    void emitRowsChanged(quint64 firstOldest, quint64 lastOldest);
    void evict();
    void locate(bool byTime, quint64 target);

    StoreService *m_service;
    Scope m_scope;
    QStringList m_eventTypes;
    std::shared_ptr<const RecordPredicate> m_predicate;
    std::shared_ptr<const RecordPredicate> m_rowPredicate; // combinedPredicate(), set by restart()
    bool m_newestFirst = false;
    bool m_utc = false;

    quint64 m_generation = 0;
    quint64 m_rows = 0;
    std::vector<std::uint64_t> m_anchors;
    std::uint64_t m_lastSequence = 0;
    bool m_countComplete = false;
    std::vector<Record> m_liveBacklog; // arrived while counting

    mutable QHash<quint64, Page> m_pages;
    mutable quint64 m_useCounter = 0;
    mutable QSet<quint64> m_inFlight;
    mutable std::deque<quint64> m_wanted; // most recent first
    mutable bool m_pumpQueued = false;
    std::vector<std::function<void()>> m_cancel;
};

} // namespace rangedb::ui
