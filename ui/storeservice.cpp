#include "storeservice.h"

#include "rangedb/leveldbstore.h"
#include "rangedb/server.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>

#include <chrono>
#include <thread>

namespace rangedb::ui {

// Receives the live subscription's callbacks on the store's side; they only enqueue. The
// GUI thread drains the queue on a timer, so a burst of saves becomes one batch per tick.
class StoreService::LiveFeed final : public Subscriber
{
public:
    void accept(const Record &record) override
    {
        std::lock_guard lock(m_mutex);
        m_pending.push_back(record);
    }
    void missed(std::uint64_t count, std::uint64_t, std::uint64_t) override
    {
        std::lock_guard lock(m_mutex);
        m_missed += count;
    }
    std::vector<Record> take(std::uint64_t *missed)
    {
        std::lock_guard lock(m_mutex);
        *missed = std::exchange(m_missed, 0);
        return std::exchange(m_pending, {});
    }

private:
    std::mutex m_mutex;
    std::vector<Record> m_pending; // GUARDED_BY(m_mutex)
    std::uint64_t m_missed = 0;    // GUARDED_BY(m_mutex)
};

// One subscription of subscribe(). The worker that creates it and the one that destroys it
// may run in either order: `cancelled` makes a late creation a no-op.
struct StoreService::LiveSlot
{
    std::mutex mutex;
    bool cancelled = false;                     // GUARDED_BY(mutex)
    std::unique_ptr<Subscription> subscription; // GUARDED_BY(mutex)
    std::shared_ptr<Store> store;               // GUARDED_BY(mutex); outlives the subscription
    std::shared_ptr<Subscriber> subscriber;     // GUARDED_BY(mutex); outlives the subscription

