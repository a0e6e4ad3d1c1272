// Export and import (rangedb/transfer.h): round trips over rangedb's fixtures, rangedb's
// own exports, all-or-nothing imports (bad last record, cancel, failing saves), atomic
// exports, dry-run reports, previews and error messages.
#include "testutil.h"

#include <rangedb/json.h>
#include <rangedb/leveldbstore.h>
#include <rangedb/memorystore.h>
#include <rangedb/transfer.h>

#include <QBuffer>
#include <QTemporaryDir>
#include <QTest>

#include <stop_token>

using namespace rangedb;
using namespace rangedb::test;

namespace {

std::unique_ptr<LevelDbStore> openStore(const QString &path, Serializer serializer = Serializer::Json)
{
    LevelDbOptions options;
    options.createIfMissing = true;
    options.serializer = serializer;
    auto store = LevelDbStore::open(path.toStdString(), options);
    if (!store.ok())
        qWarning("cannot open %s: %s", qPrintable(path), store.status().message().c_str());
    return store.ok() ? std::move(store).value() : nullptr;
}

std::unique_ptr<LevelDbStore> openFixtureCopy(const QTemporaryDir &dir, const QString &fixture, const QString &name)
{
    const QString path = dir.filePath(name);
    if (!copyFolder(fixtureDir() + QLatin1Char('/') + fixture, path))
        return nullptr;
    return openStore(path);
}

QByteArray exportAll(Store &store, StreamFormat format)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    auto records = store.events(0);
    auto exported = exportRecords(*records, &buffer, format);
    if (!exported.ok())
        qWarning("export failed: %s", exported.status().message().c_str());
    return buffer.data();
}

// Everything a user could observe: every record with its bytes, the counter, the types
// and the streams.
QByteArray storeDigest(Store &store)
{
    QByteArray digest = exportAll(store, StreamFormat::Ndjson);
    digest += "\n$gsn$=" + QByteArray::number(qulonglong(store.lastGlobalSequenceNumber().value()));
    const auto types = store.aggregateTypes();
    for (const auto &type : types.value())
        digest += "\ntype " + QByteArray::fromStdString(type.aggregateType) + '=' + QByteArray::number(qulonglong(type.totalEvents));
    const auto streams = store.streams({});
    for (const auto &stream : streams.value())
        digest += "\nstream " + QByteArray::fromStdString(stream.streamName) + '=' + QByteArray::number(qulonglong(stream.totalEvents));
    auto check = store.check();
    digest += check.ok() && check->consistent ? "\nconsistent" : "\nINCONSISTENT";
    return digest;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QString formatFileName(StreamFormat format)
{
    return QStringLiteral("all-events.") + QString::fromLatin1(format == StreamFormat::JsonArray ? "json" : streamFormatName(format));
}

Record sampleRecord(std::uint64_t n, std::uint64_t streams)
{
    Record r;
    r.aggregateType = n % 2 ? "order" : "account";
    r.aggregateId = "id-" + std::to_string(n % streams);
    r.globalSequenceNumber = n;
    r.streamSequenceNumber = 0; // set by the caller
    r.insertTimestamp = 1600000000 + n;
    r.eventId = std::string(24, 'a') + std::to_string(10000000 + n);
    r.eventType = "Thing" + std::to_string(n % 7) + "Happened";
    r.data = "{\"n\":" + std::to_string(n) + ",\"price\":12.50,\"big\":18446744073709551615,\"s\":\"x\\u00e9\"}";
    r.metadata = "null";
    return r;
}

// `count` records in a consistent numbering (streams run 1, 2, 3, ...), as NDJSON.
QByteArray sampleNdjson(std::uint64_t count, std::uint64_t streams)
{
    std::vector<Record> records;
    std::map<std::string, std::uint64_t> lengths;
    for (std::uint64_t n = 1; n <= count; ++n) {
        Record r = sampleRecord(n, streams);
        r.streamSequenceNumber = ++lengths[r.streamName()];
        records.push_back(std::move(r));
    }
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    auto it = makeVectorIterator(std::move(records));
    (void)exportRecords(*it, &buffer, StreamFormat::Ndjson);
    return buffer.data();
}

// Hands saveMany() runs of records and fails (or fires the token) after `failAfter` saves.
class ScriptedSource final : public SaveSource
{
public:
    ScriptedSource(std::vector<std::vector<EventRecord>> saves, std::size_t failAfter, Status failure,
                   std::stop_source *cancel = nullptr)
        : m_saves(std::move(saves)), m_failAfter(failAfter), m_failure(std::move(failure)), m_cancel(cancel)
    {
    }
    bool next(std::vector<EventRecord> &events) override
    {
        if (m_next == m_failAfter) {
            if (m_cancel) {
                m_cancel->request_stop();
            } else {
                m_error = m_failure;
                return false;
            }
        }
        if (m_next >= m_saves.size())
            return false;
        events = m_saves[m_next++];
        return true;
    }
    Status error() const override { return m_error; }

private:
    std::vector<std::vector<EventRecord>> m_saves;
    std::size_t m_next = 0;
    std::size_t m_failAfter;
    Status m_failure;
    Status m_error;
    std::stop_source *m_cancel;
};

std::vector<std::vector<EventRecord>> manySaves(std::size_t saves, std::size_t perSave)
{
    std::vector<std::vector<EventRecord>> result;
    for (std::size_t s = 0; s < saves; ++s) {
        std::vector<EventRecord> batch;
        // Some new streams, some existing ones of the fixture.
        const std::string id = s % 3 == 0 ? "acct-0001.eu" : "bulk-" + std::to_string(s % 50);
        for (std::size_t i = 0; i < perSave; ++i)
            batch.push_back({"account", id, "Deposited", "{\"amount\":" + std::to_string(i) + "}", "null"});
        result.push_back(std::move(batch));
    }
    return result;
}

} // namespace

