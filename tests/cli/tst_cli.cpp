// Runs the real rangedb-cli binary against temporary databases: exit codes, output
// shapes, and that failures leave databases and files exactly as they were.

#include "testutil.h"

#include "rangedb/json.h"
#include "rangedb/leveldbstore.h"
#include "rangedb/recordstream.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <map>

using namespace rangedb;
using namespace rangedb::test;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};


} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home; // XDG_DATA_HOME of every run: the user's real data is never touched

    Run run(const QStringList &arguments, const QByteArray &input = {})
    {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("XDG_DATA_HOME"), m_home.path());
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(RANGEDB_CLI_PATH), arguments);
        if (!process.waitForStarted())
            return {};
        if (!input.isEmpty())
            process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(120000))
            process.kill();
        Run result;
        result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        result.out = process.readAllStandardOutput();
        result.err = process.readAllStandardError();
        return result;
    }
    Run runOn(const QString &db, QStringList arguments, const QByteArray &input = {})
    {
        arguments.prepend(db);
        arguments.prepend(QStringLiteral("--db"));
        return run(arguments, input);
    }
    QString copyOfFixture(const QTemporaryDir &dir, const QString &store = QStringLiteral("json-store"))
    {
        const QString path = dir.filePath(store);
        if (!copyFolder(fixtureDir() + QLatin1Char('/') + store, path))
            return {};
        return path;
    }
    static QByteArray eventsDigest(const Run &events)
    {
        return QCryptographicHash::hash(events.out, QCryptographicHash::Sha256).toHex();
    }
    static std::map<std::string, std::string> parseFlatObject(const QByteArray &line)
    {
        // Our output objects are flat: "key":value pairs without nesting (except arrays
        // of strings in check, not parsed here). Good enough to read numbers and strings.
        std::map<std::string, std::string> members;
        const std::string text = line.trimmed().toStdString();
        std::size_t i = 1;
        while (i < text.size() && text[i] != '}') {
            const auto keyEnd = text.find('"', i + 1);
            std::string key = text.substr(i + 1, keyEnd - i - 1);
            i = keyEnd + 2; // past '"' and ':'
            std::size_t end = i;
            if (text[i] == '"') {
                end = i + 1;
                while (text[end] != '"') {
                    if (text[end] == '\\')
                        ++end;
                    ++end;
                }
                members[key] = text.substr(i + 1, end - i - 1);
                ++end;
            } else {
                int depth = 0;
                while (end < text.size() && (depth > 0 || (text[end] != ',' && text[end] != '}'))) {
                    if (text[end] == '[')
                        ++depth;
                    if (text[end] == ']')
                        --depth;
                    ++end;
                }
                members[key] = text.substr(i, end - i);
            }
            i = text[end] == ',' ? end + 1 : end;
        }
        return members;
    }

private Q_SLOTS:
    void initTestCase();

    void help_data();
    void help();
    void usageErrors_data();
    void usageErrors();

    void info_data();
    void info();
    void aggregateTypes();
    void streams();
    void eventsMatchFixture_data();
    void eventsMatchFixture();
    void eventsQueries();
    void checkConsistent();

    void readCommandsNeverCreate_data();
    void readCommandsNeverCreate();
    void defaultDatabase();

    void saveAndConflict();
    void deleteStream();
    void lockedByAnotherProcess();
    void readOnlyWritesNothing();

    void eventsOutputIsAtomic();
    void importRoundTrip_data();
    void importRoundTrip();
    void importFromStdin();
    void importBadInputChangesNothing_data();
    void importBadInputChangesNothing();
    void restoreNeedsEmptyDatabase();

    void generateIsDeterministic();

    void serveUntilTerminated();
};

void TestCli::initTestCase()
{
    QVERIFY(m_home.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(RANGEDB_CLI_PATH)), RANGEDB_CLI_PATH);
}

void TestCli::help_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("top-level") << QStringList{QStringLiteral("--help")};
    for (const char *command : {"info", "aggregate-types", "streams", "events", "check", "save", "import",
                                "delete-stream", "generate"}) {
        QTest::newRow(command) << QStringList{QLatin1String(command), QStringLiteral("--help")};
    }
}

