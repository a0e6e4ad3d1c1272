#pragma once

#include "rangedb/record.h"
#include "rangedb/status.h"
#include "rangedb/store.h"

#include <QHash>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>
#include <QTimer>
#include <QUrl>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <type_traits>
#include <vector>

namespace rangedb::server {
class Server;
struct ServerOptions;
} // namespace rangedb::server

namespace rangedb::ui {

// A batch of records that arrived live, shared read-only between every model that wants it.
using RecordBatch = std::shared_ptr<const std::vector<Record>>;

// How to open a database.
struct OpenRequest
{
    QString path;
    bool readOnly = false;
    bool create = false;                    // create it when the folder holds no database
    Serializer serializer = Serializer::Json; // for a new database
    // Copy the folder first and open the copy read-only (for a folder another process
    // holds). The copy is removed when the database is closed.
    bool snapshotCopy = false;
};

// What the window shows about the open database.
struct DatabaseInfo
{
    QString path;
    Serializer serializer = Serializer::Json;
    bool readOnly = false;
    bool empty = true;
    QString snapshotPath; // where the snapshot copy lives, when it is one
};

// A handle on one request: cancelling it makes the worker stop at its next check, and its
// result is never delivered. Copyable; cancelling twice is harmless.
class RequestHandle
{
public:
    RequestHandle() = default;
    explicit RequestHandle(std::shared_ptr<std::stop_source> stop) : m_stop(std::move(stop)) {}
    void cancel()
    {
        if (m_stop)
            m_stop->request_stop();
    }
    bool isActive() const { return m_stop && !m_stop->stop_requested(); }

private:
    std::shared_ptr<std::stop_source> m_stop;
};

// The bridge between the GUI thread and the store (design.md, "Threading").
//
// Owns the open Store. The GUI thread never calls into it: every query runs on a worker of
// the service's thread pool and its result comes back to a context object by a queued
// call. A request is dropped when it was cancelled, when its context died, or when the
// database it was made for has been closed meanwhile. Live events reach the GUI thread as
// batches, at most one per tick. All public functions are for the GUI thread only.
class StoreService : public QObject
{
    Q_OBJECT

public:
    explicit StoreService(QObject *parent = nullptr);
    // Cancels every request, closes the store on a worker and waits for it.
    ~StoreService() override;

    // Opens on a worker: emits opened() or openFailed(). A database already open is closed
    // first.
    void open(const OpenRequest &request);
    // Adopts a store that is already open (tests, and stores not on disk).
    void adopt(std::shared_ptr<Store> store, const QString &description);
    // Cancels every request and lets go of the store (it is destroyed on a worker).
    void close();

    bool isOpen() const { return m_store != nullptr; }
    const DatabaseInfo &info() const { return m_info; }
    bool isReadOnly() const { return m_info.readOnly; }
    // Increases with every open and close; requests remember the one they were made in.
    quint64 session() const { return m_session; }

    // Runs `work(Store &, std::stop_token)` on a worker and calls `done(result)` on
    // `context`'s thread, unless cancelled, the context died or the session changed.
    // Fails (returns an inactive handle, calls nothing) when no database is open.
    template<typename Work, typename Done>
    RequestHandle run(QObject *context, Work work, Done done);

    // The same with progress: `work(Store &, std::stop_token, Report)` may call
    // report(value) from the worker as often as it likes; `progress(value)` runs on the
    // context's thread for the latest value, at most every 50 ms.
    template<typename P, typename Work, typename Progress, typename Done>
    RequestHandle runWithProgress(QObject *context, Work work, Progress progress, Done done);

    // Tells the models that a stream is gone (the service cannot see deletes in the
    // subscription). Called by whoever deleted it, on the GUI thread.
    void notifyStreamDeleted(const QString &streamName);

    // Batches are delivered at most every `interval` (default 50 ms).
    void setLiveInterval(int milliseconds) { m_liveTimer.setInterval(milliseconds); }

    static QString describe(const Status &status) { return QString::fromStdString(status.message()); }

    // Live subscriptions of their own (the Live panes). Creates a subscription to
    // `aggregateTypes` (all events when empty) and starts it on a worker: from `from`
    // (0 or 1: the beginning; catch-up, then live) or, without `from`, new records only.
    // `subscriber` is called on the subscription's thread; the service keeps it alive until
    // the subscription has stopped. `started(status)` runs on `context`'s thread once it
    // runs or failed. Returns an id for unsubscribe(), 0 (and calls nothing) when no
    // database is open. Closing the database stops every subscription.
    quint64 subscribe(QObject *context, std::vector<std::string> aggregateTypes, std::optional<quint64> from,
                      std::shared_ptr<Subscriber> subscriber, std::function<void(const Status &)> started,
                      std::size_t bufferSize = std::size_t(1) << 16);
    // Stops and destroys a subscription on a worker; after this returns no started()
    // callback for it runs. Unknown ids are ignored.
    void unsubscribe(quint64 id);

