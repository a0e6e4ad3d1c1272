#include "jsontreemodel.h"

#include <rangedb/json.h>

#include <QFontDatabase>

// ui/CMakeLists.txt defines RAPIDJSON_NO_SIZETYPEDEFINE, as the core does: RapidJSON's
// default 32-bit SizeType would cap string lengths.
namespace rapidjson {
typedef ::std::size_t SizeType;
}
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>

namespace rangedb::ui {

namespace {

constexpr int kMaxDisplayChars = 300;
constexpr int kMaxToolTipChars = 4000;

// Control characters made visible, so that a string stays on one line in the tree.
QString visibleText(const std::string &utf8, int maxChars)
{
    QString text = QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size()));
    bool elided = false;
    if (text.size() > maxChars) {
        text.truncate(maxChars);
        elided = true;
    }
    QString out;
    out.reserve(text.size() + 8);
    for (const QChar c : std::as_const(text)) {
        switch (c.unicode()) {
        case '\n': out += QLatin1String("\\n"); break;
        case '\r': out += QLatin1String("\\r"); break;
        case '\t': out += QLatin1String("\\t"); break;
        default:
            if (c.unicode() < 0x20)
                out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    if (elided)
        out += QChar(0x2026);
    return out;
}

QString kindName(JsonTreeModel::Kind kind)
{
    switch (kind) {
    case JsonTreeModel::Null: return QStringLiteral("null");
    case JsonTreeModel::Bool: return QStringLiteral("boolean");
    case JsonTreeModel::Number: return QStringLiteral("number");
    case JsonTreeModel::String: return QStringLiteral("string");
    case JsonTreeModel::Object: return QStringLiteral("object");
    case JsonTreeModel::Array: return QStringLiteral("array");
    }
    return {};
}

} // namespace

// Builds the node table from SAX events. The text was validated before (json::normalize),
// so the handler needs no error handling of its own. RapidJSON's iterative parser calls
// Start/End before taking the bracket, so Tell() is the bracket's offset there.
class JsonTreeModel::Builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Builder>
{
public:
    Builder(std::vector<Node> &nodes, const rapidjson::MemoryStream &stream) : m_nodes(nodes), m_stream(stream) {}