class TestTransfer : public QObject
{
    Q_OBJECT

private slots:
    void restoreRoundTripIsByteIdentical_data();
    void restoreRoundTripIsByteIdentical();
    void importsRangedbExports_data();
    void importsRangedbExports();
    void msgpackAndJsonStoresExportTheSameRecords();
    void appendKeepsOrderAndSaveSemantics();
    void badLastRecordLeavesDatabaseAsBefore_data();
    void badLastRecordLeavesDatabaseAsBefore();
    void cancelledImportLeavesDatabaseAsBefore_data();
    void cancelledImportLeavesDatabaseAsBefore();
    void saveManyRollsBack_data();
    void saveManyRollsBack();
    void saveManyPublishesOnlyOnSuccess();
    void exportIsAtomic();
    void exportReportsProgress();
    void dryRunReport();
    void preview();
    void errorMessagesNameTheRecord_data();
    void errorMessagesNameTheRecord();
};

void TestTransfer::restoreRoundTripIsByteIdentical_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<int>("format");
    for (const char *fixture : {"json-store", "msgpack-store"}) {
        for (StreamFormat format : {StreamFormat::JsonArray, StreamFormat::Ndjson, StreamFormat::Msgpack})
            QTest::addRow("%s %s", fixture, streamFormatName(format)) << QString::fromLatin1(fixture) << int(format);
    }
}

void TestTransfer::restoreRoundTripIsByteIdentical()
{
    QFETCH(QString, fixture);
    QFETCH(int, format);
    const auto streamFormat = StreamFormat(format);
    QTemporaryDir dir;
    auto source = openFixtureCopy(dir, fixture, QStringLiteral("source"));
    QVERIFY(source);
    const QString first = dir.filePath(QStringLiteral("first"));
    auto records = source->events(0);
    auto exported = exportToFile(*records, first, streamFormat);
    QVERIFY2(exported.ok(), exported.status().message().c_str());
    QCOMPARE(exported->records, std::uint64_t(60));

    auto target = openStore(dir.filePath(QStringLiteral("target")), source->serializer());
    QVERIFY(target);
    ImportOptions options;
    options.mode = ImportMode::Restore; // the format is sniffed
    auto imported = importFile(*target, first, options);
    QVERIFY2(imported.ok(), imported.status().message().c_str());
    QCOMPARE(imported->records, std::uint64_t(60));
    QCOMPARE(imported->streams, std::uint64_t(13));
    QCOMPARE(imported->format, streamFormat);
    QCOMPARE(target->lastGlobalSequenceNumber().value(), std::uint64_t(64));

    const QString second = dir.filePath(QStringLiteral("second"));
    auto again = target->events(0);
    QVERIFY(exportToFile(*again, second, streamFormat).ok());
    const QByteArray a = readFile(first);
    QVERIFY(!a.isEmpty());
    QCOMPARE(readFile(second), a);
    QVERIFY(target->check()->consistent);
}

void TestTransfer::importsRangedbExports_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("format");
    for (const char *folder : {"", "exports-from-msgpack-store/"}) {
        for (StreamFormat format : {StreamFormat::JsonArray, StreamFormat::Ndjson, StreamFormat::Msgpack}) {
            const QString file = QString::fromLatin1(folder) + formatFileName(format);
            QTest::addRow("%s", qPrintable(file)) << file << int(format);
        }
    }
}

