#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

class QTcpSocket;

// Small HTTP/1.1 pieces the engine writes itself (Qt 6.4's responder can neither stream
// nor pause for a slow reader). Server thread only.
namespace rangedb::server::http {

inline constexpr char kJson[] = "application/json";
inline constexpr char kText[] = "text/plain; charset=utf-8";
// Go's http.NotFound body, which gorilla/mux answers for every unknown path.
inline constexpr char kNotFoundBody[] = "404 page not found\n";

// "HTTP/1.1 404 Not Found\r\n"
QByteArray statusLine(int code);

// Writes a whole response with Content-Length. `close` adds "Connection: close" and
// closes the connection once the bytes are written.
void writeResponse(QTcpSocket *socket, int code, const char *contentType, const QByteArray &body, bool close,
                   const QByteArray &extraHeaders = {});

// {"status":"Failed","message":"<message, escaped as Go does>"}
QByteArray failureBody(std::string_view message);

// Decimal uint64 as Go's strconv.ParseUint(s, 10, 64): digits only, no sign, no spaces,
// no overflow.
std::optional<std::uint64_t> parseUint64(std::string_view text);

// The WebSocket routes: /ws/events and /ws/events/{types}.
struct WebSocketTarget
{
    std::vector<std::string> aggregateTypes; // empty: all events
    std::uint64_t globalSequenceNumber = 0;
};
enum class WebSocketTargetError { None, NotFound, InvalidQuery };
// `url` is the request target (path and query, as the client sent it).
WebSocketTargetError parseWebSocketTarget(const QUrl &url, WebSocketTarget &target);

// Aggregate type as a path segment: rangedb's [a-zA-Z-]+ plus digits and underscores
// (reference §10: rangedb's pattern refused them by mistake).
inline constexpr char kTypePattern[] = "[A-Za-z0-9_-]+";
inline constexpr char kTypesPattern[] = "[A-Za-z0-9_,-]+";
inline constexpr char kIdPattern[] = "[0-9a-f]{32}";

} // namespace rangedb::server::http
