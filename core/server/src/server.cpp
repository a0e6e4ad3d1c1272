#include "rangedb/server.h"

#include "engine.h"

#include <QThread>

namespace rangedb::server {

struct Server::Private
{
    std::shared_ptr<Store> store;
    ServerOptions options;
    EngineCounters counters;
    std::unique_ptr<QThread> thread;
    // Lives on the server thread; the way in for blocking calls there.
    QObject *context = nullptr;
    Engine *engine = nullptr; // owned by the server thread; touched only there
    quint16 port = 0;
};

Server::Server(std::shared_ptr<Store> store, ServerOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->store = std::move(store);
    d->options = std::move(options);
}

Server::~Server()
{
    stop();
}

Status Server::start()
{
    if (d->thread)
        return Status::error(ErrorCode::InvalidArgument, "the server is already running on port "
                                                             + std::to_string(d->port));
    if (!d->store)
        return Status::error(ErrorCode::InvalidArgument, "no store to serve");
    d->counters.requests = 0;
    d->counters.webSocketClients = 0;
    d->thread = std::make_unique<QThread>();
    d->thread->setObjectName(QStringLiteral("rangedb-server"));
    d->context = new QObject;
    d->context->moveToThread(d->thread.get());
    d->thread->start();

    Status result;
    quint16 port = 0;
    // The engine is created on its own thread so that every socket it makes lives there.
    QMetaObject::invokeMethod(
        d->context,
        [this, &result, &port] {
            auto engine = std::make_unique<Engine>(d->store, d->options, &d->counters);
            result = engine->listen(&port);
            if (result.ok())
                d->engine = engine.release();
        },
        Qt::BlockingQueuedConnection);
    if (!result.ok()) {
        d->thread->quit();
        d->thread->wait();
        delete d->context;
        d->context = nullptr;
        d->thread.reset();
        return result;
    }
    d->port = port;
    connect(d->engine, &Engine::webSocketClientConnected, this, &Server::webSocketClientConnected);
    connect(d->engine, &Engine::webSocketClientDisconnected, this, &Server::webSocketClientDisconnected);
    return {};
}

void Server::stop()
{
    if (!d->thread)
        return;
    QMetaObject::invokeMethod(
        d->context,
        [this] {
            delete d->engine;
            d->engine = nullptr;
        },
        Qt::BlockingQueuedConnection);
    d->thread->quit();
    d->thread->wait();
    delete d->context;
    d->context = nullptr;
    d->thread.reset();
    d->port = 0;
}

bool Server::isRunning() const
{
    return d->thread != nullptr;
}

QUrl Server::url() const
{
    if (!isRunning())
        return {};
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    QHostAddress host = d->options.address;
    // Listening on "any" is reachable on loopback; show an address a browser can open.
    if (host == QHostAddress::Any || host == QHostAddress::AnyIPv4)
        host = QHostAddress(QHostAddress::LocalHost);
    else if (host == QHostAddress::AnyIPv6)
        host = QHostAddress(QHostAddress::LocalHostIPv6);
    url.setHost(host.toString());
    url.setPort(d->port);
    return url;
}

quint16 Server::port() const
{
    return d->port;
}

const ServerOptions &Server::options() const
{
    return d->options;
}

quint64 Server::requestCount() const
{
    return d->counters.requests.load(std::memory_order_relaxed);
}

int Server::webSocketClientCount() const
{
    return d->counters.webSocketClients.load(std::memory_order_relaxed);
}

} // namespace rangedb::server