void TestTransfer::importsRangedbExports()
{
    QFETCH(QString, file);
    QFETCH(int, format);
    const QString path = fixtureDir() + QLatin1Char('/') + file;
    const QByteArray original = readFile(path);
    const auto expected = parseRecords(original, StreamFormat(format));
    QCOMPARE(expected.size(), std::size_t(60));

    for (ImportMode mode : {ImportMode::Restore, ImportMode::Append}) {
        QTemporaryDir dir;
        auto store = openStore(dir.filePath(QStringLiteral("db")));
        QVERIFY(store);
        ImportOptions options;
        options.mode = mode;
        auto imported = importFile(*store, path, options);
        QVERIFY2(imported.ok(), imported.status().message().c_str());
        QCOMPARE(imported->records, std::uint64_t(60));
        const auto stored = parseRecords(exportAll(*store, StreamFormat::Ndjson), StreamFormat::Ndjson);
        QCOMPARE(stored.size(), expected.size());
        if (mode == ImportMode::Restore) {
            // Record for record and value for value.
            for (std::size_t i = 0; i < expected.size(); ++i)
                QVERIFY2(stored[i] == expected[i], qPrintable(QStringLiteral("record %1 differs").arg(i + 1)));
            // And our export of the restored store is rangedb's file, byte for byte, where
            // the store is a JSON one as rangedb's was (a msgpack store respells numbers).
            if (!file.startsWith(QLatin1String("exports-from-msgpack-store")))
                QCOMPARE(exportAll(*store, StreamFormat(format)), original);
        } else {
            // Appended: same content and order, new numbers 1..60 without the gap.
            for (std::size_t i = 0; i < expected.size(); ++i) {
                QCOMPARE(stored[i].globalSequenceNumber, std::uint64_t(i + 1));
                QCOMPARE(stored[i].streamName(), expected[i].streamName());
                QCOMPARE(stored[i].streamSequenceNumber, expected[i].streamSequenceNumber);
                QCOMPARE(stored[i].eventType, expected[i].eventType);
                QCOMPARE(stored[i].data, expected[i].data);
                QVERIFY(stored[i].eventId != expected[i].eventId);
            }
        }
    }
}

void TestTransfer::msgpackAndJsonStoresExportTheSameRecords()
{
    QTemporaryDir dir;
    auto json = openFixtureCopy(dir, QStringLiteral("json-store"), QStringLiteral("json"));
    auto msgpack = openFixtureCopy(dir, QStringLiteral("msgpack-store"), QStringLiteral("msgpack"));
    QVERIFY(json && msgpack);
    QCOMPARE(msgpack->serializer(), Serializer::Msgpack);
    for (StreamFormat format : {StreamFormat::JsonArray, StreamFormat::Ndjson, StreamFormat::Msgpack}) {
        const auto a = parseRecords(exportAll(*json, format), format);
        const auto b = parseRecords(exportAll(*msgpack, format), format);
        QCOMPARE(a.size(), std::size_t(60));
        QCOMPARE(b.size(), a.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            const QString which = QStringLiteral("%1 record %2").arg(QLatin1String(streamFormatName(format))).arg(i + 1);
            QVERIFY2(a[i].globalSequenceNumber == b[i].globalSequenceNumber && a[i].eventId == b[i].eventId
                         && a[i].streamName() == b[i].streamName()
                         && a[i].streamSequenceNumber == b[i].streamSequenceNumber
                         && a[i].insertTimestamp == b[i].insertTimestamp && a[i].eventType == b[i].eventType,
                     qPrintable(which));
            // msgpack keeps numbers' values, not their spelling (1.50 reads back as 1.5).
            QVERIFY2(json::equal(a[i].data, b[i].data), qPrintable(which + QStringLiteral(" data")));
            QVERIFY2(json::equal(a[i].metadata, b[i].metadata), qPrintable(which + QStringLiteral(" metadata")));
        }
    }
    // Exported from the msgpack store, they are what rangedb exported from it, record for
    // record and value for value.
    for (StreamFormat format : {StreamFormat::JsonArray, StreamFormat::Ndjson, StreamFormat::Msgpack}) {
        const auto ours = parseRecords(exportAll(*msgpack, format), format);
        const auto theirs = parseRecords(
            readFile(fixtureDir() + QStringLiteral("/exports-from-msgpack-store/") + formatFileName(format)), format);
        QCOMPARE(ours.size(), theirs.size());
        for (std::size_t i = 0; i < ours.size(); ++i) {
            QCOMPARE(ours[i].eventId, theirs[i].eventId);
            QCOMPARE(ours[i].globalSequenceNumber, theirs[i].globalSequenceNumber);
            QVERIFY2(json::equal(ours[i].data, theirs[i].data), (ours[i].data + " vs " + theirs[i].data).c_str());
            QVERIFY(json::equal(ours[i].metadata, theirs[i].metadata));
        }
    }
}