void TestCli::help()
{
    QFETCH(QStringList, arguments);
    // --help works without a database and creates none.
    const Run r = run(arguments);
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("Usage: rangedb-cli"));
    QVERIFY(r.err.isEmpty());
    QVERIFY(!QFile::exists(m_home.filePath(QStringLiteral("rangedb-workbench"))));
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("no command") << QStringList{};
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("unknown global option") << QStringList{QStringLiteral("--fast"), QStringLiteral("info")};
    QTest::newRow("--db without value") << QStringList{QStringLiteral("--db")};
    QTest::newRow("bad serializer") << QStringList{QStringLiteral("--create-serializer"), QStringLiteral("xml"),
                                                   QStringLiteral("info")};
    QTest::newRow("unknown command option") << QStringList{QStringLiteral("info"), QStringLiteral("--verbose")};
    QTest::newRow("extra argument") << QStringList{QStringLiteral("info"), QStringLiteral("extra")};
    QTest::newRow("missing option value") << QStringList{QStringLiteral("events"), QStringLiteral("--format")};
    QTest::newRow("bad format") << QStringList{QStringLiteral("events"), QStringLiteral("--format"),
                                               QStringLiteral("xml")};
    QTest::newRow("bad number") << QStringList{QStringLiteral("events"), QStringLiteral("--from-global"),
                                               QStringLiteral("-3")};
    QTest::newRow("from-stream without stream")
        << QStringList{QStringLiteral("events"), QStringLiteral("--from-stream"), QStringLiteral("2")};
    QTest::newRow("save without type") << QStringList{QStringLiteral("save"), QStringLiteral("--aggregate-id"),
                                                      QStringLiteral("a"), QStringLiteral("--event-type"),
                                                      QStringLiteral("E")};
    QTest::newRow("delete without stream")
        << QStringList{QStringLiteral("delete-stream"), QStringLiteral("--expected-stream-sequence"),
                       QStringLiteral("1")};
    QTest::newRow("delete without expected") << QStringList{QStringLiteral("delete-stream"), QStringLiteral("a!b")};
    QTest::newRow("import without file") << QStringList{QStringLiteral("import")};
    QTest::newRow("import bad mode") << QStringList{QStringLiteral("import"), QStringLiteral("--mode"),
                                                    QStringLiteral("merge"), QStringLiteral("x")};
    QTest::newRow("generate without events") << QStringList{QStringLiteral("generate")};
    QTest::newRow("generate 11 types") << QStringList{QStringLiteral("generate"), QStringLiteral("--events"),
                                                      QStringLiteral("1"), QStringLiteral("--aggregate-types"),
                                                      QStringLiteral("11")};
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, arguments);
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("db"));
    QStringList withDb = arguments;
    if (!arguments.isEmpty() && !arguments.constFirst().startsWith(QLatin1Char('-'))) {
        withDb.prepend(db);
        withDb.prepend(QStringLiteral("--db"));
    }
    const Run r = run(withDb);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.startsWith("rangedb-cli: error: "), r.err.constData());
    QVERIFY2(r.err.contains("usage: rangedb-cli"), r.err.constData());
    QVERIFY(r.out.isEmpty());
    QVERIFY(!QFile::exists(db)); // a usage error creates nothing, not even for write commands
}

void TestCli::info_data()
{
    QTest::addColumn<QString>("store");
    QTest::addColumn<QString>("serializer");
    QTest::newRow("json") << QStringLiteral("json-store") << QStringLiteral("json");
    QTest::newRow("msgpack") << QStringLiteral("msgpack-store") << QStringLiteral("msgpack");
}

void TestCli::info()
{
    QFETCH(QString, store);
    QFETCH(QString, serializer);
    QTemporaryDir dir;
    const QString db = copyOfFixture(dir, store);
    QVERIFY(!db.isEmpty());
    const Run r = runOn(db, {QStringLiteral("info")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), r.err.constData());
    QCOMPARE(r.out.count('\n'), 1);
    const auto info = parseFlatObject(r.out);
    QCOMPARE(info.at("path"), QDir(db).absolutePath().toStdString());
    QCOMPARE(info.at("serializer"), serializer.toStdString());
    QCOMPARE(info.at("globalSequenceNumber"), std::string("64"));
    QCOMPARE(info.at("totalEvents"), std::string("60"));
    QCOMPARE(info.at("aggregateTypes"), std::string("5"));
    QCOMPARE(info.at("streams"), std::string("13"));
}

void TestCli::aggregateTypes()
{
    QTemporaryDir dir;
    const QString db = copyOfFixture(dir);
    const Run r = runOn(db, {QStringLiteral("aggregate-types")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("{\"aggregateType\":\"account\",\"totalEvents\":18}\n"
                               "{\"aggregateType\":\"another\",\"totalEvents\":4}\n"
                               "{\"aggregateType\":\"order\",\"totalEvents\":11}\n"
                               "{\"aggregateType\":\"sensor\",\"totalEvents\":12}\n"
                               "{\"aggregateType\":\"thing\",\"totalEvents\":15}\n"));
}

void TestCli::streams()
{
    QTemporaryDir dir;
    const QString db = copyOfFixture(dir);
    const Run r = runOn(db, {QStringLiteral("streams")});
    QCOMPARE(r.exitCode, 0);
    // The fixture README's table, in stream-name order.
    const std::vector<std::pair<std::string, int>> expected = {
        {"account!acct-0001.eu", 9}, {"account!acct-0002.us", 4},   {"account!acct-0003.jp", 5},
        {"another!x.y-z", 4},        {"order!ord-2021.01.0001", 3}, {"order!ord-2021.01.0002", 2},
        {"order!ord-2021.01.0003", 4}, {"order!ord-2021.01.0004", 2}, {"sensor!station-oslo.02", 5},
        {"sensor!station-zürich.01", 7}, {"thing!1", 4},           {"thing!10", 3},
        {"thing!f9d8c7b6-a5e4-4d3c-b2a1-0f9e8d7c6b5a", 8},
    };
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), qsizetype(expected.size()));
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto line = parseFlatObject(lines.at(qsizetype(i)));
        QCOMPARE(line.at("streamName"), expected[i].first);
        QCOMPARE(line.at("aggregateType") + "!" + line.at("aggregateID"), expected[i].first);
        QCOMPARE(line.at("totalEvents"), std::to_string(expected[i].second));
    }

    const Run accounts = runOn(db, {QStringLiteral("streams"), QStringLiteral("--aggregate-type"),
                                    QStringLiteral("account")});
    QCOMPARE(accounts.exitCode, 0);
    QCOMPARE(accounts.out.count('\n'), 3);
    const Run none = runOn(db, {QStringLiteral("streams"), QStringLiteral("--aggregate-type"),
                                QStringLiteral("nosuchtype")});
    QCOMPARE(none.exitCode, 0);
    QVERIFY(none.out.isEmpty());
}

