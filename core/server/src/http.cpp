#include "http.h"

#include "rangedb/json.h"

#include <QRegularExpression>
#include <QTcpSocket>
#include <QUrlQuery>

namespace rangedb::server::http {

QByteArray statusLine(int code)
{
    const char *reason = "Unknown";
    switch (code) {
    case 101: reason = "Switching Protocols"; break;
    case 200: reason = "OK"; break;
    case 201: reason = "Created"; break;
    case 301: reason = "Moved Permanently"; break;
    case 400: reason = "Bad Request"; break;
    case 403: reason = "Forbidden"; break;
    case 404: reason = "Not Found"; break;
    case 409: reason = "Conflict"; break;
    case 413: reason = "Request Entity Too Large"; break;
    case 431: reason = "Request Header Fields Too Large"; break;
    case 500: reason = "Internal Server Error"; break;
    default: break;
    }
    return "HTTP/1.1 " + QByteArray::number(code) + ' ' + reason + "\r\n";
}

void writeResponse(QTcpSocket *socket, int code, const char *contentType, const QByteArray &body, bool close,
                   const QByteArray &extraHeaders)
{
    QByteArray out = statusLine(code);
    out += "Content-Type: ";
    out += contentType;
    out += "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    out += extraHeaders;
    if (close)
        out += "Connection: close\r\n";
    out += "\r\n";
    out += body;
    socket->write(out);
    if (close)
        socket->disconnectFromHost();
}

QByteArray failureBody(std::string_view message)
{
    // rangedb formats this with %s and no escaping (reference §10.17); we escape.
    std::string out = R"({"status":"Failed","message":)";
    json::appendQuoted(out, message);
    out += '}';
    return QByteArray::fromStdString(out);
}

std::optional<std::uint64_t> parseUint64(std::string_view text)
{
    if (text.empty() || text.size() > 20)
        return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const std::uint64_t digit = std::uint64_t(c - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

WebSocketTargetError parseWebSocketTarget(const QUrl &url, WebSocketTarget &target)
{
    static const QRegularExpression route(QStringLiteral("^/ws/events(?:/(%1))?/?$").arg(QLatin1String(kTypesPattern)));
    const QRegularExpressionMatch match = route.match(url.path());
    if (!match.hasMatch())
        return WebSocketTargetError::NotFound;
    target = {};
    const QString types = match.captured(1);
    if (!types.isEmpty()) {
        const QStringList parts = types.split(QLatin1Char(','));
        for (const QString &type : parts)
            target.aggregateTypes.push_back(type.toStdString());
    }
    const QUrlQuery query(url);
    const QString from = query.queryItemValue(QStringLiteral("global-sequence-number"));
    if (!from.isEmpty()) {
        auto value = parseUint64(from.toStdString());
        if (!value)
            return WebSocketTargetError::InvalidQuery;
        target.globalSequenceNumber = *value;
    }
    return WebSocketTargetError::None;
}

} // namespace rangedb::server::http