void TestTransfer::appendKeepsOrderAndSaveSemantics()
{
    QTemporaryDir dir;
    auto store = openFixtureCopy(dir, QStringLiteral("json-store"), QStringLiteral("db"));
    QVERIFY(store);
    const QString file = dir.filePath(QStringLiteral("in.ndjson"));
    QVERIFY(writeFile(file, sampleNdjson(25000, 7)));
    auto imported = importFile(*store, file);
    QVERIFY2(imported.ok(), imported.status().message().c_str());
    QCOMPARE(imported->records, std::uint64_t(25000));
    QCOMPARE(imported->firstGlobalSequenceNumber, std::uint64_t(65));
    QCOMPARE(store->lastGlobalSequenceNumber().value(), std::uint64_t(64 + 25000));
    auto it = store->events(65);
    std::uint64_t n = 0;
    std::map<std::string, std::uint64_t> lengths;
    while (it->next()) {
        ++n;
        const Record &r = *it->record();
        QCOMPARE(r.globalSequenceNumber, 64 + n);
        QCOMPARE(r.eventType, sampleRecord(n, 7).eventType);
        QCOMPARE(r.streamSequenceNumber, ++lengths[r.streamName()]);
        QCOMPARE(r.eventId.size(), std::size_t(32));
    }
    QCOMPARE(n, std::uint64_t(25000));
    QVERIFY(store->check()->consistent);
}

void TestTransfer::badLastRecordLeavesDatabaseAsBefore_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("memory");
    QTest::newRow("append leveldb") << int(ImportMode::Append) << false;
    QTest::newRow("restore leveldb") << int(ImportMode::Restore) << false;
    QTest::newRow("append memory") << int(ImportMode::Append) << true;
    QTest::newRow("restore memory") << int(ImportMode::Restore) << true;
}

void TestTransfer::badLastRecordLeavesDatabaseAsBefore()
{
    QFETCH(int, mode);
    QFETCH(bool, memory);
    QTemporaryDir dir;
    std::unique_ptr<Store> store;
    if (memory)
        store = std::make_unique<MemoryStore>();
    else if (ImportMode(mode) == ImportMode::Append)
        store = openFixtureCopy(dir, QStringLiteral("json-store"), QStringLiteral("db"));
    else
        store = openStore(dir.filePath(QStringLiteral("db")));
    QVERIFY(store);
    if (memory && ImportMode(mode) == ImportMode::Append) {
        std::vector<EventRecord> seed{{"account", "acct-1", "Opened", "{}", "null"}};
        QVERIFY(store->save(seed).ok());
    }
    const QByteArray before = storeDigest(*store);

    // 20,000 good records and a last one that is bad in three ways.
    const QByteArray good = sampleNdjson(20000, 50);
    const QList<QByteArray> variants{
        good + "\n{\"aggregateType\":\"order\",\"aggregateID\":\"x\", broken}",
        good + "\n" + good.mid(good.lastIndexOf('\n') + 1).replace("\"aggregateType\":\"account\"", "\"aggregateType\":\"$all\""),
        good.left(good.size() - 5),
    };
    const QList<QByteArray> expectedText{"broken", "$all", "record 20000"};
    for (qsizetype v = 0; v < variants.size(); ++v) {
        const QString file = dir.filePath(QStringLiteral("bad%1.ndjson").arg(v));
        QVERIFY(writeFile(file, variants[v]));
        ImportOptions options;
        options.mode = ImportMode(mode);
        auto imported = importFile(*store, file, options);
        QVERIFY(!imported.ok());
        const QByteArray message = QByteArray::fromStdString(imported.status().message());
        QVERIFY2(message.contains(v == 2 ? "record 20000" : "record 20001"), message.constData());
        QVERIFY2(message.contains("line 20000") || message.contains("line 20001"), message.constData());
        QVERIFY2(message.contains(expectedText[v]), message.constData());
        QCOMPARE(storeDigest(*store), before);
    }
}

void TestTransfer::cancelledImportLeavesDatabaseAsBefore_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<int>("pass");
    for (int pass : {1, 2}) {
        QTest::addRow("append, pass %d", pass) << int(ImportMode::Append) << pass;
        QTest::addRow("restore, pass %d", pass) << int(ImportMode::Restore) << pass;
    }
}

void TestTransfer::cancelledImportLeavesDatabaseAsBefore()
{
    QFETCH(int, mode);
    QFETCH(int, pass);
    QTemporaryDir dir;
    auto store = ImportMode(mode) == ImportMode::Append ? openFixtureCopy(dir, QStringLiteral("json-store"), QStringLiteral("db"))
                                                        : openStore(dir.filePath(QStringLiteral("db")));
    QVERIFY(store);
    const QByteArray before = storeDigest(*store);
    const QString file = dir.filePath(QStringLiteral("in.ndjson"));
    QVERIFY(writeFile(file, sampleNdjson(60000, 500)));

    std::stop_source cancel;
    std::vector<TransferProgress> seen;
    ImportOptions options;
    options.mode = ImportMode(mode);
    options.stop = cancel.get_token();
    options.progress = [&](const TransferProgress &progress) {
        seen.push_back(progress);
        if (progress.pass == pass && progress.records < 60000)
            cancel.request_stop();
    };
    auto imported = importFile(*store, file, options);
    if (imported.ok())
        QSKIP("the import finished before a progress report of that pass (a very fast machine)");
    QCOMPARE(imported.status().code(), ErrorCode::Cancelled);
    QVERIFY(!seen.empty());
    QCOMPARE(seen.back().pass, pass);
    QVERIFY(seen.back().bytes > 0 && seen.back().bytes <= seen.back().totalBytes);
    QCOMPARE(storeDigest(*store), before);
}