void TestCli::eventsMatchFixture_data()
{
    QTest::addColumn<QString>("store");
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("expectedFile");
    QTest::newRow("json store, ndjson") << QStringLiteral("json-store") << QStringLiteral("ndjson")
                                        << QStringLiteral("all-events.ndjson");
    QTest::newRow("json store, json") << QStringLiteral("json-store") << QStringLiteral("json")
                                      << QStringLiteral("all-events.json");
    QTest::newRow("json store, msgpack") << QStringLiteral("json-store") << QStringLiteral("msgpack")
                                         << QStringLiteral("all-events.ndjson");
    QTest::newRow("msgpack store, ndjson") << QStringLiteral("msgpack-store") << QStringLiteral("ndjson")
                                           << QStringLiteral("all-events.ndjson");
}

void TestCli::eventsMatchFixture()
{
    QFETCH(QString, store);
    QFETCH(QString, format);
    QFETCH(QString, expectedFile);
    QTemporaryDir dir;
    const QString db = copyOfFixture(dir, store);
    const Run r = runOn(db, {QStringLiteral("events"), QStringLiteral("--format"), format});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.err.isEmpty(), r.err.constData());

    const StreamFormat outputFormat = *parseStreamFormat(format.toStdString());
    const StreamFormat expectedFormat = expectedFile.endsWith(QLatin1String(".json")) ? StreamFormat::JsonArray
                                                                                      : StreamFormat::Ndjson;
    const auto actual = parseRecords(r.out, outputFormat);
    const auto expected = parseRecords(readFile(fixtureDir() + QLatin1Char('/') + expectedFile), expectedFormat);
    QCOMPARE(expected.size(), std::size_t(60));
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const Record &a = actual[i];
        const Record &e = expected[i];
        QCOMPARE(a.aggregateType, e.aggregateType);
        QCOMPARE(a.aggregateId, e.aggregateId);
        QCOMPARE(a.globalSequenceNumber, e.globalSequenceNumber);
        QCOMPARE(a.streamSequenceNumber, e.streamSequenceNumber);
        QCOMPARE(a.insertTimestamp, e.insertTimestamp);
        QCOMPARE(a.eventId, e.eventId);
        QCOMPARE(a.eventType, e.eventType);
        QVERIFY2(json::equal(a.data, e.data), (a.data + " != " + e.data).c_str());
        QVERIFY2(json::equal(a.metadata, e.metadata), (a.metadata + " != " + e.metadata).c_str());
    }
    if (outputFormat == StreamFormat::Ndjson) {
        // rangedb's framing: one record per line, no trailing newline.
        QCOMPARE(r.out.count('\n'), 59);
        QVERIFY(!r.out.endsWith('\n'));
    }
}

void TestCli::eventsQueries()
{
    QTemporaryDir dir;
    const QString db = copyOfFixture(dir);
    const auto count = [&](const QStringList &arguments) {
        const Run r = runOn(db, QStringList{QStringLiteral("events")} + arguments);
        return r.exitCode == 0 ? qsizetype(parseRecords(r.out, StreamFormat::Ndjson).size()) : -r.exitCode;
    };
    QCOMPARE(count({}), 60);
    QCOMPARE(count({QStringLiteral("--from-global"), QStringLiteral("30")}), 35);
    QCOMPARE(count({QStringLiteral("--from-global"), QStringLiteral("65")}), 0);
    QCOMPARE(count({QStringLiteral("--aggregate-type"), QStringLiteral("account")}), 18);
    QCOMPARE(count({QStringLiteral("--aggregate-type"), QStringLiteral("order"), QStringLiteral("--aggregate-type"),
                    QStringLiteral("thing")}),
             26);
    QCOMPARE(count({QStringLiteral("--stream"), QStringLiteral("account!acct-0001.eu")}), 9);
    QCOMPARE(count({QStringLiteral("--stream"), QStringLiteral("account!acct-0001.eu"), QStringLiteral("--from-stream"),
                    QStringLiteral("2")}),
             8);
    // Exactly the stream, not rangedb's prefix match.
    QCOMPARE(count({QStringLiteral("--stream"), QStringLiteral("thing!1")}), 4);
    // A missing or deleted stream: exit code 4.
    QCOMPARE(count({QStringLiteral("--stream"), QStringLiteral("thing!temp-delete.me")}), -4);

    // The export of one stream matches rangedb's export of it.
    const Run one = runOn(db, {QStringLiteral("events"), QStringLiteral("--stream"),
                               QStringLiteral("account!acct-0001.eu"), QStringLiteral("--format"),
                               QStringLiteral("json")});
    const auto expected = parseRecords(readFile(fixtureDir() + QStringLiteral("/stream-account_acct-0001.eu.json")),
                                       StreamFormat::JsonArray);
    const auto actual = parseRecords(one.out, StreamFormat::JsonArray);
    QCOMPARE(actual.size(), expected.size());
    for (std::size_t i = 0; i < actual.size(); ++i)
        QCOMPARE(actual[i].eventId, expected[i].eventId);
}

