#pragma once

#include "rangedb/store.h"

#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace rangedb::detail {

class SubscriptionImpl;

// The live-delivery half of both stores. A store calls publish() after each committed
// write, while it still holds its write lock, so every subscription sees records in
// global sequence order. publish() never blocks: each subscription has a bounded buffer,
// and records that do not fit are counted and reported to the subscriber as missed.
//
// Catch-up (Subscription::startFrom) registers for live records first, then reads
// history through `catchUp` from a snapshot taken after the registration, and drops live
// records it has already delivered (by global sequence number): no gap, no duplicate.
//
// Thread-safe. Must outlive every subscription it created (the store's destructor stops
// them via closeAll()).
class SubscriptionHub
{
public:
    // Reads history from `from` for one subscription (the store's events() or
    // eventsByAggregateTypes() bound to that subscription's types).
    using CatchUp = std::function<RecordIteratorPtr(std::uint64_t from, std::stop_token stop)>;

    SubscriptionHub();
    ~SubscriptionHub();

    // `aggregateTypes` empty means all events.
    std::unique_ptr<Subscription> create(std::size_t bufferSize, Subscriber *subscriber,
                                         std::vector<std::string> aggregateTypes, CatchUp catchUp);

    // Hands committed records to every matching running subscription. Call in global
    // sequence order (under the store's write lock).
    void publish(std::span<const Record> records);

    // Whether any subscription is registered (a store may skip preparing a publish).
    bool hasSubscriptions();

    // Stops every subscription (store shutdown).
    void closeAll();

    // Internal: registration by SubscriptionImpl.
    void attach(const std::shared_ptr<SubscriptionImpl> &subscription);
    void detach(const SubscriptionImpl *subscription);

private:
    std::mutex m_mutex;
    std::vector<std::shared_ptr<SubscriptionImpl>> m_subscriptions; // GUARDED_BY(m_mutex)
};

} // namespace rangedb::detail
