#include "subscriptionhub.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <thread>

namespace rangedb::detail {

// One subscription's state. Shared between the hub (which pushes into it), the worker
// thread and the handle the caller owns, so whichever lets go last frees it.
class SubscriptionImpl : public std::enable_shared_from_this<SubscriptionImpl>
{
public:
    SubscriptionImpl(SubscriptionHub *hub, std::size_t capacity, Subscriber *subscriber,
                     std::vector<std::string> types, SubscriptionHub::CatchUp catchUp)
        : m_hub(hub)
        , m_capacity(std::max<std::size_t>(capacity, 1))
        , m_subscriber(subscriber)
        , m_types(std::move(types))
        , m_catchUp(std::move(catchUp))
    {
    }

    bool matches(const Record &record) const
    {
        return m_types.empty()
            || std::find(m_types.begin(), m_types.end(), record.aggregateType) != m_types.end();
    }

    // Called by the hub under the store's write lock: must not block.
    void push(const Record &record)
    {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopped)
                return;
            if (m_queue.size() >= m_capacity) {
                if (m_missed == 0)
                    m_firstMissed = record.globalSequenceNumber;
                ++m_missed;
                m_lastMissed = record.globalSequenceNumber;
            } else {
                m_queue.push_back(record);
            }
        }
        m_wake.notify_one();
    }

    Status begin(bool catchUp, std::uint64_t from)
    {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopped)
                return Status::cancelled();
            if (m_started)
                return Status::error(ErrorCode::InvalidArgument, "subscription already started");
            m_started = true;
        }
        // Register before reading history: everything committed from here on reaches the
        // queue, everything before is in the catch-up snapshot taken afterwards.
        m_hub->attach(shared_from_this());
        m_worker = std::jthread([self = shared_from_this(), catchUp, from](std::stop_token stop) {
            self->run(stop, catchUp, from);
        });
        return {};
    }

    void stop()
    {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopped)
                return;
            m_stopped = true;
            m_queue.clear();
        }
        m_worker.request_stop();
        m_wake.notify_all();
        m_hub->detach(this);
    }

    void join()
    {
        if (!m_worker.joinable())
            return;
        // A subscriber that drops its own subscription from accept() must not join itself.
        if (m_worker.get_id() == std::this_thread::get_id())
            m_worker.detach();
        else
            m_worker.join();
    }

private:
    void deliver(const Record &record)
    {
        m_subscriber->accept(record);
        m_last = record.globalSequenceNumber;
        m_delivered = true;
    }

    // Reads history from `from`; returns false when stopped.
    bool catchUpFrom(std::stop_token stop, std::uint64_t from)
    {
        auto it = m_catchUp(from, stop);
        while (it->next()) {
            if (stop.stop_requested())
                return false;
            const Record &record = *it->record();
            if (m_delivered && record.globalSequenceNumber <= m_last)
                continue;
            deliver(record);
        }
        return !stop.stop_requested();
    }

    void run(std::stop_token stop, bool catchUp, std::uint64_t from)
    {
        if (catchUp) {
            if (!catchUpFrom(stop, from))
                return;
            // Live records that overflowed the buffer during a long catch-up are still in
            // the store: read them from there instead of reporting them missed.
            for (;;) {
                {
                    std::lock_guard lock(m_mutex);
                    if (m_missed == 0)
                        break;
                    m_missed = 0;
                    m_queue.clear();
                }
                if (!catchUpFrom(stop, m_delivered ? m_last + 1 : from))
                    return;
            }
        }

        std::deque<Record> batch;
        while (!stop.stop_requested()) {
            std::uint64_t missed = 0, firstMissed = 0, lastMissed = 0;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, stop, [this] { return !m_queue.empty() || m_missed > 0; });
                if (stop.stop_requested() || m_stopped)
                    return;
                batch.swap(m_queue);
                std::swap(missed, m_missed);
                firstMissed = m_firstMissed;
                lastMissed = m_lastMissed;
            }
            // Records dropped for want of room were newer than any queued one, so the
            // loss is reported once the queued records are delivered.
            for (const Record &record : batch) {
                if (stop.stop_requested())
                    return;
                if (catchUp && record.globalSequenceNumber < from)
                    continue;
                if (m_delivered && record.globalSequenceNumber <= m_last)
                    continue;
                deliver(record);
            }
            batch.clear();
            if (missed > 0 && !stop.stop_requested())
                m_subscriber->missed(missed, firstMissed, lastMissed);
        }
    }

    SubscriptionHub *m_hub;
    const std::size_t m_capacity;
    Subscriber *m_subscriber;
    const std::vector<std::string> m_types;
    SubscriptionHub::CatchUp m_catchUp;

    std::mutex m_mutex;
    std::condition_variable_any m_wake;
    std::deque<Record> m_queue;     // GUARDED_BY(m_mutex)
    std::uint64_t m_missed = 0;     // GUARDED_BY(m_mutex)
    std::uint64_t m_firstMissed = 0; // GUARDED_BY(m_mutex)
    std::uint64_t m_lastMissed = 0; // GUARDED_BY(m_mutex)
    bool m_started = false;         // GUARDED_BY(m_mutex)
    bool m_stopped = false;         // GUARDED_BY(m_mutex)

    // Worker thread only.
    std::uint64_t m_last = 0;
    bool m_delivered = false;

    std::jthread m_worker;
};

