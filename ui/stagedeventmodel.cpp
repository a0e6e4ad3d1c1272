#include "stagedeventmodel.h"

#include "recordtablemodel.h"

namespace rangedb::ui {

StagedEventModel::StagedEventModel(QObject *parent) : QAbstractTableModel(parent) {}

void StagedEventModel::append(EventRecord event)
{
    const int row = size();
    beginInsertRows({}, row, row);
    m_events.push_back(std::move(event));
    endInsertRows();
}

void StagedEventModel::replace(int row, EventRecord event)
{
    if (row < 0 || row >= size())
        return;
    m_events[std::size_t(row)] = std::move(event);
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void StagedEventModel::remove(int row)
{
    if (row < 0 || row >= size())
        return;
    beginRemoveRows({}, row, row);
    m_events.erase(m_events.begin() + row);
    endRemoveRows();
    numbersChanged(); // the rows after it move up a number
}

bool StagedEventModel::move(int row, int delta)
{
    const int target = row + delta;
    if ((delta != -1 && delta != 1) || row < 0 || row >= size() || target < 0 || target >= size())
        return false;
    // beginMoveRows wants the destination as "before this row" in the old numbering.
    if (!beginMoveRows({}, row, row, {}, delta > 0 ? target + 1 : target))
        return false;
    std::swap(m_events[std::size_t(row)], m_events[std::size_t(target)]);
    endMoveRows();
    numbersChanged();
    return true;
}

void StagedEventModel::clear()
{
    if (m_events.empty())
        return;
    beginResetModel();
    m_events.clear();
    endResetModel();
}

void StagedEventModel::setBase(quint64 streamHead, quint64 lastGlobal)
{
    if (streamHead == m_streamHead && lastGlobal == m_lastGlobal)
        return;
    m_streamHead = streamHead;
    m_lastGlobal = lastGlobal;
    numbersChanged();
}

void StagedEventModel::numbersChanged()
{
    if (!m_events.empty())
        Q_EMIT dataChanged(index(0, StreamSequence), index(size() - 1, GlobalSequence));
}

int StagedEventModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : size();
}

int StagedEventModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StagedEventModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EventRecord &event = m_events[std::size_t(index.row())];
    const quint64 streamSequence = m_streamHead + quint64(index.row()) + 1;
    const quint64 globalSequence = m_lastGlobal + quint64(index.row()) + 1;
    switch (role) {
    case StreamSequenceRole:
        return streamSequence;
    case GlobalSequenceRole:
        return globalSequence;
    case Qt::DisplayRole:
        switch (index.column()) {
        case StreamSequence:
            return streamSequence;
        case GlobalSequence:
            return globalSequence;
        case EventType:
            return QString::fromStdString(event.eventType);
        case Data:
            return RecordTableModel::dataPreview(event.data);
        case Metadata:
            return RecordTableModel::dataPreview(event.metadata);
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == StreamSequence || index.column() == GlobalSequence)
            return tr("The number this event gets if the staged events are saved now");
        if (index.column() == Data)
            return QString::fromStdString(event.data);
        if (index.column() == Metadata)
            return QString::fromStdString(event.metadata);
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == StreamSequence || index.column() == GlobalSequence)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    return {};
}

QVariant StagedEventModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case StreamSequence:
        return tr("Stream #");
    case GlobalSequence:
        return tr("Global #");
    case EventType:
        return tr("Event type");
    case Data:
        return tr("Data");
    case Metadata:
        return tr("Metadata");
    }
    return {};
}

} // namespace rangedb::ui
