// JsonTreeModel: the tree of exact JSON text (big numbers as written), paths in the search
// syntax, compact values for "copy value", under QAbstractItemModelTester.

#include "jsontreemodel.h"

#include <rangedb/json.h>
#include <rangedb/recordfilter.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace rangedb;
using namespace rangedb::ui;

namespace {

// One line per item: indentation, key, value, type, path and compact value.
void dump(const QAbstractItemModel &model, const QModelIndex &parent, int depth, QString &out)
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex key = model.index(row, JsonTreeModel::KeyColumn, parent);
        out += QString(depth * 2, QLatin1Char(' ')) + key.data().toString() + QLatin1String(" = ")
            + model.index(row, JsonTreeModel::ValueColumn, parent).data().toString() + QLatin1String(" (")
            + model.index(row, JsonTreeModel::TypeColumn, parent).data().toString() + QLatin1String(") ")
            + key.data(JsonTreeModel::PathRole).toString() + QLatin1String(" -> ")
            + key.data(JsonTreeModel::CompactJsonRole).toString() + QLatin1Char('\n');
        dump(model, key, depth + 1, out);
    }
}

QString dump(const QAbstractItemModel &model)
{
    QString out;
    dump(model, {}, 0, out);
    return out;
}

} // namespace

class TestJsonTreeModel : public QObject
{
    Q_OBJECT

private slots:
    void goldenTree();
    void scalars_data();
    void scalars();
    void invalidJson();
    void pathSegment_data();
    void pathSegment();
    void pathsWorkAsSearchConditions();
    void resetSignals();
};

void TestJsonTreeModel::goldenTree()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const std::string json = R"({
        "id": "acct-1",
        "big": 18446744073709551615,
        "neg": -9223372036854775808,
        "huge": 123456789012345678901234567890,
        "price": 1.50,
        "exp": 1E+3,
        "ok": true,
        "none": null,
        "user": {"id": 7, "roles": ["admin", "ops"]},
        "items": [{"sku": "A1", "qty": 2}, [], {}],
        "a.b": "dotted",
        "with space": "line\nbreak\ttab",
        "quote\"d": "<&>",
        "city": "Zürich 🥐"
    })";
    const Status status = model.setJson(json, QStringLiteral("data"));
    QVERIFY2(status.ok(), status.message().c_str());

    const QString expected = QString::fromUtf8(R"(id = "acct-1" (string) data.id -> "acct-1"
big = 18446744073709551615 (number) data.big -> 18446744073709551615
neg = -9223372036854775808 (number) data.neg -> -9223372036854775808
huge = 123456789012345678901234567890 (number) data.huge -> 123456789012345678901234567890
price = 1.50 (number) data.price -> 1.50
exp = 1E+3 (number) data.exp -> 1E+3
ok = true (boolean) data.ok -> true
none = null (null) data.none -> null
user = {2} (object) data.user -> {"id":7,"roles":["admin","ops"]}
  id = 7 (number) data.user.id -> 7
  roles = [2] (array) data.user.roles -> ["admin","ops"]
    [0] = "admin" (string) data.user.roles[0] -> "admin"
    [1] = "ops" (string) data.user.roles[1] -> "ops"
items = [3] (array) data.items -> [{"sku":"A1","qty":2},[],{}]
  [0] = {2} (object) data.items[0] -> {"sku":"A1","qty":2}
    sku = "A1" (string) data.items[0].sku -> "A1"
    qty = 2 (number) data.items[0].qty -> 2
  [1] = [0] (array) data.items[1] -> []
  [2] = {0} (object) data.items[2] -> {}
a.b = "dotted" (string) data."a.b" -> "dotted"
with space = "line\nbreak\ttab" (string) data."with space" -> "line\nbreak\ttab"
quote"d = "<&>" (string) data."quote\"d" -> "\u003c\u0026\u003e"
city = "Zürich 🥐" (string) data.city -> "Zürich 🥐"
)");
    QCOMPARE(dump(model), expected);
    QCOMPARE(model.itemCount(), 24); // the root object and its 23 descendants

    const QModelIndex user = model.index(8, 0);
    QCOMPARE(user.data(JsonTreeModel::KindRole).toInt(), int(JsonTreeModel::Object));
    QCOMPARE(user.data(JsonTreeModel::ChildCountRole).toInt(), 2);
    QVERIFY(!(model.flags(model.index(0, 0)) & Qt::ItemIsEditable));
    QVERIFY(model.flags(model.index(0, 0)) & Qt::ItemNeverHasChildren);
    QCOMPARE(model.headerData(JsonTreeModel::KeyColumn, Qt::Horizontal).toString(), QStringLiteral("Key"));
    QCOMPARE(model.headerData(JsonTreeModel::ValueColumn, Qt::Horizontal).toString(), QStringLiteral("Value"));
    QCOMPARE(model.headerData(JsonTreeModel::TypeColumn, Qt::Horizontal).toString(), QStringLiteral("Type"));

    // Copying every value back gives JSON equal to the original members.
    QVERIFY(json::equal(model.index(9, 0).data(JsonTreeModel::CompactJsonRole).toString().toStdString(),
                        R"([{"sku":"A1","qty":2},[],{}])"));
}