    bool Null() { return scalar(Null_, "null", 4); }
    bool Bool(bool b) { return b ? scalar(Bool_, "true", 4) : scalar(Bool_, "false", 5); }
    bool RawNumber(const char *s, rapidjson::SizeType n, bool) { return scalar(Number_, s, n); }
    bool String(const char *s, rapidjson::SizeType n, bool) { return scalar(String_, s, n); }
    bool Key(const char *s, rapidjson::SizeType n, bool)
    {
        m_key.assign(s, n);
        return true;
    }
    bool StartObject() { return open(Object_); }
    bool StartArray() { return open(Array_); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool EndArray(rapidjson::SizeType) { return close(); }
    bool Default() { return false; }

private:
    static constexpr Kind Null_ = JsonTreeModel::Null;
    static constexpr Kind Bool_ = JsonTreeModel::Bool;
    static constexpr Kind Number_ = JsonTreeModel::Number;
    static constexpr Kind String_ = JsonTreeModel::String;
    static constexpr Kind Object_ = JsonTreeModel::Object;
    static constexpr Kind Array_ = JsonTreeModel::Array;

    int add(Kind kind)
    {
        Node node;
        node.kind = kind;
        if (!m_stack.empty()) {
            Node &parent = m_nodes[static_cast<std::size_t>(m_stack.back())];
            node.parent = m_stack.back();
            node.row = static_cast<int>(parent.children.size());
            if (parent.kind == Array_)
                node.index = node.row;
            else
                node.key = std::move(m_key);
            parent.children.push_back(static_cast<int>(m_nodes.size()));
        }
        m_nodes.push_back(std::move(node));
        return static_cast<int>(m_nodes.size()) - 1;
    }
    bool scalar(Kind kind, const char *s, std::size_t n)
    {
        const int id = add(kind);
        m_nodes[static_cast<std::size_t>(id)].text.assign(s, n);
        return true;
    }
    bool open(Kind kind)
    {
        const int id = add(kind);
        m_nodes[static_cast<std::size_t>(id)].spanStart = m_stream.Tell();
        m_stack.push_back(id);
        return true;
    }
    bool close()
    {
        m_nodes[static_cast<std::size_t>(m_stack.back())].spanEnd = m_stream.Tell() + 1;
        m_stack.pop_back();
        return true;
    }

    std::vector<Node> &m_nodes;
    const rapidjson::MemoryStream &m_stream;
    std::vector<int> m_stack;
    std::string m_key;
};

JsonTreeModel::JsonTreeModel(QObject *parent) : QAbstractItemModel(parent) {}

JsonTreeModel::~JsonTreeModel() = default;

Status JsonTreeModel::setJson(std::string_view json, const QString &rootName)
{
    beginResetModel();
    m_nodes.clear();
    m_top.clear();
    m_rootName = rootName;
    // Validating first gives the core's error wording (line, column, byte) and lets the
    // builder trust its input. The compact text is what "copy value" hands out anyway.
    auto compact = json::normalize(json, rootName.toStdString());
    if (!compact.ok()) {
        m_source.clear();
        endResetModel();
        return compact.status();
    }
    m_source = std::move(compact).value();
    rapidjson::Reader reader;
    rapidjson::MemoryStream stream(m_source.data(), m_source.size());
    Builder builder(m_nodes, stream);
    constexpr unsigned kFlags = rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag
        | rapidjson::kParseStopWhenDoneFlag;
    reader.Parse<kFlags>(stream, builder);

    Node &root = m_nodes.front();
    if (root.kind == Object || root.kind == Array) {
        m_top = root.children;
        for (int child : m_top)
            m_nodes[static_cast<std::size_t>(child)].parent = -1;
    } else {
        m_top = {0};
    }
    endResetModel();
    return {};
}

void JsonTreeModel::clear()
{
    beginResetModel();
    m_nodes.clear();
    m_top.clear();
    m_source.clear();
    endResetModel();
}

const JsonTreeModel::Node *JsonTreeModel::nodeAt(const QModelIndex &index) const
{
    if (!index.isValid() || index.model() != this || index.internalId() >= m_nodes.size())
        return nullptr;
    return &m_nodes[index.internalId()];
}

const std::vector<int> &JsonTreeModel::childrenOf(const QModelIndex &parent) const
{
    static const std::vector<int> kNone;
    if (!parent.isValid())
        return m_top;
    const Node *node = nodeAt(parent);
    return node != nullptr && parent.column() == 0 ? node->children : kNone;
}

QModelIndex JsonTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    const std::vector<int> &children = childrenOf(parent);
    if (row < 0 || column < 0 || column >= ColumnCount || static_cast<std::size_t>(row) >= children.size())
        return {};
    return createIndex(row, column, static_cast<quintptr>(children[static_cast<std::size_t>(row)]));
}

QModelIndex JsonTreeModel::parent(const QModelIndex &child) const
{
    const Node *node = nodeAt(child);
    if (node == nullptr || node->parent < 0)
        return {};
    const Node &parent = m_nodes[static_cast<std::size_t>(node->parent)];
    // Top-level rows have parent -1, so a parent here always has a row of its own.
    return createIndex(parent.row, 0, static_cast<quintptr>(node->parent));
}

int JsonTreeModel::rowCount(const QModelIndex &parent) const
{
    return static_cast<int>(childrenOf(parent).size());
}

int JsonTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QString JsonTreeModel::pathSegment(const QString &key)
{
    static const QString kSpecial = QStringLiteral(".[]()=!<>~\"\\");
    const bool bare = !key.isEmpty() && std::none_of(key.begin(), key.end(), [](QChar c) {
        return c.isSpace() || c.unicode() < 0x20 || kSpecial.contains(c);
    });
    if (bare)
        return key;
    QString quoted = QStringLiteral("\"");
    for (const QChar c : key) {
        switch (c.unicode()) {
        case '"': quoted += QLatin1String("\\\""); break;
        case '\\': quoted += QLatin1String("\\\\"); break;
        case '\n': quoted += QLatin1String("\\n"); break;
        case '\r': quoted += QLatin1String("\\r"); break;
        case '\t': quoted += QLatin1String("\\t"); break;
        default:
            if (c.unicode() < 0x20)
                quoted += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
            else
                quoted += c;
        }
    }
    return quoted + QLatin1Char('"');
}

QString JsonTreeModel::pathOf(int id) const
{
    QStringList parts;
    for (int n = id; n >= 0; n = m_nodes[static_cast<std::size_t>(n)].parent) {
        const Node &node = m_nodes[static_cast<std::size_t>(n)];
        if (n == 0)
            break; // the root value itself: the root name says it
        if (node.index >= 0)
            parts.prepend(QLatin1Char('[') + QString::number(node.index) + QLatin1Char(']'));
        else
            parts.prepend(QLatin1Char('.') + pathSegment(QString::fromStdString(node.key)));
    }
    return m_rootName + parts.join(QString());
}

QVariant JsonTreeModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Node *node = nodeAt(index);
    if (node == nullptr)
        return {};
    const int id = static_cast<int>(index.internalId());
    const bool container = node->kind == Object || node->kind == Array;

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case KeyColumn:
            if (id == 0)
                return m_rootName;
            if (node->index >= 0)
                return QString(QLatin1Char('[') + QString::number(node->index) + QLatin1Char(']'));
            return visibleText(node->key, kMaxDisplayChars);
        case ValueColumn:
            switch (node->kind) {
            case Object: return QStringLiteral("{%1}").arg(node->children.size());
            case Array: return QStringLiteral("[%1]").arg(node->children.size());
            case String: return QString(QLatin1Char('"') + visibleText(node->text, kMaxDisplayChars) + QLatin1Char('"'));
            default: return QString::fromStdString(node->text);
            }
        case TypeColumn: return kindName(node->kind);
        default: return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == ValueColumn && node->kind == String)
            return visibleText(node->text, kMaxToolTipChars);
        if (index.column() == KeyColumn)
            return pathOf(id);
        return {};
    case Qt::FontRole:
        if (index.column() == ValueColumn)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    case PathRole: return pathOf(id);
    case CompactJsonRole:
        if (container)
            return QString::fromUtf8(m_source.data() + node->spanStart,
                                     static_cast<qsizetype>(node->spanEnd - node->spanStart));
        if (node->kind == String)
            return QString::fromStdString(json::quoted(node->text));
        return QString::fromStdString(node->text);
    case KindRole: return static_cast<int>(node->kind);
    case ChildCountRole: return static_cast<int>(node->children.size());
    default: return {};
    }
}

QVariant JsonTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KeyColumn: return tr("Key");
    case ValueColumn: return tr("Value");
    case TypeColumn: return tr("Type");
    default: return {};
    }
}

Qt::ItemFlags JsonTreeModel::flags(const QModelIndex &index) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid))
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (nodeAt(index)->children.empty())
        f |= Qt::ItemNeverHasChildren;
    return f;
}

} // namespace rangedb::ui
