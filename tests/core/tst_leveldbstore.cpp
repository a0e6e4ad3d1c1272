// LevelDB-specific behaviour: opening, locking, read-only, corruption, and rangedb's
// provider tests (reference §5.5). The conformance cases shared with MemoryStore are in
// tst_store.cpp.

#include "testutil.h"

#include <rangedb/codec.h>
#include <rangedb/leveldbstore.h>

#include <leveldb/db.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <random>
#include <stop_token>
#include <thread>

using namespace rangedb;
using namespace rangedb::test;

namespace {

const char *const kHoldEnv = "RANGEDB_TEST_HOLD_DB";

EventRecord thing(const std::string &id, int number)
{
    return {"thing", id, "ThingWasDone", R"({"id":")" + id + R"(","number":)" + std::to_string(number) + "}", "null"};
}

std::unique_ptr<LevelDbStore> openOrFail(const QString &path, LevelDbOptions options = {})
{
    auto store = LevelDbStore::open(toStd(path), options);
    if (!store.ok())
        qWarning("open failed: %s", store.status().message().c_str());
    return store.ok() ? std::move(store).value() : nullptr;
}

// The stream key of thing!A's first record.
std::string firstThingAKey()
{
    std::string key = "thing!A!";
    key.append(7, '\0');
    key.push_back('\x01');
    return key;
}

// Changes a closed database behind the store's back, with LevelDB itself.
template<typename Edit>
bool editWithLevelDb(const QString &path, Edit edit)
{
    leveldb::DB *raw = nullptr;
    if (!leveldb::DB::Open(leveldb::Options(), path.toStdString(), &raw).ok())
        return false;
    std::unique_ptr<leveldb::DB> db(raw);
    return edit(*db).ok();
}

std::uint64_t countEvents(Store &store)
{
    auto it = store.events(0);
    std::uint64_t n = 0;
    while (it->next())
        ++n;
    return it->error().ok() ? n : ~std::uint64_t(0);
}

// The child process of lockedByAnotherProcess(): holds the database until stdin closes.
int holdDatabase(const QString &path)
{
    LevelDbOptions options;
    options.createIfMissing = true;
    auto store = LevelDbStore::open(path.toStdString(), options);
    if (!store.ok())
        return 3;
    std::fputs("holding\n", stdout);
    std::fflush(stdout);
    char buffer[16];
    while (std::fread(buffer, 1, sizeof buffer, stdin) > 0) {
    }
    return 0;
}

// The read tests' oracle: what a global-order read must yield, kept beside the saves.
struct Expected
{
    std::string type;
    std::string id;
    std::uint64_t global = 0;
    std::uint64_t stream = 0;
    std::string data;
};

class Ledger
{
public:
    explicit Ledger(Store *store) : m_store(store) {}
    void setStore(Store *store) { m_store = store; }

    bool save(const std::string &type, const std::string &id)
    {
        const std::string data = R"({"n":)" + std::to_string(m_events.size() + m_deleted) + "}";
        const EventRecord e{type, id, "ThingWasDone", data, "null"};
        auto saved = m_store->save({&e, 1});
        if (!saved.ok()) {
            qWarning("save failed: %s", saved.status().message().c_str());
            return false;
        }
        m_events.push_back({type, id, saved->lastGlobalSequenceNumber, saved->lastStreamSequenceNumber, data});
        return true;
    }

    bool deleteStream(const std::string &type, const std::string &id)
    {
        const auto inStream = [&](const Expected &e) { return e.type == type && e.id == id; };
        const auto count = std::uint64_t(std::count_if(m_events.begin(), m_events.end(), inStream));
        if (!m_store->optimisticDeleteStream(count, type + "!" + id).ok())
            return false;
        m_deleted += std::size_t(std::erase_if(m_events, inStream));
        return true;
    }