void TestCli::checkConsistent()
{
    QTemporaryDir dir;
    const QString db = copyOfFixture(dir);
    const Run r = runOn(db, {QStringLiteral("check")});
    QCOMPARE(r.exitCode, 0);
    const auto report = parseFlatObject(r.out);
    QCOMPARE(report.at("consistent"), std::string("true"));
    QCOMPARE(report.at("records"), std::string("60"));
    QCOMPARE(report.at("streams"), std::string("13"));
    QCOMPARE(report.at("globalSequenceNumber"), std::string("64"));
    QCOMPARE(report.at("problems"), std::string("[]"));
}

void TestCli::readCommandsNeverCreate_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("command");
    const QList<QStringList> commands = {
        {QStringLiteral("info")},
        {QStringLiteral("aggregate-types")},
        {QStringLiteral("streams")},
        {QStringLiteral("events")},
        {QStringLiteral("events"), QStringLiteral("--stream"), QStringLiteral("a!b")},
        {QStringLiteral("check")},
    };
    for (const char *kind : {"missing", "empty", "not a database"}) {
        for (const QStringList &command : commands) {
            QTest::addRow("%s: %s", kind, qPrintable(command.join(QLatin1Char(' '))))
                << QString::fromLatin1(kind) << command;
        }
    }
}

void TestCli::readCommandsNeverCreate()
{
    QFETCH(QString, kind);
    QFETCH(QStringList, command);
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("db"));
    if (kind != QLatin1String("missing"))
        QVERIFY(QDir().mkpath(db));
    if (kind == QLatin1String("not a database")) {
        QFile notes(db + QStringLiteral("/notes.txt"));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("not a database\n");
    }
    const QByteArray before = folderDigest(dir.path());
    const Run r = runOn(db, command);
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    QCOMPARE(r.err, "rangedb-cli: error: " + db.toUtf8() + " is not a rangedb database (no CURRENT file)\n");
    QCOMPARE(folderDigest(dir.path()), before);
    QCOMPARE(QFile::exists(db), kind != QLatin1String("missing"));
}

void TestCli::defaultDatabase()
{
    // Without --db: <XDG_DATA_HOME>/rangedb-workbench/default-db. A read command on a
    // missing default database creates nothing; a write command creates it.
    const QString expected = m_home.filePath(QStringLiteral("rangedb-workbench/default-db"));
    const Run missing = run({QStringLiteral("info")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains(expected.toUtf8()), missing.err.constData());
    QVERIFY(!QFile::exists(m_home.filePath(QStringLiteral("rangedb-workbench"))));

    const Run generated = run({QStringLiteral("generate"), QStringLiteral("--events"), QStringLiteral("25")});
    QCOMPARE(generated.exitCode, 0);
    QCOMPARE(generated.out, QByteArray("{\"generated\":25,\"globalSequenceNumber\":25}\n"));
    QVERIFY(QFile::exists(expected + QStringLiteral("/CURRENT")));
    const Run info = run({QStringLiteral("info")});
    QCOMPARE(info.exitCode, 0);
    QCOMPARE(parseFlatObject(info.out).at("path"), expected.toStdString());
    QVERIFY(QDir(m_home.filePath(QStringLiteral("rangedb-workbench"))).removeRecursively());
}

void TestCli::saveAndConflict()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("new/db"));
    const QStringList event = {QStringLiteral("save"),       QStringLiteral("--aggregate-type"),
                               QStringLiteral("account"),    QStringLiteral("--aggregate-id"),
                               QStringLiteral("acct-1"),     QStringLiteral("--event-type"),
                               QStringLiteral("AccountWasOpened")};
    const QStringList data = {QStringLiteral("--data"), QStringLiteral("{ \"owner\": \"Zoë\", \"n\": 18446744073709551615 }"),
                              QStringLiteral("--metadata"), QStringLiteral("{\"user\":\"alice\"}")};

    Run r = runOn(db, event + data);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("{\"globalSequenceNumber\":1,\"streamSequenceNumber\":1}\n"));
    r = runOn(db, event + QStringList{QStringLiteral("--expected-stream-sequence"), QStringLiteral("1")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("{\"globalSequenceNumber\":2,\"streamSequenceNumber\":2}\n"));

    // The optimistic conflict: exit 3, rangedb's wording, nothing written.
    r = runOn(db, event + QStringList{QStringLiteral("--expected-stream-sequence"), QStringLiteral("0")});
    QCOMPARE(r.exitCode, 3);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.startsWith("rangedb-cli: error: ") && r.err.contains("unexpected sequence number: 0, actual: 2"),
             r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);

    // Invalid data and forbidden names: exit 1.
    r = runOn(db, event + QStringList{QStringLiteral("--data"), QStringLiteral("{\"a\":}")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.startsWith("rangedb-cli: error: "));
    r = runOn(db, {QStringLiteral("save"), QStringLiteral("--aggregate-type"), QStringLiteral("all"),
                   QStringLiteral("--aggregate-id"), QStringLiteral("x"), QStringLiteral("--event-type"),
                   QStringLiteral("E")});
    QCOMPARE(r.exitCode, 1);

    const Run events = runOn(db, {QStringLiteral("events")});
    const auto records = parseRecords(events.out, StreamFormat::Ndjson);
    QCOMPARE(records.size(), std::size_t(2));
    QCOMPARE(records[0].data, std::string("{\"owner\":\"Zoë\",\"n\":18446744073709551615}"));
    QCOMPARE(records[0].metadata, std::string("{\"user\":\"alice\"}"));
    QCOMPARE(records[1].data, std::string("null"));
}