namespace {

// The handle given to the caller: stopping and joining on destruction.
class SubscriptionHandle final : public Subscription
{
public:
    explicit SubscriptionHandle(std::shared_ptr<SubscriptionImpl> impl) : m_impl(std::move(impl)) {}
    ~SubscriptionHandle() override
    {
        m_impl->stop();
        m_impl->join();
    }
    Status start() override { return m_impl->begin(false, 0); }
    Status startFrom(std::uint64_t from) override { return m_impl->begin(true, from); }
    void stop() override { m_impl->stop(); }

private:
    std::shared_ptr<SubscriptionImpl> m_impl;
};

} // namespace

SubscriptionHub::SubscriptionHub() = default;

SubscriptionHub::~SubscriptionHub()
{
    closeAll();
}

std::unique_ptr<Subscription> SubscriptionHub::create(std::size_t bufferSize, Subscriber *subscriber,
                                                      std::vector<std::string> aggregateTypes, CatchUp catchUp)
{
    std::sort(aggregateTypes.begin(), aggregateTypes.end());
    aggregateTypes.erase(std::unique(aggregateTypes.begin(), aggregateTypes.end()), aggregateTypes.end());
    auto impl = std::make_shared<SubscriptionImpl>(this, bufferSize, subscriber, std::move(aggregateTypes),
                                                   std::move(catchUp));
    return std::make_unique<SubscriptionHandle>(std::move(impl));
}

bool SubscriptionHub::hasSubscriptions()
{
    std::lock_guard lock(m_mutex);
    return !m_subscriptions.empty();
}

void SubscriptionHub::publish(std::span<const Record> records)
{
    std::lock_guard lock(m_mutex);
    if (m_subscriptions.empty())
        return;
    for (const Record &record : records) {
        for (const auto &subscription : m_subscriptions) {
            if (subscription->matches(record))
                subscription->push(record);
        }
    }
}

void SubscriptionHub::closeAll()
{
    std::vector<std::shared_ptr<SubscriptionImpl>> all;
    {
        std::lock_guard lock(m_mutex);
        all = m_subscriptions;
    }
    for (const auto &subscription : all)
        subscription->stop();
}

void SubscriptionHub::attach(const std::shared_ptr<SubscriptionImpl> &subscription)
{
    std::lock_guard lock(m_mutex);
    m_subscriptions.push_back(subscription);
}

void SubscriptionHub::detach(const SubscriptionImpl *subscription)
{
    std::lock_guard lock(m_mutex);
    std::erase_if(m_subscriptions, [subscription](const auto &s) { return s.get() == subscription; });
}

} // namespace rangedb::detail
