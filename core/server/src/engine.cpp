#include "engine.h"

#include "connectionstate.h"
#include "http.h"
#include "listingstream.h"
#include "websocketsession.h"

#include "rangedb/json.h"

#include <QHttpServerRequest>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTcpSocket>
#include <QWebSocket>

namespace rangedb::server {

namespace {

using http::writeResponse;

QRegularExpression anchored(const QString &pattern)
{
    return QRegularExpression(QLatin1Char('^') + pattern + QLatin1Char('$'));
}

const QString kExtension = QStringLiteral("\\.(json|ndjson|msgpack)");

struct Routes
{
    QRegularExpression allEvents = anchored(QStringLiteral("/events") + kExtension);
    QRegularExpression streamEvents = anchored(QStringLiteral("/events/(%1)/(%2)")
                                                   .arg(QLatin1String(http::kTypePattern),
                                                        QLatin1String(http::kIdPattern))
                                               + kExtension);
    QRegularExpression typeEvents = anchored(QStringLiteral("/events/(%1)").arg(QLatin1String(http::kTypesPattern))
                                             + kExtension);
    QRegularExpression saveEvents = anchored(
        QStringLiteral("/save-events/(%1)/(%2)").arg(QLatin1String(http::kTypePattern), QLatin1String(http::kIdPattern)));
    QRegularExpression deleteStream = anchored(QStringLiteral("/delete-stream/(%1)/(%2)")
                                                   .arg(QLatin1String(http::kTypePattern),
                                                        QLatin1String(http::kIdPattern)));
};

const Routes &routes()
{
    static const Routes instance;
    return instance;
}

bool isApiRoute(const QString &path)
{
    const Routes &r = routes();
    return path == QLatin1String("/health-check") || path == QLatin1String("/list-aggregate-types")
           || r.allEvents.match(path).hasMatch() || r.streamEvents.match(path).hasMatch()
           || r.typeEvents.match(path).hasMatch() || r.saveEvents.match(path).hasMatch()
           || r.deleteStream.match(path).hasMatch();
}

StreamFormat formatOf(const QString &extension)
{
    if (extension == QLatin1String("ndjson"))
        return StreamFormat::Ndjson;
    if (extension == QLatin1String("msgpack"))
        return StreamFormat::Msgpack;
    return StreamFormat::JsonArray;
}

// The JSON string at `text[pos]` (a normalized document, so escapes are Go's), decoded.
std::string decodeString(std::string_view text, std::size_t pos, std::size_t end)
{
    const QByteArray array = "[" + QByteArray(text.data() + pos, qsizetype(end - pos)) + "]";
    return QJsonDocument::fromJson(array).array().at(0).toString().toStdString();
}

// End of the JSON value starting at `pos` in compact, valid JSON.
std::size_t skipValue(std::string_view text, std::size_t pos)
{
    int depth = 0;
    bool inString = false;
    for (std::size_t i = pos; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            if (c == '\\')
                ++i;
            else if (c == '"') {
                inString = false;
                if (depth == 0)
                    return i + 1;
            }
            continue;
        }
        switch (c) {
        case '"': inString = true; break;
        case '{':
        case '[': ++depth; break;
        case '}':
        case ']':
            if (depth == 0)
                return i; // end of an enclosing container: a scalar ended here
            if (--depth == 0)
                return i + 1;
            break;
        case ',':
        case ':':
            if (depth == 0)
                return i;
            break;
        default: break;
        }
    }
    return text.size();
}

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size()
           && std::equal(a.begin(), a.end(), b.begin(),
                         [](char x, char y) { return std::tolower(uchar(x)) == std::tolower(uchar(y)); });
}

