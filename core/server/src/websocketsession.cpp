#include "websocketsession.h"

#include "rangedb/codec.h"

#include <QWebSocket>

namespace rangedb::server {

namespace {
constexpr int kCloseGraceMs = 2000;
} // namespace

// The subscriber half, called on the subscription's worker thread.
class WebSocketSession::Feed final : public Subscriber
{
public:
    Feed(WebSocketSession *session, std::size_t capacity) : m_session(session), m_capacity(capacity) {}

    void accept(const Record &record) override
    {
        std::string text = codec::toJson(record);
        std::unique_lock lock(m_mutex);
        // Waiting here only slows this subscription: saves never wait for it, and while we
        // wait during live delivery its own bounded buffer absorbs new records, then
        // reports them as missed.
        m_space.wait(lock, [this] { return m_stopped || m_queue.size() < m_capacity; });
        if (m_stopped)
            return;
        m_queue.push_back({record.globalSequenceNumber, std::move(text)});
        lock.unlock();
        notify();
    }

    void missed(std::uint64_t count, std::uint64_t firstMissed, std::uint64_t lastMissed) override
    {
        {
            std::lock_guard lock(m_mutex);
            if (m_missedCount == 0)
                m_firstMissed = firstMissed;
            m_missedCount += count;
            (void)lastMissed;
        }
        notify();
    }

    void stop()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopped = true;
            m_queue.clear();
        }
        m_space.notify_all();
    }

    struct Item
    {
        std::uint64_t globalSequenceNumber;
        std::string json;
    };

    // Server thread: takes the next record, if any.
    bool take(Item &item)
    {
        {
            std::lock_guard lock(m_mutex);
            m_notified = false;
            if (m_queue.empty())
                return false;
            item = std::move(m_queue.front());
            m_queue.pop_front();
        }
        m_space.notify_one();
        return true;
    }

    bool hasQueued()
    {
        std::lock_guard lock(m_mutex);
        return !m_queue.empty();
    }

    std::uint64_t missedCount(std::uint64_t *firstMissed)
    {
        std::lock_guard lock(m_mutex);
        *firstMissed = m_firstMissed;
        return m_missedCount;
    }

private:
    void notify()
    {
        // One queued call at a time, however many records arrive meanwhile.
        {
            std::lock_guard lock(m_mutex);
            if (m_notified || m_stopped)
                return;
            m_notified = true;
        }
        QMetaObject::invokeMethod(m_session, &WebSocketSession::drain, Qt::QueuedConnection);
    }

    WebSocketSession *m_session;
    const std::size_t m_capacity;
    std::mutex m_mutex;
    std::condition_variable m_space;
    std::deque<Item> m_queue;          // GUARDED_BY(m_mutex)
    std::uint64_t m_missedCount = 0;   // GUARDED_BY(m_mutex)
    std::uint64_t m_firstMissed = 0;   // GUARDED_BY(m_mutex)
    bool m_stopped = false;            // GUARDED_BY(m_mutex)
    bool m_notified = false;           // GUARDED_BY(m_mutex)
};

WebSocketSession::WebSocketSession(std::unique_ptr<QWebSocket> socket, Store &store,
                                   std::vector<std::string> aggregateTypes, std::uint64_t from, qint64 highWater,
                                   int stallTimeoutMs, std::size_t queueRecords, QObject *parent)
    : QObject(parent)
    , m_socket(std::move(socket))
    , m_store(store)
    , m_aggregateTypes(std::move(aggregateTypes))
    , m_from(from)
    , m_highWater(highWater)
    , m_queueRecords(std::max<std::size_t>(queueRecords, 1))
    , m_feed(std::make_unique<Feed>(this, m_queueRecords))
{
    m_stallTimer.setSingleShot(true);
    m_stallTimer.setInterval(stallTimeoutMs);
    connect(&m_stallTimer, &QTimer::timeout, this, [this] {
        closeWith(QWebSocketProtocol::CloseCodePolicyViolated,
                  QStringLiteral("client too slow: nothing read for %1 s; reconnect with global-sequence-number=%2")
                      .arg(m_stallTimer.interval() / 1000)
                      .arg(m_lastSent + 1));
    });
    m_abortTimer.setSingleShot(true);
    connect(&m_abortTimer, &QTimer::timeout, this, [this] { m_socket->abort(); });

    connect(m_socket.get(), &QWebSocket::bytesWritten, this, [this] {
        if (m_socket->bytesToWrite() == 0)
            m_stallTimer.stop();
        else
            m_stallTimer.start();
        if (m_socket->bytesToWrite() < m_highWater / 2)
            drain();
    });
    // rangedb reads one message from the client; any message, or a close, ends the session.
    connect(m_socket.get(), &QWebSocket::textMessageReceived, this,
            [this] { closeWith(QWebSocketProtocol::CloseCodeNormal, {}); });
    connect(m_socket.get(), &QWebSocket::binaryMessageReceived, this,
            [this] { closeWith(QWebSocketProtocol::CloseCodeNormal, {}); });
    connect(m_socket.get(), &QWebSocket::disconnected, this, &WebSocketSession::tearDown);
}

WebSocketSession::~WebSocketSession()
{
    m_feed->stop();
    m_subscription.reset(); // waits for the worker, which no longer waits for us
}

bool WebSocketSession::start()
{
    m_subscription = m_aggregateTypes.empty()
                         ? m_store.allEventsSubscription(m_queueRecords, m_feed.get())
                         : m_store.aggregateTypesSubscription(m_queueRecords, m_feed.get(), m_aggregateTypes);
    const Status started = m_subscription ? m_subscription->startFrom(m_from)
                                          : Status::error(ErrorCode::InvalidArgument, "no subscription");
    if (!started.ok()) {
        closeWith(QWebSocketProtocol::CloseCodeBadOperation,
                  QString::fromStdString("cannot subscribe: " + started.message()).left(120));
        return false;
    }
    return true;
}

void WebSocketSession::shutdown()
{
    closeWith(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("server stopping"));
}

void WebSocketSession::drain()
{
    if (m_closing || m_finished)
        return;
    Feed::Item item;
    while (m_socket->bytesToWrite() < m_highWater && m_feed->take(item)) {
        m_socket->sendTextMessage(QString::fromStdString(item.json));
        m_lastSent = item.globalSequenceNumber;
    }
    if (m_socket->bytesToWrite() > 0 && !m_stallTimer.isActive())
        m_stallTimer.start();
    std::uint64_t firstMissed = 0;
    if (!m_feed->hasQueued() && m_feed->missedCount(&firstMissed) > 0) {
        // Everything before the gap is out; the client must not think it has it all.
        closeWith(QWebSocketProtocol::CloseCodePolicyViolated,
                  QStringLiteral("client too slow: events missed; reconnect with global-sequence-number=%1")
                      .arg(firstMissed));
    }
}

void WebSocketSession::closeWith(int code, const QString &reason)
{
    if (m_closing)
        return;
    m_closing = true;
    m_stallTimer.stop();
    m_feed->stop();
    // A close frame reason is at most 123 bytes.
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason.left(120));
    // A client that does not read will never see it: do not wait for it forever.
    m_abortTimer.start(kCloseGraceMs);
}

void WebSocketSession::tearDown()
{
    if (m_finished)
        return;
    m_finished = true;
    m_stallTimer.stop();
    m_abortTimer.stop();
    m_feed->stop();
    Q_EMIT finished();
    deleteLater();
}

} // namespace rangedb::server
