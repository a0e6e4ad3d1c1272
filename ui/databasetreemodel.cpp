#include "databasetreemodel.h"

#include "storeservice.h"

#include <QFont>
#include <QLocale>

#include <algorithm>

namespace rangedb::ui {

DatabaseTreeModel::DatabaseTreeModel(StoreService *service, QObject *parent)
    : QAbstractItemModel(parent), m_service(service)
{
    connect(m_service, &StoreService::opened, this, &DatabaseTreeModel::reload);
    connect(m_service, &StoreService::closed, this, &DatabaseTreeModel::clear);
    connect(m_service, &StoreService::recordsAppended, this, &DatabaseTreeModel::onRecordsAppended);
    connect(m_service, &StoreService::liveEventsMissed, this, &DatabaseTreeModel::reload);
    connect(m_service, &StoreService::streamDeleted, this, &DatabaseTreeModel::reload);
}

DatabaseTreeModel::~DatabaseTreeModel()
{
    for (auto &cancel : m_cancel)
        cancel();
}

void DatabaseTreeModel::clear()
{
    beginResetModel();
    ++m_generation;
    for (auto &cancel : m_cancel)
        cancel();
    m_cancel.clear();
    m_root.children.clear();
    m_all = nullptr;
    m_counting = false;
    m_backlog.clear();
    endResetModel();
}

void DatabaseTreeModel::reload()
{
    clear();
    if (!m_service->isOpen())
        return;
    beginInsertRows({}, 0, 0);
    m_root.children.push_back(std::make_unique<Node>(Node{NodeKind::AllEvents, tr("All events"), 0, 0, &m_root, {}, true, false}));
    m_all = m_root.children.front().get();
    endInsertRows();
    m_counting = true;
    const quint64 generation = m_generation;
    auto handle = m_service->runWithProgress<std::vector<AggregateTypeInfo>>(
        this,
        [](Store &store, std::stop_token stop, const auto &report) { return store.aggregateTypes(stop, report); },
        [this, generation](const std::vector<AggregateTypeInfo> &partial) {
            if (generation == m_generation && m_counting)
                applyCounts(partial, false);
        },
        [this, generation](Result<std::vector<AggregateTypeInfo>> result) {
            if (generation != m_generation)
                return;
            m_counting = false;
            if (!result.ok()) {
                Q_EMIT loadFailed(QString::fromStdString(result.status().message()));
                return;
            }
            applyCounts(result.value(), true);
            // Events appended while counting: the snapshot had none of them.
            std::vector<Record> backlog = std::exchange(m_backlog, {});
            if (!backlog.empty())
                onRecordsAppended(std::make_shared<const std::vector<Record>>(std::move(backlog)));
            Q_EMIT countingFinished(totalEvents());
        });
    if (handle.isActive())
        m_cancel.push_back([handle]() mutable { handle.cancel(); });
    else
        m_counting = false;
}

quint64 DatabaseTreeModel::totalEvents() const
{
    return m_all ? m_all->count : 0;
}

QStringList DatabaseTreeModel::aggregateTypes() const
{
    QStringList types;
    for (const auto &child : m_root.children) {
        if (child->kind == NodeKind::AggregateType)
            types.append(child->name);
    }
    return types;
}

DatabaseTreeModel::Node *DatabaseTreeModel::typeNode(const QString &type) const
{
    // Types are few (tens): a linear search is fine and keeps the order simple.
    for (const auto &child : m_root.children) {
        if (child->kind == NodeKind::AggregateType && child->name == type)
            return child.get();
    }
    return nullptr;
}

DatabaseTreeModel::Node *DatabaseTreeModel::insertType(const QString &type, quint64 count, bool childrenLoaded)
{
    // After "All events", sorted by name.
    auto &children = m_root.children;
    auto pos = std::lower_bound(children.begin() + 1, children.end(), type,
                                [](const auto &node, const QString &name) { return node->name < name; });
    const int row = int(pos - children.begin());
    beginInsertRows({}, row, row);
    auto node = std::make_unique<Node>(Node{NodeKind::AggregateType, type, count, 0, &m_root, {}, childrenLoaded, false});
    Node *raw = node.get();
    children.insert(children.begin() + row, std::move(node));
    endInsertRows();
    return raw;
}

void DatabaseTreeModel::applyCounts(const std::vector<AggregateTypeInfo> &types, bool complete)
{
    quint64 total = 0;
    for (const auto &info : types) {
        const QString name = QString::fromStdString(info.aggregateType);
        total += info.totalEvents;
        if (Node *node = typeNode(name)) {
            if (node->count != info.totalEvents) {
                node->count = info.totalEvents;
                const QModelIndex changed = indexOfNode(node, CountColumn);
                Q_EMIT dataChanged(changed, changed);
            }
        } else {
            insertType(name, info.totalEvents);
        }
    }
    if (complete) {
        // Types that vanished (all their streams deleted).
        for (int row = int(m_root.children.size()) - 1; row >= 1; --row) {
            const QString &name = m_root.children[std::size_t(row)]->name;
            const bool present = std::any_of(types.begin(), types.end(), [&](const auto &info) {
                return info.aggregateType == name.toStdString();
            });
            if (!present) {
                beginRemoveRows({}, row, row);
                m_root.children.erase(m_root.children.begin() + row);
                endRemoveRows();
            }
        }
    }
    if (m_all) {
        m_all->count = total;
        const QModelIndex changed = indexOfNode(m_all, CountColumn);
        Q_EMIT dataChanged(indexOfNode(m_all, NameColumn), changed);
    }
}

void DatabaseTreeModel::onRecordsAppended(const std::shared_ptr<const std::vector<Record>> &batch)
{
    if (!m_all)
        return;
    if (m_counting) {
        m_backlog.insert(m_backlog.end(), batch->begin(), batch->end());
        return;
    }
    // Group by type and stream first: one dataChanged per node per batch.
    std::map<QString, quint64> perType;
    std::map<QString, std::pair<quint64, quint64>> perStream; // count, last gsn
    for (const Record &record : *batch) {
        ++perType[QString::fromStdString(record.aggregateType)];
        auto &stream = perStream[QString::fromStdString(record.streamName())];
        ++stream.first;
        stream.second = std::max<quint64>(stream.second, record.globalSequenceNumber);
    }
    for (const auto &[type, count] : perType) {
        Node *node = typeNode(type);
        if (!node) {
            node = insertType(type, count, true); // a new type: its streams all come live
        } else {
            node->count += count;
            const QModelIndex changed = indexOfNode(node, CountColumn);
            Q_EMIT dataChanged(changed, changed);
        }
    }
    for (const auto &[stream, info] : perStream) {
        const QString type = stream.section(QLatin1Char('!'), 0, 0);
        Node *parentNode = typeNode(type);
        if (!parentNode || !parentNode->childrenLoaded)
            continue; // counted when the type is expanded
        auto &children = parentNode->children;
        auto pos = std::lower_bound(children.begin(), children.end(), stream,
                                    [](const auto &node, const QString &name) { return node->name < name; });
        if (pos != children.end() && (*pos)->name == stream) {
            (*pos)->count += info.first;
            (*pos)->lastGlobalSequence = info.second;
            const QModelIndex changed = indexOfNode(pos->get(), CountColumn);
            Q_EMIT dataChanged(changed, changed);
        } else {
            const int row = int(pos - children.begin());
            beginInsertRows(indexOfNode(parentNode), row, row);
            children.insert(pos, std::make_unique<Node>(
                                     Node{NodeKind::Stream, stream, info.first, info.second, parentNode, {}, true, false}));
            endInsertRows();
        }
    }
    m_all->count += batch->size();
    const QModelIndex changed = indexOfNode(m_all, CountColumn);
    Q_EMIT dataChanged(changed, changed);
}

Scope DatabaseTreeModel::scopeOf(const QModelIndex &index)
{
    if (!index.isValid())
        return Scope::allEvents();
    const auto kind = NodeKind(index.data(KindRole).toInt());
    const QString name = index.data(NameRole).toString();
    switch (kind) {
    case NodeKind::AllEvents:
        return Scope::allEvents();
    case NodeKind::AggregateType:
        return Scope::ofAggregateTypes({name.toStdString()});
    case NodeKind::Stream:
        return Scope::ofStream(name.toStdString());
    }
    return Scope::allEvents();
}

QModelIndex DatabaseTreeModel::allEventsIndex() const
{
    return m_all ? indexOfNode(m_all) : QModelIndex();
}

QModelIndex DatabaseTreeModel::indexOfAggregateType(const QString &type) const
{
    Node *node = typeNode(type);
    return node ? indexOfNode(node) : QModelIndex();
}

QModelIndex DatabaseTreeModel::indexOfStream(const QString &stream) const
{
    Node *parentNode = typeNode(stream.section(QLatin1Char('!'), 0, 0));
    if (!parentNode)
        return {};
    for (const auto &child : parentNode->children) {
        if (child->name == stream)
            return indexOfNode(child.get());
    }
    return {};
}

DatabaseTreeModel::Node *DatabaseTreeModel::nodeOf(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : const_cast<Node *>(&m_root);
}

int DatabaseTreeModel::rowOf(const Node *node) const
{
    const auto &siblings = node->parent->children;
    for (std::size_t i = 0; i < siblings.size(); ++i) {
        if (siblings[i].get() == node)
            return int(i);
    }
    return -1;
}

QModelIndex DatabaseTreeModel::indexOfNode(const Node *node, int column) const
{
    if (!node || node == &m_root)
        return {};
    return createIndex(rowOf(node), column, const_cast<Node *>(node));
}

QModelIndex DatabaseTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    Node *parentNode = nodeOf(parent);
    return createIndex(row, column, parentNode->children[std::size_t(row)].get());
}

