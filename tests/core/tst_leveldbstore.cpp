// LevelDB-specific behaviour: opening, locking, read-only, corruption, and rangedb's
// provider tests (reference §5.5). The conformance cases shared with MemoryStore are in
// tst_store.cpp.

#include "testutil.h"

#include <rangedb/leveldbstore.h>

#include <leveldb/db.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

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