// rangedb's save body: a JSON array of {"eventType","data","metadata"}; keys match
// case-insensitively, other keys are ignored, the last duplicate wins. Data and metadata
// keep their exact text (numbers are never converted).
Result<std::vector<EventRecord>> parseSaveBody(const QByteArray &body, const std::string &aggregateType,
                                               const std::string &aggregateId)
{
    auto normalized = json::normalize(std::string_view(body.constData(), std::size_t(body.size())));
    if (!normalized.ok())
        return Status::error(ErrorCode::InvalidArgument, normalized.status().message());
    const std::string &text = *normalized;
    std::vector<EventRecord> records;
    if (text == "null")
        return records; // as Go: no records, which the store refuses as "missing events"
    if (text.front() != '[')
        return Status::error(ErrorCode::InvalidArgument, "expected a JSON array of events");
    std::size_t pos = 1;
    while (pos < text.size() && text[pos] != ']') {
        const std::size_t index = records.size();
        EventRecord record;
        record.aggregateType = aggregateType;
        record.aggregateId = aggregateId;
        if (text.compare(pos, 4, "null") == 0) {
            pos += 4;
        } else if (text[pos] == '{') {
            ++pos;
            while (text[pos] != '}') {
                const std::size_t keyEnd = skipValue(text, pos);
                const std::string key = decodeString(text, pos, keyEnd);
                const std::size_t valueStart = keyEnd + 1; // skip ':'
                const std::size_t valueEnd = skipValue(text, valueStart);
                const std::string_view value(text.data() + valueStart, valueEnd - valueStart);
                if (equalsIgnoringCase(key, "eventType")) {
                    if (value == "null") {
                        record.eventType.clear();
                    } else if (value.front() != '"') {
                        return Status::error(ErrorCode::InvalidArgument,
                                             "event " + std::to_string(index) + ": eventType must be a string, not "
                                                 + std::string(value.substr(0, 40)));
                    } else {
                        record.eventType = decodeString(text, valueStart, valueEnd);
                    }
                } else if (equalsIgnoringCase(key, "data")) {
                    record.data = std::string(value);
                } else if (equalsIgnoringCase(key, "metadata")) {
                    record.metadata = std::string(value);
                }
                pos = valueEnd;
                if (text[pos] == ',')
                    ++pos;
            }
            ++pos; // '}'
        } else {
            return Status::error(ErrorCode::InvalidArgument,
                                 "event " + std::to_string(index) + " must be an object, not "
                                     + text.substr(pos, std::min<std::size_t>(40, skipValue(text, pos) - pos)));
        }
        records.push_back(std::move(record));
        if (text[pos] == ',')
            ++pos;
    }
    return records;
}

QByteArray okJson(const char *key, std::uint64_t value)
{
    return R"({"status":"OK",")" + QByteArray(key) + "\":" + QByteArray::number(quint64(value)) + '}';
}

int statusFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::UnexpectedSequenceNumber: return 409;
    case ErrorCode::StreamNotFound: return 404;
    case ErrorCode::ReadOnly: return 403;
    case ErrorCode::InvalidArgument:
    case ErrorCode::UnmatchedAggregateType:
    case ErrorCode::UnmatchedAggregateId: return 400;
    default: return 500;
    }
}

QByteArray errorBody(const Status &status)
{
    // rangedb answers every other failure with a bare "internal server error"; keep those
    // words first and say what went wrong.
    if (statusFor(status.code()) == 500)
        return http::failureBody("internal server error: " + status.message());
    return http::failureBody(status.message());
}

} // namespace

QTcpSocket *TcpListener::nextPendingConnection()
{
    QTcpSocket *socket = QTcpServer::nextPendingConnection();
    if (socket)
        m_engine->adopt(socket);
    return socket;
}

Engine::Engine(std::shared_ptr<Store> store, const ServerOptions &options, EngineCounters *counters)
    : m_store(std::move(store))
    , m_options(options)
    , m_counters(counters)
{
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, &Engine::acceptWebSockets);
}