QModelIndex DatabaseTreeModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    Node *node = nodeOf(child);
    return indexOfNode(node->parent);
}

int DatabaseTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    return int(nodeOf(parent)->children.size());
}

int DatabaseTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

bool DatabaseTreeModel::hasChildren(const QModelIndex &parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return false;
    const Node *node = nodeOf(parent);
    if (node->kind == NodeKind::AggregateType)
        return !node->childrenLoaded || !node->children.empty();
    return !node->children.empty();
}

bool DatabaseTreeModel::canFetchMore(const QModelIndex &parent) const
{
    if (!parent.isValid() || parent.column() != 0)
        return false;
    const Node *node = nodeOf(parent);
    return node->kind == NodeKind::AggregateType && !node->childrenLoaded && !node->loading;
}

void DatabaseTreeModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    Node *node = nodeOf(parent);
    node->loading = true;
    const quint64 generation = m_generation;
    const std::string type = node->name.toStdString();
    const QString typeName = node->name;
    auto handle = m_service->run(
        this, [type](Store &store, std::stop_token stop) { return store.streams(type, stop); },
        [this, generation, typeName](Result<std::vector<StreamInfo>> result) {
            if (generation != m_generation)
                return;
            Node *typeNodePtr = typeNode(typeName);
            if (!typeNodePtr)
                return;
            typeNodePtr->loading = false;
            if (!result.ok()) {
                Q_EMIT loadFailed(QString::fromStdString(result.status().message()));
                return;
            }
            typeNodePtr->childrenLoaded = true;
            const auto &streams = result.value();
            if (!streams.empty()) {
                beginInsertRows(indexOfNode(typeNodePtr), 0, int(streams.size()) - 1);
                typeNodePtr->children.reserve(streams.size());
                for (const auto &info : streams) {
                    typeNodePtr->children.push_back(std::make_unique<Node>(
                        Node{NodeKind::Stream, QString::fromStdString(info.streamName), info.totalEvents,
                             info.lastGlobalSequenceNumber, typeNodePtr, {}, true, false}));
                }
                endInsertRows();
            }
            Q_EMIT streamsLoaded(typeName);
        });
    if (handle.isActive())
        m_cancel.push_back([handle]() mutable { handle.cancel(); });
    else
        node->loading = false;
}

