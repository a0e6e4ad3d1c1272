#pragma once

#include "rangedb/status.h"
#include "rangedb/store.h"

#include <QHostAddress>
#include <QObject>
#include <QUrl>

#include <cstdint>
#include <memory>

// rangedb::server — serves a Store over rangedb v0.12.0's HTTP JSON API (under /api/) and
// WebSocket API (under /ws/), README "Serving". Qt6::Core, Network, HttpServer and
// WebSockets only: no GUI.
namespace rangedb::server {

struct ServerOptions
{
    // Loopback unless the user explicitly asks for another address.
    QHostAddress address = QHostAddress(QHostAddress::LocalHost);
    // 0 picks a free port; port() says which.
    quint16 port = 0;
    // Request bodies (and heads) above this are refused with 413 before they are buffered.
    qint64 maxRequestBodyBytes = qint64(32) << 20;
    // Per connection: a listing or WebSocket pauses producing while more than this is
    // waiting in the socket's send buffer, and resumes below half of it.
    qint64 sendBufferBytes = qint64(1) << 20;
    // A client whose send buffer has not drained at all for this long is disconnected
    // (WebSocket clients get a close frame first when it can still be sent).
    int stallTimeoutMs = 30'000;
    // Records a WebSocket client may have queued inside the server (between the store's
    // subscription and its socket) before the subscription has to wait, and the size of
    // the subscription's own buffer; a subscription that then overflows reports missed
    // records and the client is closed (it can reconnect from the first one it missed).
    std::size_t webSocketQueueRecords = 4096;
};

class Engine;

// One HTTP + WebSocket listener over one store, on its own thread with its own event
// loop: nothing here runs on the thread that owns the Server, so a GUI can own one.
//
// Thread-safety: the Server object itself (start, stop, url, port, isRunning and the
// counters) is used from the thread that created it; start() and stop() block only while
// the server thread binds or closes its sockets (milliseconds), never on a client. The
// store is shared and must be thread-safe (every rangedb::Store is). Signals are emitted
// on the Server's own thread.
class Server : public QObject
{
    Q_OBJECT

public:
    // `store` is kept alive while the server runs. Nothing listens until start().
    explicit Server(std::shared_ptr<Store> store, ServerOptions options = {}, QObject *parent = nullptr);
    // Stops the server if it runs.
    ~Server() override;

    // Binds and starts serving. Errors: IoError naming the address and port and the
    // system's reason ("127.0.0.1:8080: The bound address is already in use"), or
    // InvalidArgument when already running.
    Status start();
    // Closes the listener and every connection (WebSocket clients get a "going away"
    // close frame), stops their subscriptions, and joins the server thread. Idempotent.
    void stop();

    bool isRunning() const;
    // http://127.0.0.1:<port> while running; the API is under url()/api/, the WebSocket
    // API under ws://…/ws/. Empty when stopped.
    QUrl url() const;
    quint16 port() const;

    const ServerOptions &options() const;
    // HTTP requests answered and WebSocket clients connected, since start().
    quint64 requestCount() const;
    int webSocketClientCount() const;

Q_SIGNALS:
    void webSocketClientConnected(int count);
    void webSocketClientDisconnected(int count);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace rangedb::server
