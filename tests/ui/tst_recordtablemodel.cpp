#include "recordtablemodel.h"
#include "storeservice.h"

#include "rangedb/generator.h"
#include "rangedb/leveldbstore.h"
#include "rangedb/memorystore.h"
#include "testutil.h"

#include <leveldb/db.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace rangedb;
using namespace rangedb::ui;

namespace {

// Every record of a scope, straight from the store (the truth the model must show).
std::vector<Record> readScope(Store &store, const Scope &scope)
{
    std::vector<Record> records;
    auto it = scopeEvents(store, scope, 0);
    while (it->next())
        records.push_back(*it->record());
    return records;
}

void fill(Store &store, std::uint64_t events, std::uint64_t streams)
{
    GeneratorOptions options;
    options.events = events;
    options.streams = streams;
    options.aggregateTypes = 4;
    SampleGenerator generator(options);
    for (auto batch = generator.nextBatch(7); !batch.empty(); batch = generator.nextBatch(7)) {
        auto saved = store.save(batch);
        QVERIFY2(saved.ok(), saved.status().message().c_str());
    }
}

} // namespace

class tst_RecordTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void allEvents_countsAndShowsEveryRow_data();
    void allEvents_countsAndShowsEveryRow();
    void scopes_data();
    void scopes();
    void newestFirst();
    void eventTypeFilter();
    void liveAppendsGrowTheTable();
    void liveAppendsNewestFirstInsertAtTop();
    void deletedStreamReloads();
    void locateGlobalSequenceAndTime();
    void cacheStaysBounded();
    void undecodableRecordIsARowWithItsError();
    void closingEmptiesTheModel();

private:
    // Waits until the model has its full count.
    bool waitCounted(RecordTableModel &model);
    // Touches `row` and waits until its page arrived.
    bool waitLoaded(RecordTableModel &model, int row);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<Store> m_store;
    std::unique_ptr<StoreService> m_service;
};

void tst_RecordTableModel::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_service = std::make_unique<StoreService>();
    m_service->setLiveInterval(5);
}

void tst_RecordTableModel::cleanup()
{
    m_service.reset();
    m_store.reset();
    m_dir.reset();
}

bool tst_RecordTableModel::waitCounted(RecordTableModel &model)
{
    return QTest::qWaitFor([&] { return !model.isCounting(); }, 20000);
}

bool tst_RecordTableModel::waitLoaded(RecordTableModel &model, int row)
{
    return QTest::qWaitFor(
        [&] { return model.data(model.index(row, 0), RecordTableModel::LoadedRole).toBool(); }, 20000);
}

void tst_RecordTableModel::allEvents_countsAndShowsEveryRow_data()
{
    QTest::addColumn<bool>("leveldb");
    QTest::addColumn<int>("events");
    QTest::newRow("memory, one page") << false << 100;
    QTest::newRow("memory, pages") << false << 1500;
    QTest::newRow("leveldb, pages") << true << 1200;
}

