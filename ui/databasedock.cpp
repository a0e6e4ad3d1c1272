#include "databasedock.h"

#include "storeservice.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace rangedb::ui {

QString scopeTitle(const Scope &scope)
{
    switch (scope.kind) {
    case Scope::Kind::AllEvents:
        return QObject::tr("All events");
    case Scope::Kind::AggregateTypes: {
        QStringList names;
        for (const auto &type : scope.aggregateTypes)
            names.append(QString::fromStdString(type));
        return names.size() == 1 ? QObject::tr("Aggregate type %1").arg(names.front())
                                 : QObject::tr("Aggregate types %1").arg(names.join(QStringLiteral(", ")));
    }
    case Scope::Kind::Stream:
        return QObject::tr("Stream %1").arg(QString::fromStdString(scope.stream));
    }
    return {};
}

namespace {

// Keeps "All events" and the parents of what matches; matches names case-insensitively.
class TreeFilter final : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override
    {
        const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
        if (index.data(DatabaseTreeModel::KindRole).toInt() == int(DatabaseTreeModel::NodeKind::AllEvents))
            return true;
        return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
    }
};

} // namespace

DatabaseDock::DatabaseDock(StoreService *service, QWidget *parent)
    : QDockWidget(tr("Database"), parent), m_model(new DatabaseTreeModel(service, this))
{
    setObjectName(QStringLiteral("databaseDock"));
    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    m_filter = new QLineEdit(content);
    m_filter->setObjectName(QStringLiteral("treeFilter"));
    m_filter->setPlaceholderText(tr("Filter aggregate types and streams"));
    m_filter->setClearButtonEnabled(true);

    m_proxy = new TreeFilter(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterRole(DatabaseTreeModel::NameRole);
    m_proxy->setFilterKeyColumn(DatabaseTreeModel::NameColumn);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_view = new QTreeView(content);
    m_view->setObjectName(QStringLiteral("databaseTree"));
    m_view->setModel(m_proxy);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(DatabaseTreeModel::NameColumn, QHeaderView::Stretch);
    m_view->header()->setSectionResizeMode(DatabaseTreeModel::CountColumn, QHeaderView::ResizeToContents);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &DatabaseDock::onSelectionChanged);
    connect(m_view, &QTreeView::customContextMenuRequested, this, [this](const QPoint &position) {
        const QModelIndex index = m_view->indexAt(position);
        if (index.isValid())
            Q_EMIT contextMenuRequested(DatabaseTreeModel::scopeOf(m_proxy->mapToSource(index)),
                                        m_view->viewport()->mapToGlobal(position));
    });
    // The first rows of a new database: select All events.
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &where, int first) {
        if (!where.isValid() && first == 0 && !m_view->currentIndex().isValid())
            m_view->setCurrentIndex(m_proxy->mapFromSource(m_model->allEventsIndex()));
    });

    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);
    setWidget(content);
}

void DatabaseDock::onSelectionChanged()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows(DatabaseTreeModel::NameColumn);
    if (rows.isEmpty())
        return;
    // Several aggregate types merge in global order; any other mix shows the current item.
    std::vector<std::string> types;
    for (const QModelIndex &row : rows) {
        const QModelIndex source = m_proxy->mapToSource(row);
        if (source.data(DatabaseTreeModel::KindRole).toInt() == int(DatabaseTreeModel::NodeKind::AggregateType))
            types.push_back(source.data(DatabaseTreeModel::NameRole).toString().toStdString());
    }
    Scope scope;
    if (rows.size() > 1 && types.size() == std::size_t(rows.size()))
        scope = Scope::ofAggregateTypes(types);
    else
        scope = DatabaseTreeModel::scopeOf(m_proxy->mapToSource(m_view->currentIndex()));
    Q_EMIT scopeChosen(scope, scopeTitle(scope));
}

void DatabaseDock::selectScope(const Scope &scope)
{
    QModelIndex source;
    switch (scope.kind) {
    case Scope::Kind::AllEvents:
        source = m_model->allEventsIndex();
        break;
    case Scope::Kind::AggregateTypes:
        source = m_model->indexOfAggregateType(QString::fromStdString(scope.aggregateTypes.front()));
        break;
    case Scope::Kind::Stream:
        source = m_model->indexOfStream(QString::fromStdString(scope.stream));
        break;
    }
    if (source.isValid())
        m_view->setCurrentIndex(m_proxy->mapFromSource(source));
}

} // namespace rangedb::ui
