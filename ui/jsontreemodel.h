#pragma once

#include <rangedb/status.h>

#include <QAbstractItemModel>
#include <QString>

#include <string>
#include <string_view>
#include <vector>

namespace rangedb::ui {

// One JSON value as an expandable tree: columns Key, Value, Type.
//
// Built from exact JSON text (a Record's data or metadata) with RapidJSON, keeping number
// literals as written: 18446744073709551615 shows as 18446744073709551615, not as the
// double QJsonDocument would make of it. An object or array at the top shows its members
// as top-level rows; a scalar at the top is one row named after the root.
//
// Keys are member names or "[i]" for array elements; values show strings quoted, numbers
// and true/false/null as written, objects as "{n}" and arrays as "[n]" (child counts).
// PathRole gives the path in the search syntax (README "Search syntax"), e.g.
// data.items[0].sku or data."a.b"; CompactJsonRole the item's value as compact JSON text,
// for "copy value". The model is read-only and fixed until the next setJson()/clear().
// GUI thread.
class JsonTreeModel : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { KeyColumn, ValueColumn, TypeColumn, ColumnCount };
    enum Roles {
        PathRole = Qt::UserRole + 1, // QString: data.items[0].sku
        CompactJsonRole,             // QString: the value as compact JSON text
        KindRole,                    // int: JsonTreeModel::Kind
        ChildCountRole,              // int: members or elements of an object or array
    };
    enum Kind { Null, Bool, Number, String, Object, Array };

    explicit JsonTreeModel(QObject *parent = nullptr);
    ~JsonTreeModel() override;

    // Replaces the content with the value in `json`. `rootName` starts every path
    // ("data", "metadata"). On invalid JSON the model is left empty and the DecodeError
    // says where.
    Status setJson(std::string_view json, const QString &rootName);
    void clear();

    const QString &rootName() const { return m_rootName; }
    // Total number of items (for tests and statistics).
    int itemCount() const { return static_cast<int>(m_nodes.size()); }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    // The path segment that names a member in the search syntax: bare when it is a plain
    // name, quoted otherwise ("a.b", "with space", "").
    static QString pathSegment(const QString &key);

private:
    struct Node
    {
        std::string key;         // member name (unescaped)
        std::string text;        // scalars: the unescaped string or the literal
        std::size_t spanStart = 0; // containers: their bytes in m_source
        std::size_t spanEnd = 0;
        int parent = -1;         // node index; -1 for top-level rows
        int row = 0;             // row under the parent
        int index = -1;          // array element index; -1 for members and the root
        Kind kind = Null;
        std::vector<int> children;
    };
    class Builder;

    const Node *nodeAt(const QModelIndex &index) const;
    const std::vector<int> &childrenOf(const QModelIndex &parent) const;
    QString pathOf(int node) const;

    std::string m_source;
    std::vector<Node> m_nodes; // m_nodes[0] is the root value
    std::vector<int> m_top;    // the rows at the top
    QString m_rootName;
};

} // namespace rangedb::ui