    // Stops the subscription (joining its thread) and lets go of what it used. On workers.
    void release()
    {
        std::unique_ptr<Subscription> stopping;
        std::shared_ptr<Store> keptStore;
        std::shared_ptr<Subscriber> keptSubscriber;
        {
            std::lock_guard lock(mutex);
            cancelled = true;
            stopping = std::move(subscription);
            keptStore = std::move(store);
            keptSubscriber = std::move(subscriber);
        }
        stopping.reset();
    }
};

namespace {

// Copies a LevelDB folder (without its LOCK) to a new folder under the temporary
// directory. Table files never change once written, so a copy taken while another process
// writes is a consistent database as of some moment, give or take the journal's tail,
// which LevelDB's recovery drops.
QString copyForSnapshot(const QString &source, QString *error)
{
    const QDir from(source);
    if (!from.exists()) {
        *error = QStringLiteral("%1 does not exist").arg(source);
        return {};
    }
    QDir temp(QDir::tempPath());
    const QString name = QStringLiteral("rangedb-workbench-snapshot-%1-%2")
                             .arg(QCoreApplication::applicationPid())
                             .arg(QDateTime::currentMSecsSinceEpoch());
    if (!temp.mkpath(name)) {
        *error = QStringLiteral("cannot create %1").arg(temp.filePath(name));
        return {};
    }
    const QString target = temp.filePath(name);
    // CURRENT and MANIFEST first: tables they name were written before them.
    QStringList files = from.entryList(QDir::Files | QDir::Hidden);
    std::stable_sort(files.begin(), files.end(), [](const QString &a, const QString &b) {
        auto rank = [](const QString &f) {
            return f == QLatin1String("CURRENT") ? 0 : f.startsWith(QLatin1String("MANIFEST")) ? 1 : 2;
        };
        return rank(a) < rank(b);
    });
    for (const QString &file : files) {
        if (file == QLatin1String("LOCK"))
            continue;
        if (!QFile::copy(from.filePath(file), target + QLatin1Char('/') + file) && QFile::exists(from.filePath(file))) {
            *error = QStringLiteral("cannot copy %1 to %2").arg(from.filePath(file), target);
            QDir(target).removeRecursively();
            return {};
        }
    }
    return target;
}

// The live buffer: big enough for a burst of a few seconds at 50k events/s.
constexpr std::size_t kLiveBuffer = 1u << 18;
} // namespace

StoreService::StoreService(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<RecordBatch>();
    qRegisterMetaType<DatabaseInfo>();
    qRegisterMetaType<OpenRequest>();
    qRegisterMetaType<rangedb::Status>();
    m_pool.setMaxThreadCount(std::max(4, QThread::idealThreadCount()));
    m_pool.setExpiryTimeout(30000);
    m_liveTimer.setInterval(50);
    connect(&m_liveTimer, &QTimer::timeout, this, &StoreService::drainLive);
}

StoreService::~StoreService()
{
    m_server.reset(); // quietly: no servingChanged() to a window being destroyed
    releaseStore();
    m_pool.waitForDone();
}

std::shared_ptr<std::stop_source> StoreService::newStopSource()
{
    // Forget finished requests now and then; the list only serves close().
    if (m_requests.size() > 256) {
        std::erase_if(m_requests, [](const auto &weak) { return weak.expired(); });
    }
    auto stop = std::make_shared<std::stop_source>();
    m_requests.push_back(stop);
    return stop;
}

void StoreService::releaseStore()
{
    // The server holds the store: it goes first, so that the worker below drops the last
    // reference and LevelDB is never closed on this thread.
    stopServing();
    for (auto &[id, slot] : m_liveSlots)
        startJob([slot = slot] { slot->release(); });
    m_liveSlots.clear();
    for (auto &weak : m_requests) {
        if (auto stop = weak.lock())
            stop->request_stop();
    }
    m_requests.clear();
    m_liveTimer.stop();
    if (!m_store)
        return;
    // Stopping the subscription and closing LevelDB both touch the store: a worker does it.
    // Queries still running hold their own reference and let go when they see the stop.
    std::shared_ptr<Subscription> subscription(std::move(m_subscription));
    const QString snapshot = m_info.snapshotPath;
    startJob([store = std::move(m_store), subscription = std::move(subscription), live = std::move(m_live),
              snapshot]() mutable {
        if (subscription)
            subscription->stop();
        subscription.reset();
        // Queries still running hold the store; the copy can go once they let go of it.
        std::weak_ptr<Store> weak = store;
        store.reset();
        if (snapshot.isEmpty())
            return;
        for (int i = 0; i < 500 && !weak.expired(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (weak.expired())
            QDir(snapshot).removeRecursively();
    });
    m_store.reset();
    m_info = {};
}

void StoreService::close()
{
    const bool wasOpen = m_store != nullptr;
    ++m_session;
    releaseStore();
    if (wasOpen)
        Q_EMIT closed();
}

void StoreService::open(const OpenRequest &request)
{
    close();
    const quint64 session = m_session;
    QPointer<StoreService> self(this);
    // The previous store may still be closing on another worker; LevelDB refuses a second
    // open of the same folder in one process, so wait for it (bounded).
    startJob([self, session, request] {
        LevelDbOptions options;
        options.readOnly = request.readOnly || request.snapshotCopy;
        QString openPath = request.path;
        QString snapshotPath;
        if (request.snapshotCopy) {
            QString error;
            snapshotPath = copyForSnapshot(request.path, &error);
            if (snapshotPath.isEmpty()) {
                const Status failure = Status::error(ErrorCode::IoError, error.toStdString());
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, session, request, failure] {
                        if (self && self->m_session == session)
                            Q_EMIT self->openFailed(request, failure);
                    },
                    Qt::QueuedConnection);
                return;
            }
            openPath = snapshotPath;
        }
        options.createIfMissing = request.create && !request.readOnly;
        options.serializer = request.serializer;
        options.mapTableFiles = false; // resident memory stays what the program allocates
        // The table's page cache keeps what is on screen; LevelDB's cache serves the scans
        // between pages, for which 16 MiB is plenty.
        options.blockCacheBytes = 16u << 20;
        const std::string path = QDir::cleanPath(openPath).toStdString();
        auto result = LevelDbStore::open(path, options);
        for (int attempt = 0; attempt < 100 && !result.ok() && result.status().code() == ErrorCode::DatabaseLocked
             && result.status().message().find("in this program") != std::string::npos;
             ++attempt) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            result = LevelDbStore::open(path, options);
        }
        if (!result.ok()) {
            if (!snapshotPath.isEmpty())
                QDir(snapshotPath).removeRecursively();
            const Status error = result.status();
            QMetaObject::invokeMethod(
                self.data(),
                [self, session, request, error] {
                    if (self && self->m_session == session)
                        Q_EMIT self->openFailed(request, error);
                },
                Qt::QueuedConnection);
            return;
        }
        std::shared_ptr<Store> store(std::move(result).value().release());
        DatabaseInfo info;
        info.path = QDir::cleanPath(request.path);
        info.serializer = store->serializer();
        info.readOnly = store->isReadOnly();
        info.snapshotPath = snapshotPath;
        auto last = store->lastGlobalSequenceNumber();
        info.empty = !last.ok() || last.value() == 0;
        QMetaObject::invokeMethod(
            self.data(),
            [self, session, store, info]() mutable {
                if (self && self->m_session == session)
                    self->finishOpen(session, std::move(store), info);
                else
                    std::thread([s = std::move(store)]() mutable { s.reset(); }).detach();
            },
            Qt::QueuedConnection);
    });
}

