#pragma once

#include "rangedb/store.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace rangedb::ui {

class StoreService;
class RequestHandle;

// The "Database" tree: All events, then each aggregate type with its event count, then its
// streams with their counts (read when a type is first expanded).
//
// Counting runs on a worker and shows partial counts while it works; counts follow the
// events appended while the database is open. GUI thread only.
class DatabaseTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum class NodeKind { AllEvents, AggregateType, Stream };
    enum Columns { NameColumn, CountColumn, ColumnCount };
    enum Roles {
        KindRole = Qt::UserRole + 1, // int(NodeKind)
        NameRole,                    // aggregate type or stream name; empty for All events
        CountRole,                   // quint64
        LastGlobalSequenceRole,      // quint64, streams only
    };

    explicit DatabaseTreeModel(StoreService *service, QObject *parent = nullptr);
    ~DatabaseTreeModel() override;

    // Re-reads everything (after opening, a delete, or missed live events).
    void reload();
    bool isCounting() const { return m_counting; }
    quint64 totalEvents() const;
    QStringList aggregateTypes() const;
    // The scope an index stands for.
    static Scope scopeOf(const QModelIndex &index);
    QModelIndex indexOfAggregateType(const QString &type) const;
    QModelIndex indexOfStream(const QString &stream) const;
    QModelIndex allEventsIndex() const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    void countingFinished(quint64 totalEvents);
    void loadFailed(const QString &message);
    void streamsLoaded(const QString &aggregateType);

private:
    struct Node
    {
        NodeKind kind;
        QString name;
        quint64 count = 0;
        quint64 lastGlobalSequence = 0;
        Node *parent = nullptr;
        std::vector<std::unique_ptr<Node>> children;
        bool childrenLoaded = false;
        bool loading = false;
    };

    Node *nodeOf(const QModelIndex &index) const;
    QModelIndex indexOfNode(const Node *node, int column = 0) const;
    int rowOf(const Node *node) const;
    Node *typeNode(const QString &type) const;
    Node *insertType(const QString &type, quint64 count, bool childrenLoaded = false);
    void applyCounts(const std::vector<AggregateTypeInfo> &types, bool complete);
    void onRecordsAppended(const std::shared_ptr<const std::vector<Record>> &batch);
    void clear();

    StoreService *m_service;
    Node m_root{NodeKind::AllEvents, {}, 0, 0, nullptr, {}, true, false};
    Node *m_all = nullptr;
    bool m_counting = false;
    quint64 m_generation = 0;
    std::vector<std::function<void()>> m_cancel;
    std::vector<Record> m_backlog; // live records that arrived while counting
};

} // namespace rangedb::ui