void TestTransfer::saveManyRollsBack_data()
{
    QTest::addColumn<bool>("memory");
    QTest::addColumn<QString>("how");
    for (bool memory : {false, true}) {
        for (const char *how : {"source error at the end", "refused last save", "cancelled"})
            QTest::addRow("%s, %s", memory ? "memory" : "leveldb", how) << memory << QString::fromLatin1(how);
    }
}

void TestTransfer::saveManyRollsBack()
{
    QFETCH(bool, memory);
    QFETCH(QString, how);
    QTemporaryDir dir;
    std::unique_ptr<Store> store;
    if (memory) {
        store = std::make_unique<MemoryStore>();
        std::vector<EventRecord> seed{{"account", "acct-0001.eu", "Opened", "{}", "null"}};
        QVERIFY(store->save(seed).ok());
    } else {
        store = openFixtureCopy(dir, QStringLiteral("json-store"), QStringLiteral("db"));
    }
    QVERIFY(store);
    const QByteArray before = storeDigest(*store);

    // 2,000 saves of 10: more than one LevelDB batch, extending existing and new streams.
    auto saves = manySaves(2000, 10);
    std::stop_source cancel;
    std::unique_ptr<ScriptedSource> source;
    if (how == QLatin1String("source error at the end")) {
        source = std::make_unique<ScriptedSource>(saves, saves.size(), Status::error(ErrorCode::IoError, "disk gone"));
    } else if (how == QLatin1String("refused last save")) {
        saves.back().back().aggregateType = "all";
        source = std::make_unique<ScriptedSource>(saves, std::size_t(-1), Status());
    } else {
        source = std::make_unique<ScriptedSource>(saves, saves.size() - 1, Status(), &cancel);
    }
    auto result = store->saveMany(*source, cancel.get_token());
    QVERIFY(!result.ok());
    if (how == QLatin1String("cancelled"))
        QCOMPARE(result.status().code(), ErrorCode::Cancelled);
    else if (how == QLatin1String("refused last save"))
        QVERIFY2(result.status().message().find("save 2000: record 10") != std::string::npos, result.status().message().c_str());
    else // the source failed when asked for save 2001
        QCOMPARE(result.status().message(), std::string("save 2001: disk gone"));
    QCOMPARE(storeDigest(*store), before);

    // Saves continue with the numbers they would have had.
    const std::uint64_t last = store->lastGlobalSequenceNumber().value();
    std::vector<EventRecord> one{{"account", "after", "Opened", "{}", "null"}};
    auto saved = store->save(one);
    QVERIFY(saved.ok());
    QCOMPARE(saved->lastGlobalSequenceNumber, last + 1);
    QCOMPARE(saved->lastStreamSequenceNumber, std::uint64_t(1));

    // And the same saves without the failure land whole.
    ScriptedSource good(manySaves(2000, 10), std::size_t(-1), Status());
    auto ok = store->saveMany(good);
    QVERIFY2(ok.ok(), ok.status().message().c_str());
    QCOMPARE(ok->records, std::uint64_t(20000));
    QCOMPARE(ok->saves, std::uint64_t(2000));
    QCOMPARE(ok->lastGlobalSequenceNumber, last + 1 + 20000);
    QVERIFY(store->check()->consistent);
}

void TestTransfer::saveManyPublishesOnlyOnSuccess()
{
    class Collector final : public Subscriber
    {
    public:
        void accept(const Record &record) override
        {
            std::lock_guard lock(mutex);
            seen.push_back(record.globalSequenceNumber);
        }
        std::mutex mutex;
        std::vector<std::uint64_t> seen;
    };
    for (bool memory : {false, true}) {
        QTemporaryDir dir;
        std::unique_ptr<Store> store;
        if (memory)
            store = std::make_unique<MemoryStore>();
        else
            store = openStore(dir.filePath(QStringLiteral("db")));
        QVERIFY(store);
        Collector collector;
        auto subscription = store->allEventsSubscription(100000, &collector);
        QVERIFY(subscription->start().ok());
        ScriptedSource failing(manySaves(50, 3), 50, Status::error(ErrorCode::IoError, "disk gone"));
        QVERIFY(!store->saveMany(failing).ok());
        ScriptedSource good(manySaves(50, 3), std::size_t(-1), Status());
        QVERIFY(store->saveMany(good).ok());
        QTRY_COMPARE(([&] { std::lock_guard lock(collector.mutex); return collector.seen.size(); }()), std::size_t(150));
        std::lock_guard lock(collector.mutex);
        for (std::size_t i = 0; i < collector.seen.size(); ++i)
            QCOMPARE(collector.seen[i], std::uint64_t(i + 1));
        subscription->stop();
    }
}

