// rangedb::server::Server over real loopback sockets: every endpoint with its exact
// status and body, the error cases, WebSocket catch-up then live delivery, several
// clients at once, and clients that stall.
#include <rangedb/codec.h>
#include <rangedb/leveldbstore.h>
#include <rangedb/memorystore.h>
#include <rangedb/recordstream.h>
#include <rangedb/server.h>

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWebSocket>

#include <atomic>
#include <thread>

using namespace rangedb;
using rangedb::server::Server;
using rangedb::server::ServerOptions;

namespace {

constexpr char kId1[] = "141b39d2b9854f8093ef79dc47dae6af";
constexpr char kId2[] = "f5d6ff4e8d1e44a4a5fd2d7a41e3e5a1";

struct Reply
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
};

Reply send(QNetworkAccessManager &nam, const QByteArray &verb, const QUrl &url, const QByteArray &body = {},
           const QList<QPair<QByteArray, QByteArray>> &headers = {})
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    QNetworkReply *reply = nam.sendCustomRequest(request, verb, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(20'000, &loop, &QEventLoop::quit);
    loop.exec();
    Reply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.contentType = reply->rawHeader("Content-Type");
    result.error = reply->error();
    delete reply;
    return result;
}

const QList<QPair<QByteArray, QByteArray>> kJsonType = {{"Content-Type", "application/json"}};

// What rangedb's listing holds for these records, built with the core's own codecs.
QByteArray expectedListing(Store &store, RecordIteratorPtr it, StreamFormat format)
{
    (void)store;
    QByteArray out;
    std::string msgpack;
    bool first = true;
    while (it->next()) {
        const Record &record = *it->record();
        if (format == StreamFormat::Msgpack) {
            if (!codec::appendMsgpack(msgpack, record).ok())
                return "encode failed";
            continue;
        }
        if (!first)
            out += format == StreamFormat::JsonArray ? "," : "\n";
        first = false;
        out += QByteArray::fromStdString(codec::toJson(record));
    }
    if (format == StreamFormat::JsonArray)
        return "[" + out + "]";
    if (format == StreamFormat::Msgpack)
        return QByteArray::fromStdString(msgpack).toBase64(QByteArray::OmitTrailingEquals);
    return out;
}

std::vector<Record> allRecords(Store &store)
{
    std::vector<Record> records;
    auto it = store.events(0);
    while (it->next())
        records.push_back(*it->record());
    return records;
}

// Reads one HTTP response head from a raw socket: "HTTP/1.1 413 ...".
QByteArray readHead(QTcpSocket &socket, QByteArray *rest = nullptr)
{
    QByteArray data;
    QElapsedTimer timer;
    timer.start();
    while (!data.contains("\r\n\r\n") && timer.elapsed() < 10'000) {
        if (!socket.waitForReadyRead(200) && socket.state() != QAbstractSocket::ConnectedState)
            break;
        data += socket.readAll();
    }
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (rest && end >= 0)
        *rest = data.mid(end + 4);
    return end >= 0 ? data.left(end) : data;
}

EventRecord makeEvent(const std::string &type, const std::string &id, const std::string &eventType,
                  const std::string &data = "{}")
{
    EventRecord e;
    e.aggregateType = type;
    e.aggregateId = id;
    e.eventType = eventType;
    e.data = data;
    return e;
}

} // namespace

class TestServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_store = std::make_shared<MemoryStore>();
        m_server = std::make_unique<Server>(m_store);
        QVERIFY(m_server->start().ok());
        m_api = m_server->url().toString() + QStringLiteral("/api");
    }
    void cleanup()
    {
        m_server.reset();
        m_store.reset();
    }

    void startReportsTheBoundPort()
    {
        QVERIFY(m_server->isRunning());
        QVERIFY(m_server->port() != 0);
        QCOMPARE(m_server->url().host(), QStringLiteral("127.0.0.1"));
        // The same port twice: the second server says why it cannot listen.
        ServerOptions options;
        options.port = m_server->port();
        Server second(m_store, options);
        const Status status = second.start();
        QCOMPARE(status.code(), ErrorCode::IoError);
        QVERIFY2(status.message().find(std::to_string(options.port)) != std::string::npos, status.message().c_str());
        QVERIFY(!second.isRunning());
        QVERIFY(second.url().isEmpty());
        // stop() is idempotent and start() works again after it.
        m_server->stop();
        m_server->stop();
        QVERIFY(!m_server->isRunning());
        QVERIFY(m_server->start().ok());
    }

    void healthCheck()
    {
        const Reply reply = send(m_nam, "GET", QUrl(m_api + QStringLiteral("/health-check")));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.contentType, QByteArray("application/json"));
        QCOMPARE(reply.body, QByteArray(R"({"status":"OK"})"));
        QVERIFY(m_server->requestCount() >= 1);
    }

    void unknownPathsAre404_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("unknown api") << QStringLiteral("/api/nothing-here");
        QTest::newRow("outside api") << QStringLiteral("/health-check");
        QTest::newRow("short id") << QStringLiteral("/api/save-events/thing/abc");
        QTest::newRow("bad extension") << QStringLiteral("/api/events.xml");
        QTest::newRow("root") << QStringLiteral("/");
    }
    void unknownPathsAre404()
    {
        QFETCH(QString, path);
        const Reply reply = send(m_nam, "GET", QUrl(m_server->url().toString() + path));
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.body, QByteArray("404 page not found\n"));
    }

    void strictSlashRedirects()
    {
        const Reply reply = send(m_nam, "GET", QUrl(m_api + QStringLiteral("/health-check/")));
        QCOMPARE(reply.status, 301);
    }

    void saveAndList_data()
    {
        QTest::addColumn<QString>("extension");
        QTest::addColumn<int>("format");
        QTest::addColumn<QByteArray>("contentType");
        QTest::newRow("json") << QStringLiteral("json") << int(StreamFormat::JsonArray) << QByteArray("application/json");
        QTest::newRow("ndjson") << QStringLiteral("ndjson") << int(StreamFormat::Ndjson)
                                << QByteArray("application/json; boundary=LF");
        QTest::newRow("msgpack") << QStringLiteral("msgpack") << int(StreamFormat::Msgpack)
                                 << QByteArray("application/msgpack");
    }
    void saveAndList()
    {
        QFETCH(QString, extension);
        QFETCH(int, format);
        QFETCH(QByteArray, contentType);

        const QByteArray body = R"([{"eventType":"ThingWasDone","data":{"id":"a","number":100},"metadata":null},)"
                                R"({"eventType":"ThingWasDone","data":{"id":"a","number":200},"metadata":{"by":"me"}}])";
        Reply saved = send(m_nam, "POST", QUrl(m_api + QStringLiteral("/save-events/thing/") + QLatin1String(kId1)),
                           body, kJsonType);
        QCOMPARE(saved.status, 201);
        QCOMPARE(saved.contentType, QByteArray("application/json"));
        QCOMPARE(saved.body, QByteArray(R"({"status":"OK","streamSequenceNumber":2})"));
        saved = send(m_nam, "POST", QUrl(m_api + QStringLiteral("/save-events/order_v2/") + QLatin1String(kId2)),
                     R"([{"eventType":"Placed","data":{"total":1.50}}])", kJsonType);
        QCOMPARE(saved.status, 201);
        QCOMPARE(saved.body, QByteArray(R"({"status":"OK","streamSequenceNumber":1})"));

        const auto fmt = StreamFormat(format);
        const std::vector<Record> stored = allRecords(*m_store);
        QCOMPARE(stored.size(), std::size_t(3));
        QCOMPARE(stored[0].data, std::string(R"({"id":"a","number":100})"));
        QCOMPARE(stored[1].metadata, std::string(R"({"by":"me"})"));
        QCOMPARE(stored[2].data, std::string(R"({"total":1.50})"));

        Reply all = send(m_nam, "GET", QUrl(m_api + QStringLiteral("/events.") + extension));
        QCOMPARE(all.status, 200);
        QCOMPARE(all.contentType, contentType);
        QCOMPARE(all.body, expectedListing(*m_store, m_store->events(0), fmt));

        Reply stream = send(m_nam, "GET", QUrl(m_api + QStringLiteral("/events/thing/") + QLatin1String(kId1)
                                               + QLatin1Char('.') + extension));
        QCOMPARE(stream.status, 200);
        QCOMPARE(stream.body, expectedListing(*m_store, m_store->eventsByStream(0, std::string("thing!") + kId1), fmt));

        // Aggregate types with digits and underscores work (rangedb's pattern refused them).
        Reply types = send(m_nam, "GET", QUrl(m_api + QStringLiteral("/events/order_v2,thing.") + extension));
        QCOMPARE(types.status, 200);
        QCOMPARE(types.body, expectedListing(*m_store, m_store->events(0), fmt));
        Reply one = send(m_nam, "GET", QUrl(m_api + QStringLiteral("/events/order_v2.") + extension));
        QCOMPARE(one.body, expectedListing(*m_store, m_store->eventsByAggregateTypes(0, {"order_v2"}), fmt));
    }

    void emptyListings()
    {
        QCOMPARE(send(m_nam, "GET", QUrl(m_api + QStringLiteral("/events.json"))).body, QByteArray("[]"));
        QCOMPARE(send(m_nam, "GET", QUrl(m_api + QStringLiteral("/events.ndjson"))).body, QByteArray());
        QCOMPARE(send(m_nam, "GET", QUrl(m_api + QStringLiteral("/events/nothing.json"))).body, QByteArray("[]"));
    }

    void missingStreamIs404()
    {
        const Reply reply =
            send(m_nam, "GET", QUrl(m_api + QStringLiteral("/events/thing/") + QLatin1String(kId1) + QStringLiteral(".json")));
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.body, QByteArray(R"({"status":"Failed","message":"stream not found"})"));
    }

    void numbersKeepTheirExactValues()
    {
        const QByteArray data = R"({"big":18446744073709551615,"neg":-9223372036854775808,"f":1.50,"e":1e3})";
        const Reply saved = send(m_nam, "POST",
                                 QUrl(m_api + QStringLiteral("/save-events/thing/") + QLatin1String(kId1)),
                                 R"([{"eventType":"Big","data":)" + data + R"(,"metadata":18446744073709551615}])",
                                 kJsonType);
        QVERIFY2(saved.status == 201, saved.body.constData());
        const Reply listed = send(m_nam, "GET", QUrl(m_api + QStringLiteral("/events.ndjson")));
        QVERIFY2(listed.body.contains(QByteArray(R"("data":)" + data)), listed.body.constData());
        QVERIFY(listed.body.contains(R"("metadata":18446744073709551615)"));
    }

    void optimisticSave()
    {
        const QUrl url(m_api + QStringLiteral("/save-events/thing/") + QLatin1String(kId1));
        const QByteArray body = R"([{"eventType":"ThingWasDone","data":{}}])";
        auto headers = kJsonType;
        headers.append(qMakePair(QByteArray("ExpectedStreamSequenceNumber"), QByteArray("0")));
        Reply reply = send(m_nam, "POST", url, body, headers);
        QCOMPARE(reply.status, 201);
        QCOMPARE(reply.body, QByteArray(R"({"status":"OK","streamSequenceNumber":1})"));

        reply = send(m_nam, "POST", url, body, headers); // still expects 0
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.body, QByteArray(R"({"status":"Failed","message":"unexpected sequence number: 0, actual: 1"})"));

        headers.last().second = "1";
        reply = send(m_nam, "POST", url, body, headers);
        QCOMPARE(reply.status, 201);
        QCOMPARE(reply.body, QByteArray(R"({"status":"OK","streamSequenceNumber":2})"));

        headers.last().second = "-1";
        reply = send(m_nam, "POST", url, body, headers);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.body, QByteArray(R"({"status":"Failed","message":"invalid ExpectedStreamSequenceNumber"})"));
        QCOMPARE(allRecords(*m_store).size(), std::size_t(2));
    }

    void saveRefusesBadInput()
    {
        const QUrl url(m_api + QStringLiteral("/save-events/thing/") + QLatin1String(kId1));
        Reply reply = send(m_nam, "POST", url, R"([{"eventType":"A"}])",
                           {{"Content-Type", "application/json; charset=utf-8"}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.body, QByteArray("invalid content type\n"));

        reply = send(m_nam, "POST", url, R"([{"eventType":"A","data":{"x":1,}}])", kJsonType);
        QCOMPARE(reply.status, 400);
        const QJsonObject error = QJsonDocument::fromJson(reply.body).object();
        QCOMPARE(error.value(QStringLiteral("status")).toString(), QStringLiteral("Failed"));
        const QString message = error.value(QStringLiteral("message")).toString();
        QVERIFY2(message.startsWith(QStringLiteral("invalid json request body: ")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("column")), qPrintable(message));

        // An error message holding quotes is still valid JSON (rangedb did not escape).
        reply = send(m_nam, "POST", url, "[{\"eventType\":\"A\\\"B\",\"data\":{\"x\":\"\\\"q\\\"\"}}, 7]", kJsonType);
        QCOMPARE(reply.status, 400);
        QVERIFY2(!QJsonDocument::fromJson(reply.body).isNull(), reply.body.constData());

        reply = send(m_nam, "POST", url, R"({"eventType":"A"})", kJsonType);
        QCOMPARE(reply.status, 400);

        // rangedb: an empty array is a store error (missing events), answered 500.
        reply = send(m_nam, "POST", url, "[]", kJsonType);
        QCOMPARE(reply.status, 500);
        QCOMPARE(reply.body, QByteArray(R"({"status":"Failed","message":"internal server error: missing events"})"));
        QCOMPARE(allRecords(*m_store).size(), std::size_t(0));
    }

    void deleteStream()
    {
        const QUrl save(m_api + QStringLiteral("/save-events/thing/") + QLatin1String(kId1));
        QCOMPARE(send(m_nam, "POST", save, R"([{"eventType":"A"},{"eventType":"B"}])", kJsonType).status, 201);
        const QUrl url(m_api + QStringLiteral("/delete-stream/thing/") + QLatin1String(kId1));

        Reply reply = send(m_nam, "POST", url, {}, {{"ExpectedStreamSequenceNumber", "3"}});
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.body, QByteArray(R"({"status":"Failed","message":"unexpected sequence number: 3, actual: 2"})"));
        reply = send(m_nam, "POST", url, {}, {{"ExpectedStreamSequenceNumber", "x"}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.body, QByteArray(R"({"status":"Failed","message":"invalid ExpectedStreamSequenceNumber"})"));

        reply = send(m_nam, "POST", url, {}, {{"ExpectedStreamSequenceNumber", "2"}});
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body, QByteArray(R"({"status":"OK","eventsDeleted":2})"));
        QCOMPARE(allRecords(*m_store).size(), std::size_t(0));

        reply = send(m_nam, "POST", url, {}, {{"ExpectedStreamSequenceNumber", "2"}});
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.body, QByteArray(R"({"status":"Failed","message":"stream not found"})"));
        // A failed delete leaves writes working (rangedb's LevelDB store wedged here).
        QCOMPARE(send(m_nam, "POST", save, R"([{"eventType":"C"}])", kJsonType).status, 201);
    }

    void listAggregateTypes()
    {
        const QByteArray base = m_api.toUtf8();
        Reply reply = send(m_nam, "GET", QUrl(m_api + QStringLiteral("/list-aggregate-types")));
        QCOMPARE(reply.status, 200);
        QByteArray expected = R"({"data":null,"totalEvents":0,"links":{"allEvents":"BASE/events.json","self":"BASE/list-aggregate-types"}})";
        QCOMPARE(reply.body, expected.replace("BASE", base) + '\n');

        QVERIFY(m_store->save(std::vector{makeEvent("thing", kId1, "A"), makeEvent("thing", kId1, "B")}).ok());
        QVERIFY(m_store->save(std::vector{makeEvent("another", kId2, "C")}).ok());
        reply = send(m_nam, "GET", QUrl(m_api + QStringLiteral("/list-aggregate-types")));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.contentType, QByteArray("application/json"));
        expected = R"({"data":[{"links":{"self":"BASE/events/another.json"},"name":"another","totalEvents":1},)"
                   R"({"links":{"self":"BASE/events/thing.json"},"name":"thing","totalEvents":2}],"totalEvents":3,)"
                   R"("links":{"allEvents":"BASE/events.json","self":"BASE/list-aggregate-types"}})";
        QCOMPARE(reply.body, expected.replace("BASE", base) + '\n');
    }

    void readOnlyStoreRefusesWrites()
    {
        QTemporaryDir dir;
        {
            LevelDbOptions create;
            create.createIfMissing = true;
            auto store = LevelDbStore::open(dir.path().toStdString(), create);
            QVERIFY(store.ok());
            QVERIFY((*store)->save(std::vector{makeEvent("thing", kId1, "A")}).ok());
        }
        LevelDbOptions readOnly;
        readOnly.readOnly = true;
        auto opened = LevelDbStore::open(dir.path().toStdString(), readOnly);
        QVERIFY(opened.ok());
        std::shared_ptr<Store> store = std::move(opened).value();
        Server server(store);
        QVERIFY(server.start().ok());
        const QString api = server.url().toString() + QStringLiteral("/api");

        Reply reply = send(m_nam, "POST", QUrl(api + QStringLiteral("/save-events/thing/") + QLatin1String(kId1)),
                           R"([{"eventType":"B"}])", kJsonType);
        QCOMPARE(reply.status, 403);
        QCOMPARE(QJsonDocument::fromJson(reply.body).object().value(QStringLiteral("status")).toString(),
                 QStringLiteral("Failed"));
        reply = send(m_nam, "POST", QUrl(api + QStringLiteral("/delete-stream/thing/") + QLatin1String(kId1)), {},
                     {{"ExpectedStreamSequenceNumber", "1"}});
        QCOMPARE(reply.status, 403);
        reply = send(m_nam, "GET", QUrl(api + QStringLiteral("/events.json")));
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body, expectedListing(*store, store->events(0), StreamFormat::JsonArray));
        QCOMPARE(allRecords(*store).size(), std::size_t(1));
    }

    void bodyOverTheLimitIs413()
    {
        ServerOptions options;
        options.maxRequestBodyBytes = 1024;
        Server server(m_store, options);
        QVERIFY(server.start().ok());
        const QString api = server.url().toString() + QStringLiteral("/api");
        const QUrl url(api + QStringLiteral("/save-events/thing/") + QLatin1String(kId1));

        QByteArray big = QByteArray("[{\"eventType\":\"A\",\"data\":\"") + QByteArray(4096, 'x') + QByteArray("\"}]");
        Reply reply = send(m_nam, "POST", url, big, kJsonType);
        QCOMPARE(reply.status, 413);
        QVERIFY(reply.body.contains("1024"));

        // A declared length is refused at once, before any body arrives.
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(raw.waitForConnected(5000));
        raw.write("POST /api/save-events/thing/" + QByteArray(kId1)
                  + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n[");
        QVERIFY(readHead(raw).startsWith("HTTP/1.1 413 "));

        // A client that asks before sending its body (Expect: 100-continue, as curl does)
        // is told to go on, or refused at once.
        QTcpSocket asking;
        asking.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(asking.waitForConnected(5000));
        const QByteArray small = "[{\"eventType\":\"Asked\"}]";
        asking.write("POST /api/save-events/thing/" + QByteArray(kId1)
                     + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                       "Content-Length: "
                     + QByteArray::number(small.size()) + "\r\n\r\n");
        QByteArray rest;
        QCOMPARE(readHead(asking, &rest), QByteArray("HTTP/1.1 100 Continue"));
        asking.write(small);
        QVERIFY(readHead(asking).startsWith("HTTP/1.1 201 "));
        QCOMPARE(allRecords(*m_store).size(), std::size_t(1));

        // At the limit it is accepted.
        const QByteArray fits = QByteArray("[{\"eventType\":\"A\",\"data\":\"") + QByteArray(900, 'x') + QByteArray("\"}]");
        QCOMPARE(send(m_nam, "POST", url, fits, kJsonType).status, 201);
        QCOMPARE(allRecords(*m_store).size(), std::size_t(2));
    }

    void webSocketCatchesUpThenFollows()
    {
        for (int i = 0; i < 3; ++i)
            QVERIFY(m_store->save(std::vector{makeEvent("thing", kId1, "E" + std::to_string(i))}).ok());
        QWebSocket client;
        QStringList messages;
        connect(&client, &QWebSocket::textMessageReceived, this, [&](const QString &m) { messages << m; });
        QUrl url(m_server->url());
        url.setScheme(QStringLiteral("ws"));
        url.setPath(QStringLiteral("/ws/events"));
        url.setQuery(QStringLiteral("global-sequence-number=2"));
        QSignalSpy connected(&client, &QWebSocket::connected);
        client.open(url);
        QVERIFY(connected.wait(5000));
        QTRY_COMPARE(messages.size(), 2);
        QTRY_COMPARE(m_server->webSocketClientCount(), 1);

        for (int i = 3; i < 5; ++i)
            QVERIFY(m_store->save(std::vector{makeEvent("another", kId2, "E" + std::to_string(i))}).ok());
        QTRY_COMPARE(messages.size(), 4);
        const std::vector<Record> records = allRecords(*m_store);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(messages.at(i).toStdString(), codec::toJson(records.at(std::size_t(i) + 1)));

        // As rangedb: any message from the client ends the session.
        QSignalSpy disconnected(&client, &QWebSocket::disconnected);
        client.sendTextMessage(QStringLiteral("close"));
        QVERIFY(disconnected.wait(5000));
        QTRY_COMPARE(m_server->webSocketClientCount(), 0);
    }

    void webSocketByAggregateTypes()
    {
        QVERIFY(m_store->save(std::vector{makeEvent("thing", kId1, "A")}).ok());
        QVERIFY(m_store->save(std::vector{makeEvent("other_2", kId2, "B")}).ok());
        QWebSocket client;
        QStringList messages;
        connect(&client, &QWebSocket::textMessageReceived, this, [&](const QString &m) { messages << m; });
        QUrl url(m_server->url());
        url.setScheme(QStringLiteral("ws"));
        url.setPath(QStringLiteral("/ws/events/other_2,nothing"));
        client.open(url);
        QTRY_COMPARE(messages.size(), 1);
        QVERIFY(m_store->save(std::vector{makeEvent("thing", kId1, "C")}).ok());
        QVERIFY(m_store->save(std::vector{makeEvent("other_2", kId2, "D")}).ok());
        QTRY_COMPARE(messages.size(), 2);
        QVERIFY(messages.at(0).contains(QStringLiteral("\"eventType\":\"B\"")));
        QVERIFY(messages.at(1).contains(QStringLiteral("\"eventType\":\"D\"")));
        QTest::qWait(100);
        QCOMPARE(messages.size(), 2);
    }

    void webSocketRefusals_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::addColumn<QByteArray>("extraHeader");
        QTest::addColumn<QByteArray>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("bad gsn") << QByteArray("/ws/events?global-sequence-number=abc") << QByteArray()
                                 << QByteArray("400") << QByteArray("invalid request\n");
        QTest::newRow("unknown path") << QByteArray("/ws/nothing") << QByteArray() << QByteArray("404")
                                      << QByteArray("404 page not found\n");
        QTest::newRow("foreign origin") << QByteArray("/ws/events") << QByteArray("Origin: http://evil.example\r\n")
                                        << QByteArray("403")
                                        << QByteArray("Forbidden\nunable to upgrade websocket connection\n");
    }
    void webSocketRefusals()
    {
        QFETCH(QByteArray, target);
        QFETCH(QByteArray, extraHeader);
        QFETCH(QByteArray, status);
        QFETCH(QByteArray, body);
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(raw.waitForConnected(5000));
        raw.write("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_server->port())
                  + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  + extraHeader + "\r\n");
        QByteArray rest;
        const QByteArray head = readHead(raw, &rest);
        QVERIFY2(head.startsWith(QByteArray("HTTP/1.1 " + status + ' ')), head.constData());
        while (rest.size() < body.size() && raw.waitForReadyRead(2000))
            rest += raw.readAll();
        QCOMPARE(rest, body);

        // Without the upgrade, a valid WebSocket path answers as rangedb's failed upgrade.
        const Reply plain = send(m_nam, "GET", QUrl(m_server->url().toString() + QStringLiteral("/ws/events")));
        QCOMPARE(plain.status, 400);
        QCOMPARE(plain.body, QByteArray("Bad Request\nunable to upgrade websocket connection\n"));
    }

    void twoClientsAtOnce()
    {
        QWebSocket a;
        QWebSocket b;
        QStringList fromA;
        QStringList fromB;
        connect(&a, &QWebSocket::textMessageReceived, this, [&](const QString &m) { fromA << m; });
        connect(&b, &QWebSocket::textMessageReceived, this, [&](const QString &m) { fromB << m; });
        QUrl url(m_server->url());
        url.setScheme(QStringLiteral("ws"));
        url.setPath(QStringLiteral("/ws/events"));
        a.open(url);
        b.open(url);
        QTRY_COMPARE(m_server->webSocketClientCount(), 2);
        // Saves over HTTP from this thread and directly on the store from another.
        std::thread writer([this] {
            for (int i = 0; i < 100; ++i)
                (void)m_store->save(std::vector{makeEvent("direct", kId2, "D")});
        });
        for (int i = 0; i < 20; ++i) {
            QCOMPARE(send(m_nam, "POST", QUrl(m_api + QStringLiteral("/save-events/thing/") + QLatin1String(kId1)),
                          R"([{"eventType":"H"}])", kJsonType)
                         .status,
                     201);
        }
        writer.join();
        QTRY_COMPARE(fromA.size(), 120);
        QTRY_COMPARE(fromB.size(), 120);
        QCOMPARE(fromA, fromB);
        const std::vector<Record> records = allRecords(*m_store);
        for (std::size_t i = 0; i < records.size(); ++i)
            QCOMPARE(fromA.at(qsizetype(i)).toStdString(), codec::toJson(records[i]));
    }

    void stalledHttpClientBlocksNobody()
    {
        ServerOptions options;
        options.sendBufferBytes = 64 * 1024;
        options.stallTimeoutMs = 1500;
        Server server(m_store, options);
        QVERIFY(server.start().ok());
        const QString api = server.url().toString() + QStringLiteral("/api");
        // ~12 MiB of listing: far more than the socket buffers hold.
        const std::string data = "{\"text\":\"" + std::string(1000, 'x') + "\"}";
        for (int batch = 0; batch < 120; ++batch) {
            std::vector<EventRecord> records(100, makeEvent("thing", kId1, "Big", data));
            QVERIFY(m_store->save(records).ok());
        }

        QTcpSocket stalled;
        // Qt stops reading and the kernel's receive window stays small: the server's send
        // buffer fills up.
        stalled.setReadBufferSize(4096);
        stalled.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        stalled.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(stalled.waitForConnected(5000));
        stalled.write("GET /api/events.json HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(stalled.waitForBytesWritten(5000));
        QTest::qWait(300);

        // Others are served meanwhile, and saves go on.
        QCOMPARE(send(m_nam, "GET", QUrl(api + QStringLiteral("/health-check"))).status, 200);
        QCOMPARE(send(m_nam, "POST", QUrl(api + QStringLiteral("/save-events/thing/") + QLatin1String(kId2)),
                      R"([{"eventType":"During"}])", kJsonType)
                     .status,
                 201);
        QVERIFY(m_store->save(std::vector{makeEvent("thing", kId2, "Direct")}).ok());
        const Reply whole = send(m_nam, "GET", QUrl(api + QStringLiteral("/events.ndjson")));
        QCOMPARE(whole.status, 200);
        QCOMPARE(whole.body.count('\n') + 1, 12'002);

        // The stalled client was dropped after the stall timeout: once it reads again it
        // finds a truncated response and a closed connection.
        QTest::qWait(options.stallTimeoutMs * 2);
        stalled.setReadBufferSize(0);
        QByteArray received;
        QElapsedTimer timer;
        timer.start();
        while (stalled.state() == QAbstractSocket::ConnectedState && timer.elapsed() < 20'000) {
            stalled.waitForReadyRead(500);
            received += stalled.readAll();
        }
        received += stalled.readAll();
        QCOMPARE(stalled.state(), QAbstractSocket::UnconnectedState);
        QVERIFY(received.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY2(received.size() < whole.body.size(), QByteArray::number(received.size()).constData());
        QVERIFY(!received.endsWith("\r\n0\r\n\r\n"));
    }

    void stalledWebSocketClientIsDropped()
    {
        ServerOptions options;
        options.sendBufferBytes = 64 * 1024;
        options.stallTimeoutMs = 1000;
        Server server(m_store, options);
        QVERIFY(server.start().ok());

        // A WebSocket client that completes the handshake, then never reads.
        QTcpSocket stalled;
        stalled.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(stalled.waitForConnected(5000));
        stalled.write("GET /ws/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        QVERIFY(readHead(stalled).startsWith("HTTP/1.1 101"));
        stalled.setReadBufferSize(1024);
        stalled.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
        QTRY_COMPARE(server.webSocketClientCount(), 1);

        QWebSocket healthy;
        int received = 0;
        connect(&healthy, &QWebSocket::textMessageReceived, this, [&] { ++received; });
        QUrl url(server.url());
        url.setScheme(QStringLiteral("ws"));
        url.setPath(QStringLiteral("/ws/events"));
        healthy.open(url);
        QTRY_COMPARE(server.webSocketClientCount(), 2);

        // Saves do not wait for the stalled client. They run on another thread so that this
        // thread keeps reading for the healthy client.
        const std::string data = "{\"text\":\"" + std::string(2000, 'y') + "\"}";
        std::atomic<qint64> savingMs{-1};
        std::atomic<bool> savedAll{false};
        std::thread writer([&] {
            QElapsedTimer timer;
            timer.start();
            bool ok = true;
            for (int batch = 0; batch < 50; ++batch) {
                std::vector<EventRecord> records(100, makeEvent("thing", kId1, "Big", data));
                ok = ok && m_store->save(records).ok();
            }
            savedAll = ok;
            savingMs = timer.elapsed();
        });
        QTRY_VERIFY_WITH_TIMEOUT(savingMs >= 0, 30'000);
        writer.join();
        QVERIFY(savedAll);
        QVERIFY2(savingMs < 10'000, "saves waited for a stalled client");
        QTRY_COMPARE_WITH_TIMEOUT(received, 5000, 20'000);
        // The stalled one is dropped; the healthy one stays.
        QTRY_COMPARE_WITH_TIMEOUT(server.webSocketClientCount(), 1, 20'000);
        QCOMPARE(healthy.state(), QAbstractSocket::ConnectedState);
    }

    void leveldbStoreEndToEnd()
    {
        QTemporaryDir dir;
        LevelDbOptions create;
        create.createIfMissing = true;
        auto opened = LevelDbStore::open(dir.path().toStdString(), create);
        QVERIFY(opened.ok());
        std::shared_ptr<Store> store = std::move(opened).value();
        Server server(store);
        QVERIFY(server.start().ok());
        const QString api = server.url().toString() + QStringLiteral("/api");
        for (int i = 0; i < 10; ++i) {
            QCOMPARE(send(m_nam, "POST", QUrl(api + QStringLiteral("/save-events/thing/") + QLatin1String(kId1)),
                          R"([{"eventType":"A","data":{"n":18446744073709551615}}])", kJsonType)
                         .body,
                     R"({"status":"OK","streamSequenceNumber":)" + QByteArray::number(i + 1) + '}');
        }
        const Reply listed = send(m_nam, "GET", QUrl(api + QStringLiteral("/events/thing.msgpack")));
        QCOMPARE(listed.body, expectedListing(*store, store->events(0), StreamFormat::Msgpack));
        auto check = store->check();
        QVERIFY(check.ok() && check->consistent);
        QCOMPARE(check->records, std::uint64_t(10));
    }

private:
    std::shared_ptr<MemoryStore> m_store;
    std::unique_ptr<Server> m_server;
    QString m_api;
    QNetworkAccessManager m_nam;
};

QTEST_GUILESS_MAIN(TestServer)
#include "tst_server.moc"