void StoreService::adopt(std::shared_ptr<Store> store, const QString &description)
{
    close();
    DatabaseInfo info;
    info.path = description;
    info.serializer = store->serializer();
    info.readOnly = store->isReadOnly();
    info.empty = false;
    finishOpen(m_session, std::move(store), info);
}

void StoreService::finishOpen(quint64 session, std::shared_ptr<Store> store, const DatabaseInfo &info)
{
    m_store = std::move(store);
    m_info = info;
    m_session = session;
    // Live events from the moment of opening: every query started after this sees either
    // the record in its snapshot or in a later batch.
    m_live = std::make_shared<LiveFeed>();
    m_subscription = m_store->allEventsSubscription(kLiveBuffer, m_live.get());
    Status status = m_subscription->start();
    if (!status.ok())
        qWarning("live subscription failed: %s", status.message().c_str());
    m_liveTimer.start();
    Q_EMIT opened(m_info);
}

void StoreService::drainLive()
{
    if (!m_live)
        return;
    std::uint64_t missed = 0;
    std::vector<Record> records = m_live->take(&missed);
    if (missed > 0)
        Q_EMIT liveEventsMissed(missed);
    if (!records.empty())
        Q_EMIT recordsAppended(std::make_shared<const std::vector<Record>>(std::move(records)));
}

quint64 StoreService::subscribe(QObject *context, std::vector<std::string> aggregateTypes, std::optional<quint64> from,
                                std::shared_ptr<Subscriber> subscriber, std::function<void(const Status &)> started,
                                std::size_t bufferSize)
{
    if (!m_store || !subscriber)
        return 0;
    const quint64 id = ++m_nextLiveId;
    auto slot = std::make_shared<LiveSlot>();
    slot->store = m_store;
    slot->subscriber = std::move(subscriber);
    m_liveSlots.emplace(id, slot);
    QPointer<StoreService> self(this);
    QPointer<QObject> target(context);
    // Creating the subscription is cheap, but startFrom() begins the catch-up read and the
    // handle's destructor joins a thread that reads the store: neither belongs on the GUI
    // thread.
    startJob([slot, self, target, id, types = std::move(aggregateTypes), from, bufferSize,
              started = std::move(started)]() mutable {
        Status status;
        {
            std::lock_guard lock(slot->mutex);
            if (slot->cancelled)
                return;
            Subscriber *receiver = slot->subscriber.get();
            slot->subscription = types.empty()
                ? slot->store->allEventsSubscription(bufferSize, receiver)
                : slot->store->aggregateTypesSubscription(bufferSize, receiver, std::move(types));
            status = from ? slot->subscription->startFrom(*from) : slot->subscription->start();
        }
        if (!target)
            return;
        QMetaObject::invokeMethod(
            target.data(),
            [self, id, status, started = std::move(started)] {
                if (self && self->m_liveSlots.count(id) && started)
                    started(status);
            },
            Qt::QueuedConnection);
    });
    return id;
}

void StoreService::unsubscribe(quint64 id)
{
    auto found = m_liveSlots.find(id);
    if (found == m_liveSlots.end())
        return;
    startJob([slot = found->second] { slot->release(); });
    m_liveSlots.erase(found);
}

Status StoreService::startServing(const server::ServerOptions &options)
{
    if (!m_store)
        return Status::error(ErrorCode::InvalidArgument, "no database is open to serve");
    if (m_server)
        return Status::error(ErrorCode::InvalidArgument, "already serving on " + m_server->url().toString().toStdString());
    auto candidate = std::make_unique<server::Server>(m_store, options);
    Status status = candidate->start();
    if (!status.ok())
        return status; // the candidate holds a reference, but m_store another: not the last
    m_server = std::move(candidate);
    Q_EMIT servingChanged(m_server->url());
    return {};
}

void StoreService::stopServing()
{
    if (!m_server)
        return;
    // Stopping joins the server thread after closing its sockets (milliseconds); the store
    // reference it drops is never the last one here (m_store still holds the store).
    m_server.reset();
    Q_EMIT servingChanged(QUrl());
}

QUrl StoreService::serverUrl() const
{
    return m_server ? m_server->url() : QUrl();
}

void StoreService::notifyStreamDeleted(const QString &streamName)
{
    Q_EMIT streamDeleted(streamName);
}

} // namespace rangedb::ui