void TestCli::deleteStream()
{
    QTemporaryDir dir;
    const QString db = copyOfFixture(dir);
    Run r = runOn(db, {QStringLiteral("delete-stream"), QStringLiteral("thing!nope"),
                       QStringLiteral("--expected-stream-sequence"), QStringLiteral("0")});
    QCOMPARE(r.exitCode, 4);
    QVERIFY2(r.err.contains("stream not found"), r.err.constData());
    r = runOn(db, {QStringLiteral("delete-stream"), QStringLiteral("thing!1"),
                   QStringLiteral("--expected-stream-sequence"), QStringLiteral("3")});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains("unexpected sequence number: 3, actual: 4"), r.err.constData());
    r = runOn(db, {QStringLiteral("delete-stream"), QStringLiteral("thing!1"),
                   QStringLiteral("--expected-stream-sequence"), QStringLiteral("4")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("{\"deleted\":4,\"streamName\":\"thing!1\"}\n"));
    // Exactly that stream: thing!10 is still there; the counter is not lowered.
    const auto info = parseFlatObject(runOn(db, {QStringLiteral("info")}).out);
    QCOMPARE(info.at("totalEvents"), std::string("56"));
    QCOMPARE(info.at("globalSequenceNumber"), std::string("64"));
    QCOMPARE(runOn(db, {QStringLiteral("events"), QStringLiteral("--stream"), QStringLiteral("thing!10")}).exitCode, 0);
    QCOMPARE(runOn(db, {QStringLiteral("check")}).exitCode, 0);
}