    // Serves the open store over rangedb's HTTP and WebSocket APIs (rangedb::server): a
    // read-only database is served read-only. The server is stopped (and lets go of the
    // store) before the database closes. Errors: no database open, the port is taken.
    Status startServing(const server::ServerOptions &options);
    void stopServing();
    bool isServing() const { return m_server != nullptr; }
    // http://address:port while serving, else empty.
    QUrl serverUrl() const;

Q_SIGNALS:
    void opened(const rangedb::ui::DatabaseInfo &info);
    void openFailed(const rangedb::ui::OpenRequest &request, const rangedb::Status &error);
    void closed();
    // New records saved to the open store (by us or anyone sharing the Store object).
    void recordsAppended(const rangedb::ui::RecordBatch &batch);
    // The live subscription overflowed: counts and tables must be re-read.
    void liveEventsMissed(quint64 count);
    void streamDeleted(const QString &streamName);
    // Serving started (url) or stopped (empty url).
    void servingChanged(const QUrl &url);

private:
    class LiveFeed;
    struct LiveSlot;

    void startJob(std::function<void()> job) { m_pool.start(std::move(job)); }
    std::shared_ptr<std::stop_source> newStopSource();
    void finishOpen(quint64 session, std::shared_ptr<Store> store, const DatabaseInfo &info);
    void drainLive();
    void releaseStore();

    QThreadPool m_pool;
    std::shared_ptr<Store> m_store;
    DatabaseInfo m_info;
    quint64 m_session = 0;
    std::vector<std::weak_ptr<std::stop_source>> m_requests;
    std::shared_ptr<LiveFeed> m_live;
    std::unique_ptr<Subscription> m_subscription; // lives and dies on workers, see releaseStore()
    QTimer m_liveTimer;
    quint64 m_nextLiveId = 0;
    std::map<quint64, std::shared_ptr<LiveSlot>> m_liveSlots;
    std::unique_ptr<server::Server> m_server;
};

// ---------------------------------------------------------------------------------------

template<typename Work, typename Done>
RequestHandle StoreService::run(QObject *context, Work work, Done done)
{
    if (!m_store)
        return {};
    auto stop = newStopSource();
    QPointer<StoreService> self(this);
    QPointer<QObject> target(context);
    const quint64 session = m_session;
    startJob([store = m_store, stop, self, target, session, work = std::move(work), done = std::move(done)]() mutable {
        if (stop->stop_requested())
            return;
        using R = std::invoke_result_t<Work &, Store &, std::stop_token>;
        auto result = std::make_shared<R>(work(*store, stop->get_token()));
        store.reset(); // never the last reference on the GUI thread
        if (stop->stop_requested() || !target)
            return;
        QMetaObject::invokeMethod(
            target.data(),
            [self, stop, session, result, done = std::move(done)]() mutable {
                if (!self || stop->stop_requested() || self->session() != session)
                    return;
                done(std::move(*result));
            },
            Qt::QueuedConnection);
    });
    return RequestHandle(stop);
}

template<typename P, typename Work, typename Progress, typename Done>
RequestHandle StoreService::runWithProgress(QObject *context, Work work, Progress progress, Done done)
{
    if (!m_store)
        return {};
    // The worker overwrites `latest`; one queued call at a time carries it over.
    struct Channel
    {
        std::mutex mutex;
        std::shared_ptr<P> latest; // GUARDED_BY(mutex)
        bool posted = false;       // GUARDED_BY(mutex)
        std::chrono::steady_clock::time_point last;
    };
    auto channel = std::make_shared<Channel>();
    QPointer<QObject> target(context);
    QPointer<StoreService> self(this);
    const quint64 session = m_session;
    auto report = [channel, target, self, session, progress](const P &value) {
        {
            std::lock_guard lock(channel->mutex);
            channel->latest = std::make_shared<P>(value);
            const auto now = std::chrono::steady_clock::now();
            if (channel->posted || now - channel->last < std::chrono::milliseconds(50))
                return;
            channel->posted = true;
            channel->last = now;
        }
        if (!target)
            return;
        QMetaObject::invokeMethod(
            target.data(),
            [channel, self, session, progress]() mutable {
                std::shared_ptr<P> latest;
                {
                    std::lock_guard lock(channel->mutex);
                    latest = std::move(channel->latest);
                    channel->posted = false;
                }
                if (latest && self && self->session() == session)
                    progress(*latest);
            },
            Qt::QueuedConnection);
    };
    return run(
        context,
        [work = std::move(work), report](Store &store, std::stop_token stop) mutable {
            return work(store, std::move(stop), report);
        },
        std::move(done));
}

} // namespace rangedb::ui

Q_DECLARE_METATYPE(rangedb::ui::RecordBatch)
Q_DECLARE_METATYPE(rangedb::ui::DatabaseInfo)
Q_DECLARE_METATYPE(rangedb::ui::OpenRequest)
