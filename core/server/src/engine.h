#pragma once

#include "rangedb/server.h"

#include <QAbstractHttpServer>
#include <QTcpServer>

#include <atomic>
#include <memory>

class QHttpServerRequest;
class QTcpSocket;
class QWebSocket;

namespace rangedb::server {

class ConnectionState;

// Counters shared between the server thread (writes) and the Server's thread (reads).
struct EngineCounters
{
    std::atomic<quint64> requests{0};
    std::atomic<int> webSocketClients{0};
};

// The HTTP server proper. Lives on, and is only touched from, the server thread.
//
// Qt 6.4's QAbstractHttpServer buffers a whole request before handleRequest() and
// upgrades WebSocket requests before any routing, so every accepted socket first gets a
// ConnectionState (via TcpListener::nextPendingConnection) whose readyRead handler runs
// before Qt's: it reads the request head as it arrives and answers 413/431 (too big),
// 404/400/403 (bad WebSocket path, query or origin) itself, so that such requests are never
// buffered or upgraded.
class Engine : public QAbstractHttpServer
{
    Q_OBJECT

public:
    Engine(std::shared_ptr<Store> store, const ServerOptions &options, EngineCounters *counters);
    ~Engine() override;

    // Binds; IoError naming the address, port and reason.
    Status listen(quint16 *boundPort);

    // Called by the listener for every accepted socket, before Qt sees it.
    void adopt(QTcpSocket *socket);

    const ServerOptions &options() const { return m_options; }
    Store &store() { return *m_store; }
    EngineCounters &counters() { return *m_counters; }

Q_SIGNALS:
    void webSocketClientConnected(int count);
    void webSocketClientDisconnected(int count);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void acceptWebSockets();
    void routeApi(const QHttpServerRequest &request, QTcpSocket *socket, ConnectionState *state,
                  const QString &path);
    void listEvents(QTcpSocket *socket, ConnectionState *state, RecordIteratorPtr events, const QString &extension);
    void saveEvents(const QHttpServerRequest &request, QTcpSocket *socket, ConnectionState *state,
                    const QString &aggregateType, const QString &aggregateId);
    void deleteStream(const QHttpServerRequest &request, QTcpSocket *socket, ConnectionState *state,
                      const QString &aggregateType, const QString &aggregateId);
    void listAggregateTypes(const QHttpServerRequest &request, QTcpSocket *socket, ConnectionState *state);

    std::shared_ptr<Store> m_store;
    ServerOptions m_options;
    EngineCounters *m_counters;
    class TcpListener *m_listener = nullptr;
    bool m_closeCurrent = false; // the request being handled asked to close the connection
};

// A QTcpServer that hands every accepted socket to the engine before QAbstractHttpServer
// connects its own handlers, so the engine's guard runs first.
class TcpListener : public QTcpServer
{
    Q_OBJECT

public:
    explicit TcpListener(Engine *engine) : m_engine(engine) {}
    QTcpSocket *nextPendingConnection() override;

private:
    Engine *m_engine;
};

} // namespace rangedb::server