void TestJsonTreeModel::scalars_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("null") << QByteArray("null") << QStringLiteral("metadata = null (null) metadata -> null\n");
    QTest::newRow("number") << QByteArray(" 18446744073709551615 ")
                            << QStringLiteral("metadata = 18446744073709551615 (number) metadata -> 18446744073709551615\n");
    QTest::newRow("string") << QByteArray(R"("x")") << QStringLiteral("metadata = \"x\" (string) metadata -> \"x\"\n");
    QTest::newRow("empty object") << QByteArray("{}") << QString();
    QTest::newRow("empty array") << QByteArray("[]") << QString();
    QTest::newRow("top array") << QByteArray("[1,[2]]")
                               << QStringLiteral("[0] = 1 (number) metadata[0] -> 1\n"
                                                 "[1] = [1] (array) metadata[1] -> [2]\n"
                                                 "  [0] = 2 (number) metadata[1][0] -> 2\n");
}

void TestJsonTreeModel::scalars()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.setJson(json.toStdString(), QStringLiteral("metadata")).ok());
    QCOMPARE(dump(model), expected);
}

void TestJsonTreeModel::invalidJson()
{
    JsonTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.setJson(R"({"a":1})", QStringLiteral("data")).ok());
    QCOMPARE(model.rowCount(), 1);
    const Status status = model.setJson(R"({"a":1,})", QStringLiteral("data"));
    QCOMPARE(status.code(), ErrorCode::DecodeError);
    QCOMPARE(QString::fromStdString(status.message()),
             QStringLiteral("data: line 1, column 8 (byte 7): expected a quoted member name"));
    QCOMPARE(model.rowCount(), 0);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestJsonTreeModel::pathSegment_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("segment");
    QTest::newRow("plain") << QStringLiteral("amount") << QStringLiteral("amount");
    QTest::newRow("unicode") << QStringLiteral("straße") << QStringLiteral("straße");
    QTest::newRow("dot") << QStringLiteral("a.b") << QStringLiteral("\"a.b\"");
    QTest::newRow("bracket") << QStringLiteral("a[0]") << QStringLiteral("\"a[0]\"");
    QTest::newRow("operator") << QStringLiteral("a=b") << QStringLiteral("\"a=b\"");
    QTest::newRow("empty") << QString() << QStringLiteral("\"\"");
    QTest::newRow("quote and backslash") << QStringLiteral("a\"\\") << QStringLiteral("\"a\\\"\\\\\"");
    QTest::newRow("control") << QStringLiteral("a\u0001") << QStringLiteral("\"a\\u0001\"");
}

void TestJsonTreeModel::pathSegment()
{
    QFETCH(QString, key);
    QFETCH(QString, segment);
    QCOMPARE(JsonTreeModel::pathSegment(key), segment);
}

// "Copy path" gives text the search box understands: each leaf's path = its value matches.
void TestJsonTreeModel::pathsWorkAsSearchConditions()
{
    Record record;
    record.data = R"({"a.b":{"with space":[1,{"q\"t":"x"}]},"big":18446744073709551615,"s":"Zo\u003ce"})";
    record.metadata = R"({"user":{"id":7}})";
    for (const auto &[text, root] : {std::pair{record.data, QStringLiteral("data")},
                                     std::pair{record.metadata, QStringLiteral("metadata")}}) {
        JsonTreeModel model;
        QVERIFY(model.setJson(text, root).ok());
        std::vector<QModelIndex> pending = {QModelIndex()};
        int leaves = 0;
        while (!pending.empty()) {
            const QModelIndex parent = pending.back();
            pending.pop_back();
            for (int row = 0; row < model.rowCount(parent); ++row) {
                const QModelIndex item = model.index(row, 0, parent);
                if (model.rowCount(item) > 0) {
                    pending.push_back(item);
                    continue;
                }
                const QString query = item.data(JsonTreeModel::PathRole).toString() + QLatin1String(" = ")
                    + item.data(JsonTreeModel::CompactJsonRole).toString();
                const auto filter = RecordFilter::parse(query.toStdString());
                QVERIFY2(filter.ok(), qPrintable(query));
                QVERIFY2(filter->matches(record), qPrintable(query));
                ++leaves;
            }
        }
        QVERIFY(leaves >= 1);
    }
}

void TestJsonTreeModel::resetSignals()
{
    JsonTreeModel model;
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QVERIFY(model.setJson("[1,2,3]", QStringLiteral("data")).ok());
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    model.clear();
    QCOMPARE(resets.count(), 2);
}

QTEST_MAIN(TestJsonTreeModel)
#include "tst_jsontreemodel.moc"