void tst_RecordTableModel::allEvents_countsAndShowsEveryRow()
{
    QFETCH(bool, leveldb);
    QFETCH(int, events);
    if (leveldb) {
        LevelDbOptions options;
        options.createIfMissing = true;
        auto opened = LevelDbStore::open(m_dir->filePath(QStringLiteral("db")).toStdString(), options);
        QVERIFY(opened.ok());
        m_store = std::move(opened).value();
    } else {
        m_store = std::make_shared<MemoryStore>();
    }
    fill(*m_store, std::uint64_t(events), 20);
    // A deleted stream leaves a gap in the global numbers: rows and numbers differ.
    auto streams = m_store->streams("");
    QVERIFY(streams.ok() && streams->size() > 2);
    const StreamInfo victim = (*streams)[1];
    QVERIFY(m_store->optimisticDeleteStream(victim.totalEvents, victim.streamName).ok());
    const auto expected = readScope(*m_store, Scope::allEvents());
    QCOMPARE(int(expected.size()), events - int(victim.totalEvents));

    m_service->adopt(m_store, QStringLiteral("test"));
    RecordTableModel model(m_service.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy progress(&model, &RecordTableModel::countProgress);
    QSignalSpy loaded(&model, &RecordTableModel::pageLoaded);
    model.setScope(Scope::allEvents());
    QVERIFY(waitCounted(model));
    // Row 0 is announced as loaded whether its page came before or after the count.
    QTRY_VERIFY(std::any_of(loaded.begin(), loaded.end(),
                            [](const QList<QVariant> &args) { return args.at(0).toInt() == 0; }));
    QCOMPARE(model.rowCount(), int(expected.size()));
    QCOMPARE(model.columnCount(), int(RecordTableModel::ColumnCount));
    QVERIFY(!progress.isEmpty());
    QCOMPARE(progress.last().at(1).toBool(), true);

    for (int row : {0, 1, 255, 256, 257, int(expected.size()) / 2, int(expected.size()) - 1}) {
        if (row >= int(expected.size()))
            continue;
        QVERIFY2(waitLoaded(model, row), qPrintable(QString::number(row)));
        const Record &want = expected[std::size_t(row)];
        QCOMPARE(model.data(model.index(row, RecordTableModel::GlobalSequence)).toULongLong(),
                 quint64(want.globalSequenceNumber));
        QCOMPARE(model.data(model.index(row, RecordTableModel::StreamSequence)).toULongLong(),
                 quint64(want.streamSequenceNumber));
        QCOMPARE(model.data(model.index(row, RecordTableModel::AggregateType)).toString(),
                 QString::fromStdString(want.aggregateType));
        QCOMPARE(model.data(model.index(row, RecordTableModel::AggregateId)).toString(),
                 QString::fromStdString(want.aggregateId));
        QCOMPARE(model.data(model.index(row, RecordTableModel::EventType)).toString(),
                 QString::fromStdString(want.eventType));
        QCOMPARE(model.data(model.index(row, RecordTableModel::EventId)).toString(),
                 QString::fromStdString(want.eventId));
        QCOMPARE(model.data(model.index(row, RecordTableModel::Data)).toString(),
                 RecordTableModel::dataPreview(want.data));
        QCOMPARE(model.data(model.index(row, RecordTableModel::Time)).toString(),
                 RecordTableModel::formatTime(want.insertTimestamp, false));
        QCOMPARE(model.data(model.index(row, 0), RecordTableModel::StreamNameRole).toString(),
                 QString::fromStdString(want.streamName()));
        QVERIFY(model.rowAt(row));
        QVERIFY(model.rowAt(row)->record == want);
    }
}

void tst_RecordTableModel::scopes_data()
{
    QTest::addColumn<int>("kind");
    QTest::newRow("one aggregate type") << int(Scope::Kind::AggregateTypes);
    QTest::newRow("two aggregate types merged") << -1;
    QTest::newRow("one stream") << int(Scope::Kind::Stream);
}

void tst_RecordTableModel::scopes()
{
    QFETCH(int, kind);
    m_store = std::make_shared<MemoryStore>();
    fill(*m_store, 1000, 30);
    auto types = m_store->aggregateTypes();
    QVERIFY(types.ok() && types->size() >= 2);
    auto streams = m_store->streams((*types)[0].aggregateType);
    QVERIFY(streams.ok() && !streams->empty());
    Scope scope;
    if (kind == int(Scope::Kind::AggregateTypes))
        scope = Scope::ofAggregateTypes({(*types)[0].aggregateType});
    else if (kind == -1)
        scope = Scope::ofAggregateTypes({(*types)[1].aggregateType, (*types)[0].aggregateType});
    else
        scope = Scope::ofStream(streams->front().streamName);
    const auto expected = readScope(*m_store, scope);
    QVERIFY(!expected.empty());

    m_service->adopt(m_store, QStringLiteral("test"));
    RecordTableModel model(m_service.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setScope(scope);
    QVERIFY(waitCounted(model));
    QCOMPARE(model.rowCount(), int(expected.size()));
    for (int row = 0; row < model.rowCount(); ++row) {
        QVERIFY(waitLoaded(model, row));
        QVERIFY(model.rowAt(row)->record == expected[std::size_t(row)]);
    }
}

void tst_RecordTableModel::newestFirst()
{
    m_store = std::make_shared<MemoryStore>();
    fill(*m_store, 700, 10);
    const auto expected = readScope(*m_store, Scope::allEvents());
    m_service->adopt(m_store, QStringLiteral("test"));
    RecordTableModel model(m_service.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setNewestFirst(true);
    model.setScope(Scope::allEvents());
    QVERIFY(waitCounted(model));
    QCOMPARE(model.rowCount(), 700);
    for (int row : {0, 1, 300, 699}) {
        QVERIFY(waitLoaded(model, row));
        QVERIFY(model.rowAt(row)->record == expected[std::size_t(699 - row)]);
    }
    // Switching back keeps the count and flips the rows.
    model.setNewestFirst(false);
    QVERIFY(waitLoaded(model, 0));
    QVERIFY(model.rowAt(0)->record == expected.front());
}

void tst_RecordTableModel::eventTypeFilter()
{
    m_store = std::make_shared<MemoryStore>();
    fill(*m_store, 1200, 12);
    auto all = readScope(*m_store, Scope::allEvents());
    const std::string wanted = all[3].eventType;
    std::vector<Record> expected;
    std::copy_if(all.begin(), all.end(), std::back_inserter(expected),
                 [&](const Record &r) { return r.eventType == wanted; });
    QVERIFY(expected.size() > 1 && expected.size() < all.size());

    m_service->adopt(m_store, QStringLiteral("test"));
    RecordTableModel model(m_service.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEventTypes({QString::fromStdString(wanted)});
    model.setScope(Scope::allEvents());
    QVERIFY(waitCounted(model));
    QCOMPARE(model.rowCount(), int(expected.size()));
    for (int row = 0; row < model.rowCount(); ++row) {
        QVERIFY(waitLoaded(model, row));
        QVERIFY(model.rowAt(row)->record == expected[std::size_t(row)]);
    }
    model.setEventTypes({});
    QVERIFY(waitCounted(model));
    QCOMPARE(model.rowCount(), int(all.size()));
}

void tst_RecordTableModel::liveAppendsGrowTheTable()
{
    m_store = std::make_shared<MemoryStore>();
    fill(*m_store, 300, 5);
    m_service->adopt(m_store, QStringLiteral("test"));
    RecordTableModel model(m_service.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setScope(Scope::ofStream("extra!1"));
    QVERIFY(waitCounted(model));
    QCOMPARE(model.rowCount(), 0);
    RecordTableModel all(m_service.get());
    all.setScope(Scope::allEvents());
    QVERIFY(waitCounted(all));
    QCOMPARE(all.rowCount(), 300);

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    std::vector<EventRecord> events;
    for (int i = 0; i < 3; ++i)
        events.push_back({"extra", "1", "Added", "{\"n\":" + std::to_string(i) + "}", "null"});
    QVERIFY(m_store->save(events).ok());
    QVERIFY(m_store->save(std::vector<EventRecord>{{"other", "2", "Noise", "{}", "null"}}).ok());
    QTRY_COMPARE(model.rowCount(), 3);
    QTRY_COMPARE(all.rowCount(), 304);
    // One batch: one insert, not one per event.
    QCOMPARE(inserted.size(), 1);
    QVERIFY(model.rowAt(2));
    QCOMPARE(model.data(model.index(2, RecordTableModel::StreamSequence)).toULongLong(), 3ull);
    QCOMPARE(model.data(model.index(2, RecordTableModel::Data)).toString(), QStringLiteral("{\"n\":2}"));
    QVERIFY(waitLoaded(all, 303));
    QCOMPARE(all.data(all.index(303, RecordTableModel::EventType)).toString(), QStringLiteral("Noise"));
}

void tst_RecordTableModel::liveAppendsNewestFirstInsertAtTop()
{
    m_store = std::make_shared<MemoryStore>();
    fill(*m_store, 20, 2);
    m_service->adopt(m_store, QStringLiteral("test"));
    RecordTableModel model(m_service.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setNewestFirst(true);
    model.setScope(Scope::allEvents());
    QVERIFY(waitCounted(model));
    QVERIFY(m_store->save(std::vector<EventRecord>{{"late", "1", "Arrived", "{}", "null"}}).ok());
    QTRY_COMPARE(model.rowCount(), 21);
    QVERIFY(waitLoaded(model, 0));
    QCOMPARE(model.data(model.index(0, RecordTableModel::EventType)).toString(), QStringLiteral("Arrived"));
    QCOMPARE(model.data(model.index(0, RecordTableModel::GlobalSequence)).toULongLong(), 21ull);
}

void tst_RecordTableModel::deletedStreamReloads()
{
    m_store = std::make_shared<MemoryStore>();
    fill(*m_store, 400, 4);
    m_service->adopt(m_store, QStringLiteral("test"));
    RecordTableModel model(m_service.get());
    model.setScope(Scope::allEvents());
    QVERIFY(waitCounted(model));
    auto streams = m_store->streams("");
    QVERIFY(streams.ok());
    const StreamInfo victim = streams->front();
    QVERIFY(m_store->optimisticDeleteStream(victim.totalEvents, victim.streamName).ok());
    m_service->notifyStreamDeleted(QString::fromStdString(victim.streamName));
    QVERIFY(waitCounted(model));
    QTRY_COMPARE(quint64(model.rowCount()), quint64(400 - victim.totalEvents));
}

void tst_RecordTableModel::locateGlobalSequenceAndTime()
{
    // A clock that ticks one second per event: times and numbers grow together.
    std::uint64_t now = 1'600'000'000;
    StoreHooks hooks;
    hooks.clock = [&now] { return now++; };
    m_store = std::make_shared<MemoryStore>(Serializer::Json, hooks);
    fill(*m_store, 1000, 10);
    auto streams = m_store->streams("");
    QVERIFY(streams.ok());
    QVERIFY(m_store->optimisticDeleteStream((*streams)[0].totalEvents, (*streams)[0].streamName).ok());
    const auto expected = readScope(*m_store, Scope::allEvents());

    m_service->adopt(m_store, QStringLiteral("test"));
    RecordTableModel model(m_service.get());
    model.setScope(Scope::allEvents());
    QVERIFY(waitCounted(model));
    QSignalSpy located(&model, &RecordTableModel::located);

    for (std::size_t want : {std::size_t(0), std::size_t(1), std::size_t(255), std::size_t(256), std::size_t(600),
                             expected.size() - 1}) {
        located.clear();
        model.locateGlobalSequence(expected[want].globalSequenceNumber);
        QTRY_COMPARE(located.size(), 1);
        QCOMPARE(located.first().first().toInt(), int(want));
        located.clear();
        model.locateTime(expected[want].insertTimestamp);
        QTRY_COMPARE(located.size(), 1);
        QCOMPARE(located.first().first().toInt(), int(want));
    }
    // A number inside a gap goes to the next row that exists.
    const Record &deletedNeighbour = expected[0];
    (void)deletedNeighbour;
    located.clear();
    model.setNewestFirst(true);
    model.locateGlobalSequence(expected[10].globalSequenceNumber);
    QTRY_COMPARE(located.size(), 1);
    QCOMPARE(located.first().first().toInt(), int(expected.size() - 1 - 10));
}

void tst_RecordTableModel::cacheStaysBounded()
{
    m_store = std::make_shared<MemoryStore>();
    fill(*m_store, 20000, 50);
    m_service->adopt(m_store, QStringLiteral("test"));
    RecordTableModel model(m_service.get());
    model.setScope(Scope::allEvents());
    QVERIFY(waitCounted(model));
    QCOMPARE(model.rowCount(), 20000);
    // Walk every page, as scrolling top to bottom does.
    for (int row = 0; row < 20000; row += int(RecordTableModel::kPageSize))
        QVERIFY(waitLoaded(model, row));
    int cached = 0;
    for (int row = 0; row < 20000; row += int(RecordTableModel::kPageSize))
        cached += model.rowAt(row) != nullptr;
    QVERIFY2(cached <= RecordTableModel::kMaxCachedPages, qPrintable(QString::number(cached)));
    QVERIFY(model.rowAt(19999 - 19999 % 256)); // the latest page stays
}

void tst_RecordTableModel::undecodableRecordIsARowWithItsError()
{
    const QString path = m_dir->filePath(QStringLiteral("db"));
    {
        LevelDbOptions options;
        options.createIfMissing = true;
        auto opened = LevelDbStore::open(path.toStdString(), options);
        QVERIFY(opened.ok());
        for (int i = 1; i <= 600; ++i) {
            auto saved = opened.value()->save(std::vector<EventRecord>{
                {"thing", std::to_string(i % 3), "Happened", "{\"i\":" + std::to_string(i) + "}", "null"}});
            QVERIFY(saved.ok());
        }
    }
    // Break the stored value of gsn 300 and of gsn 301 behind rangedb's back.
    {
        leveldb::DB *raw = nullptr;
        leveldb::Options options;
        QVERIFY(leveldb::DB::Open(options, path.toStdString(), &raw).ok());
        std::unique_ptr<leveldb::DB> db(raw);
        for (int gsn : {300, 301}) {
            // Stream key of gsn g: thing!<g%3> with stream number (g - g%3)/3 (+1 if rem > 0).
            const int id = gsn % 3;
            const int streamSeq = id == 0 ? gsn / 3 : gsn / 3 + 1;
            std::string key = "thing!" + std::to_string(id) + "!";
            for (int shift = 56; shift >= 0; shift -= 8)
                key.push_back(char((std::uint64_t(streamSeq) >> shift) & 0xff));
            std::string value;
            QVERIFY(db->Get(leveldb::ReadOptions(), key, &value).ok());
            QVERIFY(db->Put(leveldb::WriteOptions(), key, "{not json").ok());
        }
    }
    LevelDbOptions options;
    auto opened = LevelDbStore::open(path.toStdString(), options);
    QVERIFY(opened.ok());
    m_store = std::move(opened).value();
    m_service->adopt(m_store, QStringLiteral("test"));
    RecordTableModel model(m_service.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setScope(Scope::allEvents());
    QVERIFY(waitCounted(model));
    QCOMPARE(model.rowCount(), 600); // the index still lists every event
    for (int row : {298, 299, 300, 301, 599}) {
        QVERIFY(waitLoaded(model, row));
        const QString error = model.data(model.index(row, 0), RecordTableModel::DecodeErrorRole).toString();
        QCOMPARE(model.data(model.index(row, RecordTableModel::GlobalSequence)).toULongLong(), quint64(row + 1));
        if (row == 299 || row == 300) {
            QVERIFY2(!error.isEmpty(), qPrintable(QString::number(row)));
            QCOMPARE(model.data(model.index(row, RecordTableModel::Data)).toString(), error);
        } else {
            QVERIFY2(error.isEmpty(), qPrintable(error));
            QCOMPARE(model.data(model.index(row, RecordTableModel::Data)).toString(),
                     QStringLiteral("{\"i\":%1}").arg(row + 1));
        }
    }
}

void tst_RecordTableModel::closingEmptiesTheModel()
{
    m_store = std::make_shared<MemoryStore>();
    fill(*m_store, 50, 2);
    m_service->adopt(m_store, QStringLiteral("test"));
    RecordTableModel model(m_service.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setScope(Scope::allEvents());
    QVERIFY(waitCounted(model));
    QCOMPARE(model.rowCount(), 50);
    m_service->close();
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(tst_RecordTableModel)
#include "tst_recordtablemodel.moc"