Engine::~Engine()
{
    // Tell WebSocket clients; their sockets die with us right after.
    const auto sessions = findChildren<WebSocketSession *>(Qt::FindDirectChildrenOnly);
    for (WebSocketSession *session : sessions)
        session->shutdown();
}

Status Engine::listen(quint16 *boundPort)
{
    m_listener = new TcpListener(this);
    if (!m_listener->listen(m_options.address, m_options.port)) {
        const std::string where = m_options.address.toString().toStdString() + ':' + std::to_string(m_options.port);
        const Status error = Status::error(ErrorCode::IoError, "cannot listen on " + where + ": "
                                                                   + m_listener->errorString().toStdString());
        delete m_listener;
        m_listener = nullptr;
        return error;
    }
    bind(m_listener);
    *boundPort = m_listener->serverPort();
    return {};
}

void Engine::adopt(QTcpSocket *socket)
{
    new ConnectionState(socket, m_options.maxRequestBodyBytes);
}

bool Engine::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    ConnectionState *state = ConnectionState::of(socket);
    const bool closeAfter = state ? state->requestDone() : false;
    m_counters->requests.fetch_add(1, std::memory_order_relaxed);
    if (state && state->isStreaming()) {
        // A pipelined request while a listing is still being written: its answer would land
        // inside the listing. Nobody pipelines in practice; refuse by closing.
        socket->abort();
        return true;
    }

    m_closeCurrent = closeAfter;
    const QString path = request.url().path();
    if (path.startsWith(QLatin1String("/api/"))) {
        QString apiPath = path.mid(4);
        if (apiPath.size() > 1 && apiPath.endsWith(QLatin1Char('/')) && isApiRoute(apiPath.chopped(1))) {
            // gorilla/mux StrictSlash(true): redirect to the path without the slash.
            QUrl location = request.url();
            location.setPath(path.chopped(1));
            writeResponse(socket, 301, http::kText, {}, closeAfter,
                          "Location: " + location.toString(QUrl::RemoveScheme | QUrl::RemoveAuthority).toUtf8()
                              + "\r\n");
            return true;
        }
        routeApi(request, socket, state, apiPath);
        if (closeAfter && !(state && state->isStreaming()))
            socket->disconnectFromHost();
        return true;
    }
    if (path.startsWith(QLatin1String("/ws/"))) {
        http::WebSocketTarget target;
        const http::WebSocketTargetError targetError = http::parseWebSocketTarget(request.url(), target);
        if (request.value("Upgrade").compare("websocket", Qt::CaseInsensitive) == 0) {
            // Qt 6.4 asks before it upgrades: true lets it hand the socket to its
            // QWebSocketServer (acceptWebSockets() takes over). The guard has already
            // refused bad paths, queries and origins; this is a safety net.
            return targetError == http::WebSocketTargetError::None;
        }
        // Not an upgrade: rangedb's failed-upgrade answer.
        switch (targetError) {
        case http::WebSocketTargetError::NotFound:
            writeResponse(socket, 404, http::kText, http::kNotFoundBody, closeAfter);
            break;
        case http::WebSocketTargetError::InvalidQuery:
            writeResponse(socket, 400, http::kText, "invalid request\n", closeAfter);
            break;
        case http::WebSocketTargetError::None:
            writeResponse(socket, 400, http::kText, "Bad Request\nunable to upgrade websocket connection\n",
                          closeAfter);
            break;
        }
        return true;
    }
    writeResponse(socket, 404, http::kText, http::kNotFoundBody, closeAfter);
    return true;
}

void Engine::missingHandler(const QHttpServerRequest &, QTcpSocket *socket)
{
    writeResponse(socket, 404, http::kText, http::kNotFoundBody, false);
}