void TestTransfer::exportIsAtomic()
{
    QTemporaryDir dir;
    auto store = openFixtureCopy(dir, QStringLiteral("json-store"), QStringLiteral("db"));
    QVERIFY(store);
    const QString fresh = dir.filePath(QStringLiteral("fresh.ndjson"));
    const QString existing = dir.filePath(QStringLiteral("existing.ndjson"));
    QVERIFY(writeFile(existing, "previous content"));

    // Cancelled before the start, and cancelled from the progress callback midway.
    std::stop_source cancelled;
    cancelled.request_stop();
    for (const QString &path : {fresh, existing}) {
        auto records = store->events(0);
        auto exported = exportToFile(*records, path, StreamFormat::Ndjson, cancelled.get_token());
        QCOMPARE(exported.status().code(), ErrorCode::Cancelled);
    }
    QVERIFY(!QFile::exists(fresh));
    QCOMPARE(readFile(existing), QByteArray("previous content"));

    std::vector<Record> many;
    for (std::uint64_t n = 1; n <= 200000; ++n) {
        Record r = sampleRecord(n, 10);
        r.streamSequenceNumber = n;
        many.push_back(std::move(r));
    }
    for (const QString &path : {fresh, existing}) {
        std::stop_source midway;
        auto records = makeVectorIterator(many);
        int reports = 0;
        auto exported = exportToFile(*records, path, StreamFormat::Msgpack, midway.get_token(),
                                     [&](const TransferProgress &) {
                                         ++reports;
                                         midway.request_stop();
                                     });
        if (exported.ok())
            QSKIP("the export finished before its first progress report");
        QCOMPARE(exported.status().code(), ErrorCode::Cancelled);
        QCOMPARE(reports, 1);
    }
    QVERIFY(!QFile::exists(fresh));
    QCOMPARE(readFile(existing), QByteArray("previous content"));

    // A failing iterator (a read error midway) and a number msgpack cannot hold.
    auto failing = makeErrorIterator(Status::error(ErrorCode::Corruption, "bad block"));
    QCOMPARE(exportToFile(*failing, existing, StreamFormat::Ndjson).status().code(), ErrorCode::Corruption);
    Record huge = sampleRecord(1, 1);
    huge.streamSequenceNumber = 1;
    huge.data = "{\"n\":123456789012345678901234567890}";
    auto unencodable = makeVectorIterator({huge});
    QCOMPARE(exportToFile(*unencodable, fresh, StreamFormat::Msgpack).status().code(), ErrorCode::EncodeError);
    QVERIFY(!QFile::exists(fresh));
    QCOMPARE(readFile(existing), QByteArray("previous content"));
    // Nothing but the two files: no temporary left behind.
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 1);

    // A scope: one stream, replacing the existing file.
    auto stream = store->eventsByStream(0, "account!acct-0001.eu");
    auto exported = exportToFile(*stream, existing, StreamFormat::JsonArray);
    QVERIFY(exported.ok());
    // rangedb's export of that stream, value for value (rangedb sorts data keys on export;
    // we keep the stored order, see the fixture README, "Exports").
    const auto ours = parseRecords(readFile(existing), StreamFormat::JsonArray);
    const auto theirs = parseRecords(readFile(fixtureDir() + QStringLiteral("/stream-account_acct-0001.eu.json")),
                                     StreamFormat::JsonArray);
    QCOMPARE(ours.size(), std::size_t(9));
    QCOMPARE(ours.size(), theirs.size());
    for (std::size_t i = 0; i < ours.size(); ++i) {
        QCOMPARE(ours[i].eventId, theirs[i].eventId);
        QCOMPARE(ours[i].streamSequenceNumber, theirs[i].streamSequenceNumber);
        QVERIFY(json::equal(ours[i].data, theirs[i].data));
    }
}

void TestTransfer::exportReportsProgress()
{
    std::vector<Record> many;
    for (std::uint64_t n = 1; n <= 100000; ++n) {
        Record r = sampleRecord(n, 10);
        r.streamSequenceNumber = n;
        many.push_back(std::move(r));
    }
    auto records = makeVectorIterator(many);
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    std::vector<TransferProgress> seen;
    auto exported = exportRecords(*records, &buffer, StreamFormat::Ndjson, {},
                                  [&](const TransferProgress &p) { seen.push_back(p); });
    QVERIFY(exported.ok());
    QVERIFY(!seen.empty());
    // The final report has the totals; reports never go backwards.
    QCOMPARE(seen.back().records, std::uint64_t(100000));
    QCOMPARE(seen.back().bytes, std::uint64_t(buffer.size()));
    for (std::size_t i = 1; i < seen.size(); ++i)
        QVERIFY(seen[i].records >= seen[i - 1].records && seen[i].bytes >= seen[i - 1].bytes);
}

