#pragma once

#include "rangedb/store.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

class QWebSocket;

namespace rangedb::server {

// One client of /ws/events or /ws/events/{types}: catch-up from its global sequence
// number, then live records, each as one text frame of the record's JSON (as rangedb).
//
// The store's subscription worker hands records to a bounded queue (accept() waits while
// it is full, so a slow client slows its own catch-up and nothing else); the server
// thread moves them to the socket while its send buffer is under the high-water mark.
// When the client falls so far behind that its live subscription overflows (the store
// reports missed records), or its send buffer does not drain for the stall timeout, the
// client is told why in a close frame (code 1008) and dropped: it can reconnect with
// global-sequence-number set to the first record it did not get. As in rangedb, any
// message from the client ends the session.
//
// Lives on the server thread (the engine is its parent).
class WebSocketSession : public QObject
{
    Q_OBJECT

public:
    WebSocketSession(std::unique_ptr<QWebSocket> socket, Store &store, std::vector<std::string> aggregateTypes,
                     std::uint64_t from, qint64 highWater, int stallTimeoutMs, std::size_t queueRecords,
                     QObject *parent);
    ~WebSocketSession() override;

    // Starts the subscription; false (and the client is closed) when the store refuses.
    bool start();
    // Server shutdown: "going away".
    void shutdown();

Q_SIGNALS:
    void finished();

private:
    class Feed;
    void drain();
    void closeWith(int code, const QString &reason);
    void tearDown();

    std::unique_ptr<QWebSocket> m_socket;
    Store &m_store;
    std::vector<std::string> m_aggregateTypes;
    std::uint64_t m_from;
    qint64 m_highWater;
    std::size_t m_queueRecords; // the session queue, and the subscription's own buffer
    std::unique_ptr<Feed> m_feed;                 // declared before the subscription: outlives it
    std::unique_ptr<Subscription> m_subscription;
    QTimer m_stallTimer;
    QTimer m_abortTimer;
    std::uint64_t m_lastSent = 0; // global sequence number of the last record sent
    bool m_closing = false;
    bool m_finished = false;
};

} // namespace rangedb::server
