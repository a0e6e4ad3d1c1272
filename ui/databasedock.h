#pragma once

#include "databasetreemodel.h"

#include <QDockWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTreeView;

namespace rangedb::ui {

class StoreService;

// The "Database" dock: All events, aggregate types and their streams with counts, and a
// filter field. Choosing an item (or several aggregate types) asks for that scope.
class DatabaseDock : public QDockWidget
{
    Q_OBJECT

public:
    explicit DatabaseDock(StoreService *service, QWidget *parent = nullptr);

    DatabaseTreeModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }
    // Selects the node of a scope (if it is in the tree).
    void selectScope(const Scope &scope);

Q_SIGNALS:
    void scopeChosen(const rangedb::Scope &scope, const QString &title);
    // Right click on a node: the window adds its actions (export, delete, ...).
    void contextMenuRequested(const rangedb::Scope &scope, const QPoint &globalPosition);

private:
    void onSelectionChanged();

    DatabaseTreeModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QTreeView *m_view;
    QLineEdit *m_filter;
};

QString scopeTitle(const Scope &scope);

} // namespace rangedb::ui