void TestCli::lockedByAnotherProcess()
{
    QTemporaryDir dir;
    const QString db = copyOfFixture(dir);
    auto holder = LevelDbStore::open(QFile::encodeName(db).toStdString(), LevelDbOptions{});
    QVERIFY2(holder.ok(), holder.status().message().c_str());
    for (const QStringList &command :
         {QStringList{QStringLiteral("info")},
          QStringList{QStringLiteral("save"), QStringLiteral("--aggregate-type"), QStringLiteral("t"),
                      QStringLiteral("--aggregate-id"), QStringLiteral("i"), QStringLiteral("--event-type"),
                      QStringLiteral("E")}}) {
        const Run r = runOn(db, command);
        QCOMPARE(r.exitCode, 5);
        QVERIFY2(r.err.startsWith("rangedb-cli: error: ") && r.err.contains("in use"), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
    }
}

void TestCli::readOnlyWritesNothing()
{
    QTemporaryDir dir;
    const QString db = copyOfFixture(dir);
    const QByteArray before = folderDigest(db);

    const Run info = run({QStringLiteral("--db"), db, QStringLiteral("--read-only"), QStringLiteral("info")});
    QCOMPARE(info.exitCode, 0);
    QCOMPARE(parseFlatObject(info.out).at("totalEvents"), std::string("60"));

    const QList<QStringList> writes = {
        {QStringLiteral("save"), QStringLiteral("--aggregate-type"), QStringLiteral("t"),
         QStringLiteral("--aggregate-id"), QStringLiteral("i"), QStringLiteral("--event-type"), QStringLiteral("E")},
        {QStringLiteral("delete-stream"), QStringLiteral("thing!1"), QStringLiteral("--expected-stream-sequence"),
         QStringLiteral("4")},
        {QStringLiteral("generate"), QStringLiteral("--events"), QStringLiteral("5")},
    };
    for (const QStringList &write : writes) {
        const Run r = run(QStringList{QStringLiteral("--db"), db, QStringLiteral("--read-only")} + write);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("read-only"), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }
    QCOMPARE(folderDigest(db), before);

    // A write command with --read-only on a missing folder creates nothing either.
    const QString missing = dir.filePath(QStringLiteral("missing"));
    const Run r = run({QStringLiteral("--db"), missing, QStringLiteral("--read-only"), QStringLiteral("generate"),
                       QStringLiteral("--events"), QStringLiteral("5")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(!QFile::exists(missing));
}

void TestCli::eventsOutputIsAtomic()
{
    QTemporaryDir dir;
    const QString db = copyOfFixture(dir);
    const QString outDir = dir.filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(outDir));
    const QString output = outDir + QStringLiteral("/events.ndjson");
    {
        QFile previous(output);
        QVERIFY(previous.open(QIODevice::WriteOnly));
        previous.write("previous export\n");
    }
    const QByteArray before = folderDigest(outDir);

    // Fails after opening the output (the stream does not exist): the old file stays.
    Run r = runOn(db, {QStringLiteral("events"), QStringLiteral("--stream"), QStringLiteral("no!such"),
                       QStringLiteral("--output"), output});
    QCOMPARE(r.exitCode, 4);
    QCOMPARE(folderDigest(outDir), before); // no temporary file left behind either

    // Fails before (no database): the old file stays.
    r = run({QStringLiteral("--db"), dir.filePath(QStringLiteral("nodb")), QStringLiteral("events"),
             QStringLiteral("--output"), output});
    QCOMPARE(r.exitCode, 1);
    QCOMPARE(folderDigest(outDir), before);

    // Cannot write there: an error, no file.
    r = runOn(db, {QStringLiteral("events"), QStringLiteral("--output"), dir.filePath(QStringLiteral("no/dir/x"))});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("no"))));

    // Success replaces the file with exactly what stdout would have had.
    r = runOn(db, {QStringLiteral("events"), QStringLiteral("--output"), output});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.isEmpty());
    const Run toStdout = runOn(db, {QStringLiteral("events")});
    QCOMPARE(readFile(output), toStdout.out);
    QCOMPARE(QDir(outDir).entryList(QDir::Files | QDir::Hidden).size(), 1);
}

void TestCli::importRoundTrip_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("createSerializer");
    for (const char *format : {"ndjson", "json", "msgpack"}) {
        for (const char *mode : {"append", "restore"}) {
            for (const char *serializer : {"json", "msgpack"})
                QTest::addRow("%s %s into %s", format, mode, serializer)
                    << QString::fromLatin1(format) << QString::fromLatin1(mode) << QString::fromLatin1(serializer);
        }
    }
}

void TestCli::importRoundTrip()
{
    QFETCH(QString, format);
    QFETCH(QString, mode);
    QFETCH(QString, createSerializer);
    QTemporaryDir dir;
    const QString source = copyOfFixture(dir);
    const QString file = dir.filePath(QStringLiteral("export.") + format);
    QCOMPARE(runOn(source, {QStringLiteral("events"), QStringLiteral("--format"), format, QStringLiteral("--output"),
                            file})
                 .exitCode,
             0);

    const QString target = dir.filePath(QStringLiteral("target"));
    // Without --format: sniffed.
    const Run imported = run({QStringLiteral("--db"), target, QStringLiteral("--create-serializer"), createSerializer,
                              QStringLiteral("import"), QStringLiteral("--mode"), mode, file});
    QCOMPARE(imported.exitCode, 0);
    QVERIFY2(imported.err.isEmpty(), imported.err.constData());
    QCOMPARE(imported.out, QByteArray("{\"imported\":60,\"streams\":13}\n"));
    QCOMPARE(parseFlatObject(runOn(target, {QStringLiteral("info")}).out).at("serializer"),
             createSerializer.toStdString());

    const auto before = parseRecords(runOn(source, {QStringLiteral("events")}).out, StreamFormat::Ndjson);
    const auto after = parseRecords(runOn(target, {QStringLiteral("events")}).out, StreamFormat::Ndjson);
    QCOMPARE(after.size(), before.size());
    const bool restore = mode == QLatin1String("restore");
    for (std::size_t i = 0; i < before.size(); ++i) {
        QCOMPARE(after[i].aggregateType, before[i].aggregateType);
        QCOMPARE(after[i].aggregateId, before[i].aggregateId);
        QCOMPARE(after[i].eventType, before[i].eventType);
        QVERIFY(json::equal(after[i].data, before[i].data));
        QVERIFY(json::equal(after[i].metadata, before[i].metadata));
        if (restore) {
            QCOMPARE(after[i].globalSequenceNumber, before[i].globalSequenceNumber);
            QCOMPARE(after[i].streamSequenceNumber, before[i].streamSequenceNumber);
            QCOMPARE(after[i].insertTimestamp, before[i].insertTimestamp);
            QCOMPARE(after[i].eventId, before[i].eventId);
        } else {
            QCOMPARE(after[i].globalSequenceNumber, std::uint64_t(i + 1)); // renumbered, no gap
            QVERIFY(after[i].eventId != before[i].eventId);
        }
    }
    const auto info = parseFlatObject(runOn(target, {QStringLiteral("info")}).out);
    QCOMPARE(info.at("globalSequenceNumber"), std::string(restore ? "64" : "60"));
    QCOMPARE(runOn(target, {QStringLiteral("check")}).exitCode, 0);
}