void TestTransfer::dryRunReport()
{
    QTemporaryDir dir;
    auto store = openFixtureCopy(dir, QStringLiteral("json-store"), QStringLiteral("db"));
    QVERIFY(store);
    const QByteArray before = storeDigest(*store);
    const QString file = fixtureDir() + QStringLiteral("/all-events.ndjson");

    // Append into the fixture: every stream exists.
    auto report = dryRunImport(*store, file);
    QVERIFY2(report.ok(), report.status().message().c_str());
    QCOMPARE(report->records, std::uint64_t(60));
    QCOMPARE(report->streams, std::uint64_t(13));
    QCOMPARE(report->streamsExtended, std::uint64_t(13));
    QCOMPARE(report->streamsCreated, std::uint64_t(0));
    QCOMPARE(report->firstGlobalSequenceNumber, std::uint64_t(65));
    QCOMPARE(report->lastGlobalSequenceNumber, std::uint64_t(124));
    QCOMPARE(report->conflictCount, std::uint64_t(0));
    const std::vector<AggregateTypeInfo> types{{"account", 18}, {"another", 4}, {"order", 11}, {"sensor", 12}, {"thing", 15}};
    QVERIFY(report->eventsByAggregateType == types);

    // Restore into it: conflicts, each named.
    ImportOptions restore;
    restore.mode = ImportMode::Restore;
    report = dryRunImport(*store, file, restore);
    QVERIFY(report.ok());
    QCOMPARE(report->conflictCount, std::uint64_t(1 + 60 + 13)); // not empty, 60 numbers used, 13 streams exist
    QVERIFY(report->conflicts.front().find("restore needs an empty database") != std::string::npos);
    QVERIFY(report->conflicts.at(1).find("record 1 (line 1, column 1): global sequence number 1 is already used")
            != std::string::npos);
    QCOMPARE(report->firstGlobalSequenceNumber, std::uint64_t(1));
    QCOMPARE(report->lastGlobalSequenceNumber, std::uint64_t(64));
    QCOMPARE(storeDigest(*store), before);

    // Restore into an empty store: all created; a sequence clash inside the file.
    auto empty = openStore(dir.filePath(QStringLiteral("empty")));
    report = dryRunImport(*empty, file, restore);
    QVERIFY(report.ok());
    QCOMPARE(report->streamsCreated, std::uint64_t(13));
    QCOMPARE(report->conflictCount, std::uint64_t(0));
    QByteArray clashing = readFile(file);
    clashing.replace("\"globalSequenceNumber\":8,", "\"globalSequenceNumber\":7,");
    const QString clashFile = dir.filePath(QStringLiteral("clash.ndjson"));
    QVERIFY(writeFile(clashFile, clashing));
    report = dryRunImport(*empty, clashFile, restore);
    QVERIFY(report.ok());
    // The first conflict is the clash; later records of that stream follow from it.
    QVERIFY(report->conflictCount >= 1);
    QVERIFY2(report->conflicts.front().find("record 8 (line 8, column 1)") != std::string::npos
                 && report->conflicts.front().find("does not increase") != std::string::npos,
             report->conflicts.front().c_str());
    QCOMPARE(empty->lastGlobalSequenceNumber().value(), std::uint64_t(0));
}

