#include "databasetreemodel.h"
#include "storeservice.h"

#include "rangedb/leveldbstore.h"
#include "rangedb/memorystore.h"
#include "testutil.h"

#include <QAbstractItemModelTester>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rangedb;
using namespace rangedb::ui;

namespace {

// The tree as text: "name count" per line, children indented.
QString dump(const QAbstractItemModel &model, const QModelIndex &parent = {}, int depth = 0)
{
    QString text;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex name = model.index(row, DatabaseTreeModel::NameColumn, parent);
        const QModelIndex count = model.index(row, DatabaseTreeModel::CountColumn, parent);
        text += QString(depth * 2, QLatin1Char(' ')) + name.data().toString() + QLatin1Char(' ')
            + count.data().toString() + QLatin1Char('\n');
        text += dump(model, name, depth + 1);
    }
    return text;
}

} // namespace

class tst_DatabaseTreeModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fixtureDatabase_data();
    void fixtureDatabase();
    void liveEventsUpdateCounts();
    void scopeOfEachNode();

private:
    QString copyFixture(const QString &name);
    QTemporaryDir m_dir;
};

void tst_DatabaseTreeModel::initTestCase()
{
    QLocale::setDefault(QLocale::c());
}

QString tst_DatabaseTreeModel::copyFixture(const QString &name)
{
    const QString target = m_dir.filePath(name + QString::number(QRandomGenerator::global()->generate()));
    if (!test::copyFolder(test::fixtureDir() + QLatin1Char('/') + name, target))
        return {};
    return target;
}

void tst_DatabaseTreeModel::fixtureDatabase_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<bool>("readOnly");
    QTest::newRow("json-store") << QStringLiteral("json-store") << false;
    QTest::newRow("msgpack-store") << QStringLiteral("msgpack-store") << false;
    QTest::newRow("json-store read-only") << QStringLiteral("json-store") << true;
}

void tst_DatabaseTreeModel::fixtureDatabase()
{
    QFETCH(QString, fixture);
    QFETCH(bool, readOnly);
    const QString path = copyFixture(fixture);
    QVERIFY(!path.isEmpty());
    const QByteArray before = test::folderDigest(path);

    StoreService service;
    DatabaseTreeModel model(&service);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&model, &DatabaseTreeModel::countingFinished);
    QSignalSpy opened(&service, &StoreService::opened);
    service.open(OpenRequest{path, readOnly, false, Serializer::Json});
    QTRY_COMPARE(opened.size(), 1);
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().toULongLong(), 60ull);
    QCOMPARE(service.isReadOnly(), readOnly);

    // The counts of the fixture's README. Streams come when a type is expanded; the model
    // tester expands every type, so all of them are read.
    QTRY_VERIFY(model.indexOfStream(QStringLiteral("thing!1")).isValid());
    QTRY_COMPARE(dump(model), QStringLiteral("All events 60\n"
                                             "account 18\n"
                                             "  acct-0001.eu 9\n"
                                             "  acct-0002.us 4\n"
                                             "  acct-0003.jp 5\n"
                                             "another 4\n"
                                             "  x.y-z 4\n"
                                             "order 11\n"
                                             "  ord-2021.01.0001 3\n"
                                             "  ord-2021.01.0002 2\n"
                                             "  ord-2021.01.0003 4\n"
                                             "  ord-2021.01.0004 2\n"
                                             "sensor 12\n"
                                             "  station-oslo.02 5\n"
                                             "  station-z\u00fcrich.01 7\n"
                                             "thing 15\n"
                                             "  1 4\n"
                                             "  10 3\n"
                                             "  f9d8c7b6-a5e4-4d3c-b2a1-0f9e8d7c6b5a 8\n"));
    const QModelIndex stream = model.indexOfStream(QStringLiteral("account!acct-0001.eu"));
    QVERIFY(stream.isValid());
    QCOMPARE(stream.data(DatabaseTreeModel::CountRole).toULongLong(), 9ull);

    service.close();
    QCOMPARE(model.rowCount(), 0);
    if (readOnly) {
        QTest::qWait(200); // the store closes on a worker
        QCOMPARE(test::folderDigest(path), before);
    }
}

void tst_DatabaseTreeModel::liveEventsUpdateCounts()
{
    auto store = std::make_shared<MemoryStore>();
    QVERIFY(store->save(std::vector<EventRecord>{{"thing", "A", "Made", "{}", "null"}}).ok());
    StoreService service;
    service.setLiveInterval(5);
    DatabaseTreeModel model(&service);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy finished(&model, &DatabaseTreeModel::countingFinished);
    service.adopt(store, QStringLiteral("memory"));
    QTRY_COMPARE(finished.size(), 1);
    // The model tester expands "thing", which reads its streams.
    QTRY_VERIFY(model.indexOfStream(QStringLiteral("thing!A")).isValid());

    QVERIFY(store->save(std::vector<EventRecord>{{"thing", "A", "Changed", "{}", "null"},
                                                 {"thing", "A", "Changed", "{}", "null"}})
                .ok());
    QVERIFY(store->save(std::vector<EventRecord>{{"thing", "B", "Made", "{}", "null"}}).ok());
    QVERIFY(store->save(std::vector<EventRecord>{{"newtype", "1", "Made", "{}", "null"}}).ok());
    QTRY_COMPARE(dump(model), QStringLiteral("All events 5\n"
                                             "newtype 1\n"
                                             "  1 1\n"
                                             "thing 4\n"
                                             "  A 3\n"
                                             "  B 1\n"));
}

void tst_DatabaseTreeModel::scopeOfEachNode()
{
    auto store = std::make_shared<MemoryStore>();
    QVERIFY(store->save(std::vector<EventRecord>{{"thing", "A", "Made", "{}", "null"}}).ok());
    StoreService service;
    DatabaseTreeModel model(&service);
    QSignalSpy finished(&model, &DatabaseTreeModel::countingFinished);
    service.adopt(store, QStringLiteral("memory"));
    QTRY_COMPARE(finished.size(), 1);
    QVERIFY(DatabaseTreeModel::scopeOf(model.allEventsIndex()) == Scope::allEvents());
    const QModelIndex thing = model.indexOfAggregateType(QStringLiteral("thing"));
    QVERIFY(DatabaseTreeModel::scopeOf(thing) == Scope::ofAggregateTypes({"thing"}));
    QSignalSpy loaded(&model, &DatabaseTreeModel::streamsLoaded);
    model.fetchMore(thing);
    QTRY_COMPARE(loaded.size(), 1);
    QVERIFY(DatabaseTreeModel::scopeOf(model.indexOfStream(QStringLiteral("thing!A"))) == Scope::ofStream("thing!A"));
}

QTEST_MAIN(tst_DatabaseTreeModel)
#include "tst_databasetreemodel.moc"