void Engine::routeApi(const QHttpServerRequest &request, QTcpSocket *socket, ConnectionState *state,
                      const QString &path)
{
    const Routes &r = routes();
    if (path == QLatin1String("/health-check")) {
        writeResponse(socket, 200, http::kJson, R"({"status":"OK"})", false);
        return;
    }
    if (path == QLatin1String("/list-aggregate-types")) {
        listAggregateTypes(request, socket, state);
        return;
    }
    if (auto m = r.allEvents.match(path); m.hasMatch()) {
        listEvents(socket, state, m_store->events(0), m.captured(1));
        return;
    }
    if (auto m = r.streamEvents.match(path); m.hasMatch()) {
        listEvents(socket, state,
                   m_store->eventsByStream(0, streamName(m.captured(1).toStdString(), m.captured(2).toStdString())),
                   m.captured(3));
        return;
    }
    if (auto m = r.typeEvents.match(path); m.hasMatch()) {
        std::vector<std::string> types;
        const QStringList parts = m.captured(1).split(QLatin1Char(','));
        for (const QString &type : parts)
            types.push_back(type.toStdString());
        listEvents(socket, state, m_store->eventsByAggregateTypes(0, std::move(types)), m.captured(2));
        return;
    }
    if (auto m = r.saveEvents.match(path); m.hasMatch()) {
        saveEvents(request, socket, state, m.captured(1), m.captured(2));
        return;
    }
    if (auto m = r.deleteStream.match(path); m.hasMatch()) {
        deleteStream(request, socket, state, m.captured(1), m.captured(2));
        return;
    }
    writeResponse(socket, 404, http::kText, http::kNotFoundBody, false);
}

void Engine::listEvents(QTcpSocket *socket, ConnectionState *state, RecordIteratorPtr events,
                        const QString &extension)
{
    // Look at the first record before answering, so that a missing stream is a 404
    // (rangedb answers 200 with an empty listing) and a failing read a 500.
    const bool hasRecord = events->next();
    if (!hasRecord && !events->error().ok()) {
        const Status &error = events->error();
        writeResponse(socket, statusFor(error.code()), http::kJson, errorBody(error), false);
        return;
    }
    if (state)
        state->setStreaming(true);
    const bool closeAfter = m_closeCurrent; // the listing closes once it has been written
    auto *stream = new ListingStream(socket, state, std::move(events), formatOf(extension), hasRecord,
                                     m_options.sendBufferBytes, m_options.stallTimeoutMs, closeAfter);
    stream->start();
}

void Engine::saveEvents(const QHttpServerRequest &request, QTcpSocket *socket, ConnectionState *,
                        const QString &aggregateType, const QString &aggregateId)
{
    if (request.value("Content-Type") != "application/json") {
        writeResponse(socket, 400, http::kText, "invalid content type\n", false);
        return;
    }
    if (m_store->isReadOnly()) {
        writeResponse(socket, 403, http::kJson, http::failureBody("the database is open read-only; nothing was saved"),
                      false);
        return;
    }
    auto records = parseSaveBody(request.body(), aggregateType.toStdString(), aggregateId.toStdString());
    if (!records.ok()) {
        writeResponse(socket, 400, http::kJson,
                      http::failureBody("invalid json request body: " + records.status().message()), false);
        return;
    }
    const QByteArray expectedText = request.value("ExpectedStreamSequenceNumber");
    std::optional<std::uint64_t> expected;
    if (!expectedText.isEmpty()) {
        expected = http::parseUint64(expectedText.toStdString());
        if (!expected) {
            writeResponse(socket, 400, http::kJson, http::failureBody("invalid ExpectedStreamSequenceNumber"), false);
            return;
        }
    }
    auto saved = expected ? m_store->optimisticSave(*expected, *records) : m_store->save(*records);
    if (!saved.ok()) {
        writeResponse(socket, statusFor(saved.status().code()), http::kJson, errorBody(saved.status()), false);
        return;
    }
    writeResponse(socket, 201, http::kJson, okJson("streamSequenceNumber", saved->lastStreamSequenceNumber), false);
}