QVariant DatabaseTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index))
        return {};
    const Node *node = nodeOf(index);
    switch (role) {
    case Qt::DisplayRole:
        if (index.column() == NameColumn) {
            if (node->kind == NodeKind::Stream)
                return node->name.section(QLatin1Char('!'), 1); // the ID; the type is the parent
            return node->name;
        }
        if (index.column() == CountColumn) {
            QString text = QLocale().toString(node->count);
            if (m_counting && node->kind != NodeKind::Stream)
                text += QStringLiteral("…");
            return text;
        }
        return {};
    case Qt::ToolTipRole:
        if (node->kind == NodeKind::Stream)
            return tr("%1: %2 events, last global #%3")
                .arg(node->name, QLocale().toString(node->count), QString::number(node->lastGlobalSequence));
        if (node->kind == NodeKind::AggregateType)
            return tr("Aggregate type %1: %2 events").arg(node->name, QLocale().toString(node->count));
        return tr("Every event of the database, in global order");
    case Qt::TextAlignmentRole:
        if (index.column() == CountColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::FontRole:
        if (node->kind == NodeKind::AllEvents) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case KindRole:
        return int(node->kind);
    case NameRole:
        return node->kind == NodeKind::AllEvents ? QString() : node->name;
    case CountRole:
        return node->count;
    case LastGlobalSequenceRole:
        return node->lastGlobalSequence;
    default:
        return {};
    }
}

QVariant DatabaseTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == NameColumn ? tr("Name") : tr("Events");
}

} // namespace rangedb::ui