    // The events from global sequence number `from`, of `types` (all when empty).
    std::vector<Expected> expected(std::uint64_t from, const std::vector<std::string> &types = {}) const
    {
        std::vector<Expected> out;
        for (const Expected &e : m_events) {
            if (e.global >= from && (types.empty() || std::find(types.begin(), types.end(), e.type) != types.end()))
                out.push_back(e);
        }
        return out;
    }
    std::size_t size() const { return m_events.size(); }

private:
    Store *m_store;
    std::vector<Expected> m_events;
    std::size_t m_deleted = 0;
};

// Reads `it` to its end; empty when it yielded exactly `expected` (fields and raw bytes,
// which must decode to the same record), else what differed first.
QString readsExactly(RecordIterator &it, const std::vector<Expected> &expected, std::size_t skip = 0)
{
    std::size_t i = skip;
    while (it.next()) {
        if (i >= expected.size())
            return QStringLiteral("more records than the %1 expected").arg(expected.size());
        const Record &r = *it.record();
        const Expected &e = expected[i];
        if (r.aggregateType != e.type || r.aggregateId != e.id || r.globalSequenceNumber != e.global
            || r.streamSequenceNumber != e.stream || r.data != e.data) {
            return QStringLiteral("record %1: got %2!%3 #%4 gsn %5 %6, expected %7!%8 #%9 gsn %10 %11")
                .arg(i)
                .arg(QString::fromStdString(r.aggregateType), QString::fromStdString(r.aggregateId))
                .arg(r.streamSequenceNumber)
                .arg(r.globalSequenceNumber)
                .arg(QString::fromStdString(r.data), QString::fromStdString(e.type), QString::fromStdString(e.id))
                .arg(e.stream)
                .arg(e.global)
                .arg(QString::fromStdString(e.data));
        }
        Record fromRaw;
        if (!codec::decode(it.rawValue(), fromRaw).ok() || !(fromRaw == r))
            return QStringLiteral("record %1: raw value does not decode to the record").arg(i);
        ++i;
    }
    if (!it.error().ok())
        return QStringLiteral("error after %1 records: %2").arg(i).arg(QString::fromStdString(it.error().message()));
    if (i != expected.size())
        return QStringLiteral("%1 records, expected %2").arg(i).arg(expected.size());
    return {};
}

// The $all$ index key of a global sequence number, as errors print it.
std::string printedAllKey(std::uint64_t global)
{
    std::string key = "$all$!";
    for (int shift = 56; shift >= 0; shift -= 8) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02x", unsigned((global >> shift) & 0xff));
        key += hex;
    }
    return key;
}

} // namespace

class TestLevelDbStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void openRegularFileFails()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("afile"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        LevelDbOptions options;
        options.createIfMissing = true;
        auto store = LevelDbStore::open(toStd(file), options);
        QVERIFY(!store.ok());
        QCOMPARE(store.status().code(), ErrorCode::InvalidArgument);
        QVERIFY(QString::fromStdString(store.status().message()).contains(QLatin1String("not a directory")));
    }

    void readCommandsNeverCreate_data()
    {
        QTest::addColumn<bool>("readOnly");
        QTest::newRow("read-write, no create") << false;
        QTest::newRow("read-only") << true;
    }
    void readCommandsNeverCreate()
    {
        QFETCH(bool, readOnly);
        QTemporaryDir dir;
        LevelDbOptions options;
        options.readOnly = readOnly;
        // A missing folder stays missing.
        const QString missing = dir.filePath(QStringLiteral("missing"));
        auto store = LevelDbStore::open(toStd(missing), options);
        QCOMPARE(store.status().code(), ErrorCode::NotADatabase);
        QVERIFY(!QFileInfo::exists(missing));
        // An empty folder stays empty.
        const QString empty = dir.filePath(QStringLiteral("empty"));
        QVERIFY(QDir().mkpath(empty));
        store = LevelDbStore::open(toStd(empty), options);
        QCOMPARE(store.status().code(), ErrorCode::NotADatabase);
        QVERIFY(QString::fromStdString(store.status().message()).contains(QLatin1String("not a rangedb database")));
        QVERIFY(QDir(empty).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot));
    }

    void missingIndexTargetFailsEvents()
    {
        QTemporaryDir dir;
        LevelDbOptions options;
        options.createIfMissing = true;
        {
            auto store = openOrFail(dir.path(), options);
            QVERIFY(store);
            const EventRecord e = thing("A", 1);
            QVERIFY(store->save({&e, 1}).ok());
        }
        // Remove the record behind the index.
        QVERIFY(editWithLevelDb(dir.path(), [](leveldb::DB &db) {
            return db.Delete(leveldb::WriteOptions(), firstThingAKey());
        }));
        auto store = openOrFail(dir.path(), options);
        QVERIFY(store);
        auto it = store->events(0);
        QVERIFY(!it->next());
        QCOMPARE(it->error().code(), ErrorCode::NotFound);
        QCOMPARE(it->error().message(),
                 std::string("unable to find lookup record thing!A!\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01 for "
                             "$all$!\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01: leveldb: not found"));
        QVERIFY(!it->next()); // sticky
        QCOMPARE(it->error().code(), ErrorCode::NotFound);
        auto report = store->check();
        QVERIFY(report.ok());
        QVERIFY(!report->consistent);
    }

    void undecodableRecordFailsEvents()
    {
        QTemporaryDir dir;
        LevelDbOptions options;
        options.createIfMissing = true;
        {
            auto store = openOrFail(dir.path(), options);
            const EventRecord e = thing("A", 1);
            QVERIFY(store->save({&e, 1}).ok());
        }
        QVERIFY(editWithLevelDb(dir.path(), [](leveldb::DB &db) {
            return db.Put(leveldb::WriteOptions(), firstThingAKey(), "xyz");
        }));
        auto store = openOrFail(dir.path(), options);
        auto it = store->events(0);
        QVERIFY(!it->next());
        QVERIFY(!it->error().ok());
        // The error names the key of the broken record.
        QVERIFY2(it->error().message().find("thing!A!\\x00") != std::string::npos, it->error().message().c_str());
        auto stream = store->eventsByStream(0, "thing!A");
        QVERIFY(!stream->next());
        QVERIFY(!stream->error().ok());
    }

    void readOnlyNeverWritesAByte_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::newRow("rangedb json-store") << QStringLiteral("json-store");
        QTest::newRow("rangedb msgpack-store") << QStringLiteral("msgpack-store");
        QTest::newRow("our store with a live log") << QString();
    }
    void readOnlyNeverWritesAByte()
    {
        QFETCH(QString, fixture);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("db"));
        if (fixture.isEmpty()) {
            // Our own writes stay in the log until a compaction: a read-only open must
            // replay that log in memory without writing the table it would normally make.
            LevelDbOptions options;
            options.createIfMissing = true;
            auto store = openOrFail(path, options);
            for (int i = 0; i < 50; ++i) {
                const EventRecord e = thing("A", i);
                QVERIFY(store->save({&e, 1}).ok());
            }
        } else {
            QVERIFY(copyFolder(fixtureDir() + QLatin1Char('/') + fixture, path));
        }
        const QByteArray before = folderDigest(path);

        LevelDbOptions options;
        options.readOnly = true;
        {
            auto store = openOrFail(path, options);
            QVERIFY(store);
            QVERIFY(store->isReadOnly());
            QVERIFY(countEvents(*store) > 0);
            QVERIFY(store->aggregateTypes().ok());
            QVERIFY(store->streams({}).ok());
            auto report = store->check();
            QVERIFY(report.ok());
            QVERIFY2(report->consistent, report->problems.empty() ? "" : report->problems.front().c_str());
            const EventRecord e = thing("B", 1);
            auto saved = store->save({&e, 1});
            QCOMPARE(saved.status().code(), ErrorCode::ReadOnly);
            QCOMPARE(store->optimisticDeleteStream(1, "thing!A").code(), ErrorCode::ReadOnly);
            auto it = makeVectorIterator({});
            QCOMPARE(store->restore(*it).code(), ErrorCode::ReadOnly);
        }
        QCOMPARE(folderDigest(path), before);
    }

    void twoHandlesInOneProcessAreRefused()
    {
        QTemporaryDir dir;
        LevelDbOptions options;
        options.createIfMissing = true;
        auto first = openOrFail(dir.path(), options);
        QVERIFY(first);
        auto second = LevelDbStore::open(toStd(dir.path()), options);
        QCOMPARE(second.status().code(), ErrorCode::DatabaseLocked);
        first.reset();
        auto third = LevelDbStore::open(toStd(dir.path()), options);
        QVERIFY(third.ok());
    }

    void lockedByAnotherProcess()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("db"));
        QProcess holder;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QString::fromLatin1(kHoldEnv), path);
        holder.setProcessEnvironment(env);
        holder.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(holder.waitForStarted());
        QVERIFY(holder.waitForReadyRead(10000));
        QCOMPARE(holder.readLine().trimmed(), QByteArray("holding"));

        for (bool readOnly : {false, true}) {
            LevelDbOptions options;
            options.readOnly = readOnly;
            auto store = LevelDbStore::open(toStd(path), options);
            QCOMPARE(store.status().code(), ErrorCode::DatabaseLocked);
            QVERIFY2(store.status().message().find("in use by another process") != std::string::npos,
                     store.status().message().c_str());
        }
        holder.closeWriteChannel();
        QVERIFY(holder.waitForFinished(10000));
        QCOMPARE(holder.exitCode(), 0);
        LevelDbOptions options;
        QVERIFY(LevelDbStore::open(toStd(path), options).ok());
    }

    void corruptedTableIsReported()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("db"));
        QVERIFY(copyFolder(fixtureDir() + QStringLiteral("/json-store"), path));
        // 000047.ldb is the level-1 table holding most records: damage its data blocks.
        QFile table(path + QStringLiteral("/000047.ldb"));
        QVERIFY(table.open(QIODevice::ReadWrite));
        QByteArray bytes = table.readAll();
        for (qsizetype i = 100; i < 3000 && i < bytes.size(); i += 7)
            bytes[i] = char(bytes[i] ^ 0x5a);
        table.seek(0);
        table.write(bytes);
        table.close();

        LevelDbOptions options;
        auto store = LevelDbStore::open(toStd(path), options);
        if (!store.ok()) {
            QCOMPARE(store.status().code(), ErrorCode::Corruption);
            return;
        }
        auto it = store.value()->events(0);
        while (it->next()) {
        }
        QVERIFY(!it->error().ok());
        const std::string message = it->error().message();
        QVERIFY2(it->error().code() == ErrorCode::Corruption || it->error().code() == ErrorCode::DecodeError,
                 message.c_str());
        QVERIFY2(message.find("orrupt") != std::string::npos || message.find("checksum") != std::string::npos,
                 message.c_str());
        auto report = store.value()->check();
        QVERIFY(!report.ok() || !report->consistent);
    }

    void serializerIsDetectedFromTheData()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("db"));
        QVERIFY(copyFolder(fixtureDir() + QStringLiteral("/msgpack-store"), path));
        LevelDbOptions options;
        options.serializer = Serializer::Json; // ignored: the data says msgpack
        auto store = openOrFail(path, options);
        QVERIFY(store);
        QCOMPARE(store->serializer(), Serializer::Msgpack);
        auto saved = store->optimisticSave(4, std::vector<EventRecord>{thing("1", 5)});
        QVERIFY2(saved.ok(), saved.status().message().c_str());
        QCOMPARE(saved->lastGlobalSequenceNumber, std::uint64_t(65));
        QCOMPARE(saved->lastStreamSequenceNumber, std::uint64_t(5));
        auto it = store->eventsByStream(5, "thing!1");
        QVERIFY(it->next());
        QCOMPARE(it->record()->data, std::string(R"({"id":"1","number":5})"));
        QVERIFY(static_cast<unsigned char>(it->rawValue().front()) == 0x89);
    }

    void durableSavesLand()
    {
        QTemporaryDir dir;
        LevelDbOptions options;
        options.createIfMissing = true;
        options.durable = true;
        {
            auto store = openOrFail(dir.path(), options);
            for (int i = 0; i < 5; ++i) {
                const EventRecord e = thing("D", i);
                QVERIFY(store->save({&e, 1}).ok());
            }
        }
        options.durable = false;
        auto store = openOrFail(dir.path(), options);
        QCOMPARE(countEvents(*store), std::uint64_t(5));
        QCOMPARE(store->lastGlobalSequenceNumber().value(), std::uint64_t(5));
    }

    void streamCacheSurvivesDelete()
    {
        // After a delete the cached head must not leak into the re-created stream.
        QTemporaryDir dir;
        LevelDbOptions options;
        options.createIfMissing = true;
        auto store = openOrFail(dir.path(), options);
        std::vector<EventRecord> two{thing("A", 1), thing("A", 2)};
        QVERIFY(store->save(two).ok());
        QVERIFY(store->optimisticDeleteStream(2, "thing!A").ok());
        auto saved = store->optimisticSave(0, std::vector<EventRecord>{thing("A", 3)});
        QVERIFY2(saved.ok(), saved.status().message().c_str());
        QCOMPARE(saved->lastStreamSequenceNumber, std::uint64_t(1));
        QCOMPARE(saved->lastGlobalSequenceNumber, std::uint64_t(3));
    }

    // ---- reading in global order (the record locator's cursors, core/src/leveldbstore.cpp) ----

    void readsInGlobalOrder_data()
    {
        QTest::addColumn<int>("streams");
        QTest::addColumn<int>("events");
        QTest::addColumn<int>("hotStreams");
        QTest::addColumn<int>("hotPercent");
        QTest::newRow("one stream") << 1 << 300 << 0 << 0;
        QTest::newRow("3 streams, round robin") << 3 << 300 << 0 << 0;
        QTest::newRow("1,500 streams, round robin (more than the cursors)") << 1500 << 4500 << 0 << 0;
        QTest::newRow("16 hot streams among 2,500 cold ones") << 2500 << 6000 << 16 << 70;
    }

    void readsInGlobalOrder()
    {
        QFETCH(int, streams);
        QFETCH(int, events);
        QFETCH(int, hotStreams);
        QFETCH(int, hotPercent);
        QTemporaryDir dir;
        LevelDbOptions options;
        options.createIfMissing = true;
        auto store = openOrFail(dir.path(), options);
        QVERIFY(store);
        Ledger ledger(store.get());
        std::mt19937 random(42);
        const auto typeOf = [](int stream) { return "type" + std::to_string(stream % 5); };
        for (int i = 0; i < events; ++i) {
            if (i == events / 2) {
                // The first half moves from the memtable to a table file.
                store.reset();
                store = openOrFail(dir.path(), options);
                QVERIFY(store);
                ledger.setStore(store.get());
            }
            std::string id;
            int stream = i % streams;
            if (hotStreams > 0 && int(random() % 100) < hotPercent) {
                stream = int(random() % unsigned(hotStreams));
                id = "h" + std::to_string(stream);
            } else {
                if (hotStreams > 0)
                    stream = int(random() % unsigned(streams));
                // Decimal IDs: "c1" is a prefix of "c10", which must not leak into it.
                id = "c" + std::to_string(stream);
            }
            QVERIFY(ledger.save(typeOf(stream), id));
        }
        const auto n = std::uint64_t(events);
        for (const std::uint64_t from : {std::uint64_t(0), std::uint64_t(1), n / 3, n / 2 + 1, n, n + 1}) {
            auto all = store->events(from);
            const QString why = readsExactly(*all, ledger.expected(from));
            QVERIFY2(why.isEmpty(), qPrintable(QStringLiteral("events(%1): ").arg(from) + why));
        }
        const std::vector<std::string> twoTypes{"type3", "type1"};
        for (const std::uint64_t from : {std::uint64_t(0), n / 2 + 7}) {
            auto byType = store->eventsByAggregateTypes(from, twoTypes);
            const QString why = readsExactly(*byType, ledger.expected(from, twoTypes));
            QVERIFY2(why.isEmpty(), qPrintable(QStringLiteral("by two types from %1: ").arg(from) + why));
        }
    }

    void deletedAndRecreatedStreamsReadInOrder()
    {
        QTemporaryDir dir;
        LevelDbOptions options;
        options.createIfMissing = true;
        auto store = openOrFail(dir.path(), options);
        QVERIFY(store);
        Ledger ledger(store.get());
        const auto roundRobin = [&](int rounds) {
            for (int i = 0; i < rounds; ++i) {
                for (const char *id : {"A", "B", "C"}) {
                    if (!ledger.save("thing", id))
                        return false;
                }
            }
            return true;
        };
        QVERIFY(roundRobin(30));
        QVERIFY(ledger.deleteStream("thing", "B")); // gaps in the global order
        QVERIFY(roundRobin(30));                    // B again, from stream sequence 1
        QVERIFY(ledger.deleteStream("thing", "A"));
        store.reset();
        store = openOrFail(dir.path(), options);
        QVERIFY(store);
        ledger.setStore(store.get());
        QVERIFY(roundRobin(10));
        QCOMPARE(ledger.size(), std::size_t(30 + 30 + 30 + 30));
        for (const std::uint64_t from : {std::uint64_t(0), std::uint64_t(40), std::uint64_t(91), std::uint64_t(185)}) {
            auto all = store->events(from);
            const QString why = readsExactly(*all, ledger.expected(from));
            QVERIFY2(why.isEmpty(), qPrintable(QStringLiteral("events(%1): ").arg(from) + why));
            auto byType = store->eventsByAggregateTypes(from, {"thing"});
            const QString whyType = readsExactly(*byType, ledger.expected(from));
            QVERIFY2(whyType.isEmpty(), qPrintable(QStringLiteral("by type from %1: ").arg(from) + whyType));
        }
    }

    void missingRecordInTheMiddleOfAStream()
    {
        // thing!A and thing!B alternate (A has the odd global numbers); A's 5th record, global
        // 9, goes missing. A read that moves along A's keys must not step over the hole.
        QTemporaryDir dir;
        LevelDbOptions options;
        options.createIfMissing = true;
        {
            auto store = openOrFail(dir.path(), options);
            QVERIFY(store);
            Ledger ledger(store.get());
            for (int i = 0; i < 10; ++i) {
                QVERIFY(ledger.save("thing", "A"));
                QVERIFY(ledger.save("thing", "B"));
            }
        }
        QVERIFY(editWithLevelDb(dir.path(), [](leveldb::DB &db) {
            std::string key = "thing!A!";
            key.append(7, '\0');
            key.push_back('\x05');
            return db.Delete(leveldb::WriteOptions(), key);
        }));
        auto store = openOrFail(dir.path(), options);
        QVERIFY(store);
        const std::string missing = "thing!A!\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x05";
        auto it = store->events(0);
        std::uint64_t read = 0;
        while (it->next())
            QCOMPARE(it->record()->globalSequenceNumber, ++read);
        QCOMPARE(read, std::uint64_t(8));
        QCOMPARE(it->error().code(), ErrorCode::NotFound);
        QCOMPARE(it->error().message(),
                 "unable to find lookup record " + missing + " for " + printedAllKey(9) + ": leveldb: not found");
        QVERIFY(!it->next()); // sticky
        QCOMPARE(it->error().code(), ErrorCode::NotFound);

        auto byType = store->eventsByAggregateTypes(0, {"thing"});
        while (byType->next()) {
        }
        QCOMPARE(byType->error().code(), ErrorCode::NotFound);
        QVERIFY2(byType->error().message().find(missing + " for $thing$!") != std::string::npos,
                 byType->error().message().c_str());

        // From past the hole the read is whole again.
        auto after = store->events(10);
        read = 9;
        while (after->next())
            QCOMPARE(after->record()->globalSequenceNumber, ++read);
        QVERIFY(after->error().ok());
        QCOMPARE(read, std::uint64_t(20));
    }

    void cancelledInTheMiddleOfAScan()
    {
        QTemporaryDir dir;
        LevelDbOptions options;
        options.createIfMissing = true;
        auto store = openOrFail(dir.path(), options);
        QVERIFY(store);
        Ledger ledger(store.get());
        for (int i = 0; i < 2000; ++i)
            QVERIFY(ledger.save("thing", "s" + std::to_string(i % 50)));
        std::stop_source stop;
        auto it = store->events(0, stop.get_token());
        for (int i = 0; i < 700; ++i)
            QVERIFY(it->next());
        QCOMPARE(it->record()->globalSequenceNumber, std::uint64_t(700));
        stop.request_stop();
        QVERIFY(!it->next());
        QCOMPARE(it->error().code(), ErrorCode::Cancelled);
        QVERIFY(it->record() == nullptr);
        QVERIFY(!it->next());
        QCOMPARE(it->error().code(), ErrorCode::Cancelled);
    }

    void readIsASnapshotWhileSavesContinue()
    {
        QTemporaryDir dir;
        LevelDbOptions options;
        options.createIfMissing = true;
        auto store = openOrFail(dir.path(), options);
        QVERIFY(store);
        Ledger ledger(store.get());
        for (int i = 0; i < 400; ++i)
            QVERIFY(ledger.save("thing", "s" + std::to_string(i % 4)));
        const std::vector<Expected> before = ledger.expected(0);
        auto all = store->events(0);
        auto byType = store->eventsByAggregateTypes(0, {"thing"});
        for (int i = 0; i < 30; ++i) {
            QVERIFY(all->next());
            QVERIFY(byType->next());
        }
        // Another thread appends to the very streams the iterators are moving along, and
        // deletes one of them; neither shows in the open iterators.
        bool saved = true;
        std::thread writer([&] {
            for (int i = 0; i < 400 && saved; ++i)
                saved = ledger.save("thing", "s" + std::to_string(i % 4));
            saved = saved && ledger.deleteStream("thing", "s2");
        });
        for (int i = 0; i < 100; ++i)
            QVERIFY(all->next());
        writer.join();
        QVERIFY(saved);
        QString why = readsExactly(*all, before, 130);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        why = readsExactly(*byType, before, 30);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        auto now = store->events(0);
        why = readsExactly(*now, ledger.expected(0));
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }
};

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsSet(kHoldEnv))
        return holdDatabase(qEnvironmentVariable(kHoldEnv));
    QCoreApplication app(argc, argv);
    TestLevelDbStore test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_leveldbstore.moc"