void Engine::deleteStream(const QHttpServerRequest &request, QTcpSocket *socket, ConnectionState *,
                          const QString &aggregateType, const QString &aggregateId)
{
    if (m_store->isReadOnly()) {
        writeResponse(socket, 403, http::kJson,
                      http::failureBody("the database is open read-only; nothing was deleted"), false);
        return;
    }
    const QByteArray expectedText = request.value("ExpectedStreamSequenceNumber");
    std::uint64_t expected = 0; // rangedb's default
    if (!expectedText.isEmpty()) {
        auto parsed = http::parseUint64(expectedText.toStdString());
        if (!parsed) {
            writeResponse(socket, 400, http::kJson, http::failureBody("invalid ExpectedStreamSequenceNumber"), false);
            return;
        }
        expected = *parsed;
    }
    const Status deleted = m_store->optimisticDeleteStream(
        expected, streamName(aggregateType.toStdString(), aggregateId.toStdString()));
    if (!deleted.ok()) {
        writeResponse(socket, statusFor(deleted.code()), http::kJson, errorBody(deleted), false);
        return;
    }
    // rangedb echoes the expected number (reference §10.17), which is the count deleted.
    writeResponse(socket, 200, http::kJson, okJson("eventsDeleted", expected), false);
}

void Engine::listAggregateTypes(const QHttpServerRequest &request, QTcpSocket *socket, ConnectionState *)
{
    auto types = m_store->aggregateTypes();
    if (!types.ok()) {
        writeResponse(socket, 500, http::kJson, errorBody(types.status()), false);
        return;
    }
    // Links point where the client reached us (its Host header), under /api.
    QByteArray host = request.value("Host");
    if (host.isEmpty())
        host = (m_options.address.toString() + QLatin1Char(':') + QString::number(m_listener->serverPort())).toUtf8();
    const std::string base = "http://" + host.toStdString() + "/api";

    std::string out = "{\"data\":";
    std::uint64_t total = 0;
    if (types->empty()) {
        out += "null";
    } else {
        out += '[';
        bool first = true;
        for (const AggregateTypeInfo &type : *types) {
            if (!first)
                out += ',';
            first = false;
            out += R"({"links":{"self":)";
            json::appendQuoted(out, base + "/events/" + type.aggregateType + ".json");
            out += R"(},"name":)";
            json::appendQuoted(out, type.aggregateType);
            out += ",\"totalEvents\":" + std::to_string(type.totalEvents) + '}';
            total += type.totalEvents;
        }
        out += ']';
    }
    out += ",\"totalEvents\":" + std::to_string(total) + R"(,"links":{"allEvents":)";
    json::appendQuoted(out, base + "/events.json");
    out += R"(,"self":)";
    json::appendQuoted(out, base + "/list-aggregate-types");
    out += "}}\n";
    writeResponse(socket, 200, http::kJson, QByteArray::fromStdString(out), false);
}

void Engine::acceptWebSockets()
{
    while (hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = nextPendingWebSocketConnection();
        if (!socket)
            break;
        http::WebSocketTarget target;
        if (http::parseWebSocketTarget(socket->requestUrl(), target) != http::WebSocketTargetError::None) {
            // The guard refuses these before the upgrade; this is a safety net.
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("invalid request"));
            socket.release()->deleteLater();
            continue;
        }
        auto *session = new WebSocketSession(std::move(socket), *m_store, std::move(target.aggregateTypes),
                                             target.globalSequenceNumber, m_options.sendBufferBytes,
                                             m_options.stallTimeoutMs, m_options.webSocketQueueRecords, this);
        const int count = m_counters->webSocketClients.fetch_add(1) + 1;
        Q_EMIT webSocketClientConnected(count);
        connect(session, &WebSocketSession::finished, this, [this] {
            const int remaining = m_counters->webSocketClients.fetch_sub(1) - 1;
            Q_EMIT webSocketClientDisconnected(remaining);
        });
        session->start();
    }
}

} // namespace rangedb::server