void TestCli::importFromStdin()
{
    QTemporaryDir dir;
    const QString target = dir.filePath(QStringLiteral("db"));
    const QByteArray input = readFile(fixtureDir() + QStringLiteral("/all-events.ndjson"));
    Run r = runOn(target, {QStringLiteral("import"), QStringLiteral("-")}, input);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("{\"imported\":60,\"streams\":13}\n"));
    // Appending again doubles the streams' lengths.
    r = runOn(target, {QStringLiteral("import"), QStringLiteral("--format"), QStringLiteral("ndjson"),
                       QStringLiteral("-")},
              input);
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(parseFlatObject(runOn(target, {QStringLiteral("info")}).out).at("totalEvents"), std::string("120"));
    // An empty input imports nothing.
    r = runOn(target, {QStringLiteral("import"), QStringLiteral("-")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out, QByteArray("{\"imported\":0,\"streams\":0}\n"));
}

void TestCli::importBadInputChangesNothing_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expectedInError");

    const QByteArray good = readFile(fixtureDir() + QStringLiteral("/all-events.ndjson"));
    const QList<QByteArray> lines = good.split('\n');
    QByteArray broken = lines.mid(0, 3).join('\n') + "\n{\"aggregateType\":\"x\",\"aggregateID\":\"y\", oops}\n"
        + lines.mid(3).join('\n');
    QByteArray truncated = good.left(good.size() - 10);
    QByteArray forbidden = good;
    forbidden.replace("\"aggregateType\":\"thing\"", "\"aggregateType\":\"all\"");
    for (const char *mode : {"append", "restore"}) {
        QTest::addRow("%s: syntax error in record 4", mode)
            << QString::fromLatin1(mode) << broken << QByteArray("record 4");
        QTest::addRow("%s: truncated last record", mode)
            << QString::fromLatin1(mode) << truncated << QByteArray("record 60");
    }
    QTest::newRow("append: forbidden aggregate type in record 2")
        << QStringLiteral("append") << forbidden << QByteArray("record 2");
}

void TestCli::importBadInputChangesNothing()
{
    QFETCH(QString, mode);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expectedInError);
    QTemporaryDir dir;
    // A database with content for append; an empty one for restore.
    const QString db = dir.filePath(QStringLiteral("db"));
    if (mode == QLatin1String("append")) {
        QVERIFY(copyFolder(fixtureDir() + QStringLiteral("/json-store"), db));
    } else {
        QCOMPARE(runOn(db, {QStringLiteral("generate"), QStringLiteral("--events"), QStringLiteral("0")}).exitCode, 0);
    }
    const Run before = runOn(db, {QStringLiteral("events")});
    const QString file = dir.filePath(QStringLiteral("bad.ndjson"));
    {
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(input);
    }
    const Run r = runOn(db, {QStringLiteral("import"), QStringLiteral("--mode"), mode, file});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.startsWith("rangedb-cli: error: ") && r.err.contains(expectedInError), r.err.constData());
    QCOMPARE(r.err.count('\n'), 1);
    if (expectedInError == "record 4")
        QVERIFY2(r.err.contains("line 4"), r.err.constData());
    QVERIFY2(r.err.contains(file.toUtf8()), r.err.constData());

    const Run after = runOn(db, {QStringLiteral("events")});
    QCOMPARE(eventsDigest(after), eventsDigest(before));
    QCOMPARE(runOn(db, {QStringLiteral("info")}).out, runOn(db, {QStringLiteral("info")}).out);
    if (mode == QLatin1String("restore"))
        QCOMPARE(parseFlatObject(runOn(db, {QStringLiteral("info")}).out).at("globalSequenceNumber"), std::string("0"));
}