void TestTransfer::preview()
{
    const QString file = fixtureDir() + QStringLiteral("/all-events.msgpack");
    const auto all = parseRecords(readFile(file), StreamFormat::Msgpack);
    auto first = previewImport(file, std::nullopt, 5, ImportMode::Restore);
    QVERIFY2(first.ok(), first.status().message().c_str());
    QCOMPARE(first->format, StreamFormat::Msgpack);
    QCOMPARE(first->records.size(), std::size_t(5));
    QVERIFY(!first->complete);
    QVERIFY(first->problems.empty());
    for (std::size_t i = 0; i < 5; ++i)
        QVERIFY(first->records[i] == all[i]);
    auto whole = previewImport(file, StreamFormat::Msgpack, 100, ImportMode::Restore);
    QVERIFY(whole.ok());
    QCOMPARE(whole->records.size(), std::size_t(60));
    QVERIFY(whole->complete);

    // Append mode, against a store: the numbers they would get.
    QTemporaryDir dir;
    auto store = openFixtureCopy(dir, QStringLiteral("json-store"), QStringLiteral("db"));
    auto appended = previewImport(file, std::nullopt, 3, ImportMode::Append, store.get());
    QVERIFY(appended.ok());
    QCOMPARE(appended->records[0].globalSequenceNumber, std::uint64_t(65));
    QCOMPARE(appended->records[0].streamSequenceNumber,
             store->totalEventsInStream(all[0].streamName()).value() + 1);
    QVERIFY(appended->records[0].eventId.empty());

    // Problems found so far: a forbidden name in record 2, then a broken record 4.
    QByteArray bad = readFile(fixtureDir() + QStringLiteral("/all-events.ndjson"));
    QList<QByteArray> lines = bad.split('\n');
    lines[1].replace("\"aggregateID\":\"", "\"aggregateID\":\"a!");
    lines[3] = "{\"aggregateType\": oops";
    const QString badFile = dir.filePath(QStringLiteral("bad.ndjson"));
    QVERIFY(writeFile(badFile, lines.join('\n')));
    auto problems = previewImport(badFile, std::nullopt, 10);
    QVERIFY(problems.ok());
    QCOMPARE(problems->records.size(), std::size_t(3));
    QCOMPARE(problems->problems.size(), std::size_t(2));
    QVERIFY2(problems->problems[0].find("record 2 (line 2, column 1)") != std::string::npos, problems->problems[0].c_str());
    QVERIFY2(problems->problems[1].find("record 4") != std::string::npos
                 && problems->problems[1].find("oops") != std::string::npos,
             problems->problems[1].c_str());
}

void TestTransfer::errorMessagesNameTheRecord_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArrayList>("expected");

    const QByteArray ndjson = readFile(fixtureDir() + QStringLiteral("/all-events.ndjson"));
    QList<QByteArray> lines = ndjson.split('\n');
    QList<QByteArray> syntax = lines;
    syntax[3] = "{\"aggregateType\":\"x\",\"aggregateID\":\"y\", oops}";
    QTest::newRow("ndjson syntax") << int(StreamFormat::Ndjson) << syntax.join('\n')
                                   << QByteArrayList{"record 4", "line 4", "oops"};
    QList<QByteArray> forbidden = lines;
    forbidden[5].replace("\"aggregateType\":\"", "\"aggregateType\":\"$");
    QTest::newRow("ndjson forbidden type") << int(StreamFormat::Ndjson) << forbidden.join('\n')
                                           << QByteArrayList{"record 6 (line 6, column 1)", "\"aggregateType\":\"$"};

    QByteArray array = readFile(fixtureDir() + QStringLiteral("/all-events.json"));
    const qsizetype third = array.indexOf("{\"aggregateType\"", array.indexOf("{\"aggregateType\"", 2) + 1);
    array.insert(third + 1, "!!");
    QTest::newRow("json array syntax") << int(StreamFormat::JsonArray) << array
                                       << QByteArrayList{"record 3", "line 1, column", "!!"};

    const QByteArray msgpack = readFile(fixtureDir() + QStringLiteral("/all-events.msgpack"));
    QTest::newRow("msgpack truncated") << int(StreamFormat::Msgpack) << msgpack.left(msgpack.size() - 3)
                                       << QByteArrayList{"record 60", "byte", "truncated"};
    QByteArray badType = msgpack;
    // The 'a' field of record 1 is the string "thing"? Whatever it is, make it "$x...".
    const qsizetype a = badType.indexOf(QByteArray("\xa1" "a", 2));
    QVERIFY(a >= 0);
    badType[a + 3] = '$';
    QTest::newRow("msgpack forbidden type") << int(StreamFormat::Msgpack) << badType
                                            << QByteArrayList{"record 1 (byte 0)", "89 a1 61"};
}

void TestTransfer::errorMessagesNameTheRecord()
{
    QFETCH(int, format);
    QFETCH(QByteArray, input);
    QFETCH(QByteArrayList, expected);
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("db")));
    QVERIFY(store);
    const QString file = dir.filePath(QStringLiteral("bad.input"));
    QVERIFY(writeFile(file, input));
    for (ImportMode mode : {ImportMode::Append, ImportMode::Restore}) {
        ImportOptions options;
        options.mode = mode;
        options.format = StreamFormat(format);
        auto imported = importFile(*store, file, options);
        QVERIFY(!imported.ok());
        const QByteArray message = QByteArray::fromStdString(imported.status().message());
        QVERIFY2(message.contains(file.toUtf8()), message.constData());
        for (const QByteArray &part : expected)
            QVERIFY2(message.contains(part), message.constData());
        QCOMPARE(store->lastGlobalSequenceNumber().value(), std::uint64_t(0));
        QCOMPARE(store->totalEvents().value(), std::uint64_t(0));
    }
}

QTEST_GUILESS_MAIN(TestTransfer)
#include "tst_transfer.moc"
