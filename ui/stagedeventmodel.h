#pragma once

#include "rangedb/record.h"

#include <QAbstractTableModel>

#include <vector>

namespace rangedb::ui {

// The events staged in the editor for one stream, in the order they will be saved, with
// the stream and global sequence numbers they would get if saved now: the stream's head
// and the store's last global sequence number plus their position. The owner keeps both
// up to date (fetched on a worker, then followed live). GUI thread only.
class StagedEventModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    // The event type comes first: it stays with its row when rows move (the numbers do not).
    enum Column { EventType, StreamSequence, GlobalSequence, Data, Metadata, ColumnCount };
    enum Roles {
        StreamSequenceRole = Qt::UserRole + 1, // quint64
        GlobalSequenceRole,                    // quint64
    };

    explicit StagedEventModel(QObject *parent = nullptr);

    const std::vector<EventRecord> &events() const { return m_events; }
    bool isEmpty() const { return m_events.empty(); }
    int size() const { return int(m_events.size()); }
    const EventRecord &at(int row) const { return m_events.at(std::size_t(row)); }

    void append(EventRecord event);
    void replace(int row, EventRecord event);
    void remove(int row);
    // Moves a row one place up (delta -1) or down (+1); false at an end.
    bool move(int row, int delta);
    void clear();

    // The numbers the events would follow: the stream's last stream sequence number and
    // the store's last global sequence number.
    void setBase(quint64 streamHead, quint64 lastGlobal);
    quint64 streamHead() const { return m_streamHead; }
    quint64 lastGlobal() const { return m_lastGlobal; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void numbersChanged();

    std::vector<EventRecord> m_events;
    quint64 m_streamHead = 0;
    quint64 m_lastGlobal = 0;
};

} // namespace rangedb::ui
