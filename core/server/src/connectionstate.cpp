#include "connectionstate.h"

#include "http.h"

#include <QTcpSocket>
#include <QUrl>

#include <sys/socket.h>

namespace rangedb::server {

namespace {
constexpr qint64 kMaxHeadBytes = 64 * 1024;
// After refusing a request the client may still be sending its body; reading it away for
// a moment lets the client see our answer rather than a connection reset.
constexpr int kDrainMs = 2000;

QByteArray headerValue(const QList<QByteArray> &lines, const QByteArray &name)
{
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}
} // namespace

ConnectionState::ConnectionState(QTcpSocket *socket, qint64 maxBodyBytes)
    : QObject(socket)
    , m_socket(socket)
    , m_maxBodyBytes(maxBodyBytes)
{
    setObjectName(QStringLiteral("rangedb-connection-state"));
    connect(socket, &QTcpSocket::readyRead, this, &ConnectionState::onReadyRead);
    m_drainTimer.setSingleShot(true);
    connect(&m_drainTimer, &QTimer::timeout, socket, &QTcpSocket::abort);
}

ConnectionState *ConnectionState::of(QTcpSocket *socket)
{
    return socket->findChild<ConnectionState *>(QStringLiteral("rangedb-connection-state"),
                                                Qt::FindDirectChildrenOnly);
}

bool ConnectionState::requestDone()
{
    const bool close = m_closeRequested;
    m_head.clear();
    m_bodyBytes = 0;
    m_headDone = false;
    m_closeRequested = false;
    return close;
}

void ConnectionState::onReadyRead()
{
    if (m_refused) {
        m_socket->readAll(); // discard the rest of a refused request
        return;
    }
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    if (m_headDone) {
        m_bodyBytes += available;
        if (m_bodyBytes > m_maxBodyBytes)
            refuse(413, http::kJson, http::failureBody("request body exceeds the limit of "
                                                       + std::to_string(m_maxBodyBytes) + " bytes"));
        return;
    }
    const qint64 room = kMaxHeadBytes + 4 - m_head.size();
    const QByteArray peeked = m_socket->peek(std::min(available, room));
    const qsizetype before = m_head.size();
    m_head += peeked;
    const qsizetype end = m_head.indexOf("\r\n\r\n");
    if (end < 0) {
        if (m_head.size() > kMaxHeadBytes)
            refuse(431, http::kText, "request head exceeds 64 KiB\n");
        return;
    }
    m_headDone = true;
    m_bodyBytes = available - (end + 4 - before);
    m_head.truncate(end);
    inspectHead();
}

void ConnectionState::inspectHead()
{
    QList<QByteArray> lines = m_head.split('\n');
    for (QByteArray &line : lines)
        line = line.trimmed();
    const QList<QByteArray> requestLine = lines.value(0).split(' ');
    const QByteArray version = requestLine.value(2);
    const QByteArray connection = headerValue(lines, "Connection").toLower();
    m_closeRequested = connection.contains("close") || (version == "HTTP/1.0" && !connection.contains("keep-alive"));

    const QByteArray contentLength = headerValue(lines, "Content-Length");
    if (!contentLength.isEmpty()) {
        auto length = http::parseUint64(contentLength.toStdString());
        if (!length || *length > std::uint64_t(m_maxBodyBytes)) {
            refuse(413, http::kJson, http::failureBody("request body exceeds the limit of "
                                                       + std::to_string(m_maxBodyBytes) + " bytes"));
            return;
        }
    }
    if (m_bodyBytes > m_maxBodyBytes) {
        refuse(413, http::kJson, http::failureBody("request body exceeds the limit of "
                                                   + std::to_string(m_maxBodyBytes) + " bytes"));
        return;
    }

    // curl and others wait (a second, for curl) for this before sending a large body.
    if (headerValue(lines, "Expect").compare("100-continue", Qt::CaseInsensitive) == 0 && m_bodyBytes == 0)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");

    if (headerValue(lines, "Upgrade").compare("websocket", Qt::CaseInsensitive) != 0)
        return;
    // Qt upgrades before it routes; check here what rangedb checks before its upgrade.
    const QUrl target = QUrl::fromEncoded(requestLine.value(1));
    http::WebSocketTarget parsed;
    switch (http::parseWebSocketTarget(target, parsed)) {
    case http::WebSocketTargetError::NotFound:
        refuse(404, http::kText, http::kNotFoundBody);
        return;
    case http::WebSocketTargetError::InvalidQuery:
        refuse(400, http::kText, "invalid request\n");
        return;
    case http::WebSocketTargetError::None:
        break;
    }
    // gorilla/websocket's default: a browser page may only connect from the same origin.
    const QByteArray origin = headerValue(lines, "Origin");
    if (!origin.isEmpty()) {
        const QUrl originUrl = QUrl::fromEncoded(origin);
        QString originHost = originUrl.host();
        if (originUrl.port() >= 0)
            originHost += QLatin1Char(':') + QString::number(originUrl.port());
        const QString host = QString::fromLatin1(headerValue(lines, "Host"));
        if (originHost.compare(host, Qt::CaseInsensitive) != 0)
            refuse(403, http::kText, "Forbidden\nunable to upgrade websocket connection\n");
    }
}

void ConnectionState::refuse(int code, const char *contentType, const QByteArray &body)
{
    m_refused = true;
    // Qt's parser must not see this request: it would buffer it or upgrade it.
    QObject::disconnect(m_socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(m_socket, &QTcpSocket::readyRead, this, &ConnectionState::onReadyRead);
    m_socket->readAll();
    http::writeResponse(m_socket, code, contentType, body, false, "Connection: close\r\n");
    // Half-close once the answer is out and keep reading (and discarding) for a moment:
    // closing outright with unread input would reset the connection, and the client might
    // lose the answer before reading it.
    m_drainTimer.start(kDrainMs);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_socket->bytesToWrite() == 0)
            ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    });
}

} // namespace rangedb::server