void TestCli::restoreNeedsEmptyDatabase()
{
    QTemporaryDir dir;
    const QString db = copyOfFixture(dir);
    const Run before = runOn(db, {QStringLiteral("events")});
    const Run r = runOn(db, {QStringLiteral("import"), QStringLiteral("--mode"), QStringLiteral("restore"),
                             fixtureDir() + QStringLiteral("/all-events.ndjson")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.startsWith("rangedb-cli: error: "));
    QCOMPARE(eventsDigest(runOn(db, {QStringLiteral("events")})), eventsDigest(before));
}

void TestCli::generateIsDeterministic()
{
    QTemporaryDir dir;
    const auto generate = [&](const QString &name, const QString &seed) {
        const QString db = dir.filePath(name);
        const Run r = runOn(db, {QStringLiteral("generate"), QStringLiteral("--events"), QStringLiteral("500"),
                                 QStringLiteral("--streams"), QStringLiteral("40"), QStringLiteral("--batch"),
                                 QStringLiteral("7"), QStringLiteral("--seed"), seed});
        if (r.exitCode != 0 || r.out != "{\"generated\":500,\"globalSequenceNumber\":500}\n")
            qWarning("%s %s", r.out.constData(), r.err.constData());
        return parseRecords(runOn(db, {QStringLiteral("events")}).out, StreamFormat::Ndjson);
    };
    const auto a = generate(QStringLiteral("a"), QStringLiteral("42"));
    const auto b = generate(QStringLiteral("b"), QStringLiteral("42"));
    const auto c = generate(QStringLiteral("c"), QStringLiteral("43"));
    QCOMPARE(a.size(), std::size_t(500));
    QCOMPARE(b.size(), a.size());
    bool differs = false;
    std::map<std::string, int> types;
    for (std::size_t i = 0; i < a.size(); ++i) {
        // Event IDs are random and timestamps come from the clock: everything else is equal.
        QCOMPARE(b[i].aggregateType, a[i].aggregateType);
        QCOMPARE(b[i].aggregateId, a[i].aggregateId);
        QCOMPARE(b[i].eventType, a[i].eventType);
        QCOMPARE(b[i].data, a[i].data);
        QCOMPARE(b[i].metadata, a[i].metadata);
        differs = differs || c[i].data != a[i].data;
        ++types[a[i].aggregateType];
        QVERIFY(a[i].data.size() >= 100 && a[i].data.size() <= 500);
    }
    QVERIFY(differs);
    QCOMPARE(types.size(), std::size_t(10));

    const QList<QByteArray> streamLines = runOn(dir.filePath(QStringLiteral("a")), {QStringLiteral("streams")})
                                              .out.trimmed()
                                              .split('\n');
    QCOMPARE(streamLines.size(), 40);
}

// serve: prints its URL, answers rangedb's API (writes refused with --read-only), and
// stops cleanly with exit code 0 on SIGTERM, leaving a consistent database.
void TestCli::serveUntilTerminated()
{
    QTemporaryDir dir;
    const QString db = dir.filePath(QStringLiteral("db"));
    QCOMPARE(run({QStringLiteral("--db"), db, QStringLiteral("save"), QStringLiteral("--aggregate-type"),
                  QStringLiteral("thing"), QStringLiteral("--aggregate-id"), QStringLiteral("a"),
                  QStringLiteral("--event-type"), QStringLiteral("A")})
                 .exitCode,
             0);
    for (const bool readOnly : {false, true}) {
        QProcess process;
        QStringList arguments{QStringLiteral("--db"), db};
        if (readOnly)
            arguments << QStringLiteral("--read-only");
        arguments << QStringLiteral("serve") << QStringLiteral("--port") << QStringLiteral("0");
        process.start(QStringLiteral(RANGEDB_CLI_PATH), arguments);
        QVERIFY(process.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(process.canReadLine() || process.state() != QProcess::Running, 10'000);
        const QByteArray line = process.readLine().trimmed();
        const auto members = parseFlatObject(line);
        QVERIFY2(members.count("url"), line.constData());
        const QUrl url(QString::fromStdString(members.at("url")));
        QCOMPARE(url.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(members.at("readOnly"), std::string(readOnly ? "true" : "false"));

        const auto request = [&](const QByteArray &text) {
            QTcpSocket socket;
            socket.connectToHost(url.host(), quint16(url.port()));
            if (!socket.waitForConnected(5000))
                return QByteArray("no connection");
            socket.write(text);
            QByteArray answer;
            while (!answer.contains("\r\n\r\n{") && socket.waitForReadyRead(5000))
                answer += socket.readAll();
            while (!answer.endsWith('}') && socket.waitForReadyRead(2000))
                answer += socket.readAll();
            return answer;
        };
        const QByteArray health = request("GET /api/health-check HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        QVERIFY2(health.startsWith("HTTP/1.1 200 OK\r\n") && health.endsWith("{\"status\":\"OK\"}"), health.constData());
        const QByteArray body = "[{\"eventType\":\"B\"}]";
        const QByteArray saved = request("POST /api/save-events/thing/0123456789abcdef0123456789abcdef HTTP/1.1\r\n"
                                         "Host: x\r\nContent-Type: application/json\r\nContent-Length: "
                                         + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY2(saved.startsWith(readOnly ? "HTTP/1.1 403 " : "HTTP/1.1 201 "), saved.constData());

        process.terminate();
        QVERIFY(process.waitForFinished(10'000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
    }
    const auto check = run({QStringLiteral("--db"), db, QStringLiteral("check")});
    QCOMPARE(check.exitCode, 0);
    const auto info = parseFlatObject(run({QStringLiteral("--db"), db, QStringLiteral("info")}).out);
    QCOMPARE(info.at("totalEvents"), std::string("2"));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
