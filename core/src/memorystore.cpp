#include "rangedb/memorystore.h"

#include "rangedb/json.h"
#include "savebatch.h"
#include "subscriptionhub.h"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <mutex>
#include <set>

namespace rangedb {

namespace {

// One saved event as the store keeps it: the serialized bytes (what LevelDB would hold
// under the stream key) plus the numbers the indexes need. Immutable once built, and
// shared by the indexes and by any iterator snapshot that still refers to it, so a
// delete never invalidates an open iterator.
struct StoredRecord
{
    std::string value;
    std::string aggregateType;
    std::string streamName;
    std::uint64_t globalSequenceNumber = 0;
    std::uint64_t streamSequenceNumber = 0;
};
using StoredPtr = std::shared_ptr<const StoredRecord>;

struct Stream
{
    std::string aggregateType;
    std::string aggregateId;
    std::vector<StoredPtr> records; // in stream sequence order, 1..n
};

// Records are numbered from 1 in messages, as the record streams number them.
std::string recordLabel(std::size_t number)
{
    return "record " + std::to_string(number);
}

// Iterates over a snapshot of stored records taken when the query was made: later writes
// and deletes do not show, and no lock is held while the caller pulls.
class SnapshotIterator final : public RecordIterator
{
public:
    SnapshotIterator(std::vector<StoredPtr> items, Serializer serializer, std::stop_token stop)
        : m_items(std::move(items)), m_serializer(serializer), m_stop(std::move(stop))
    {
    }

    bool next() override
    {
        if (!m_error.ok())
            return false;
        m_current = nullptr;
        // Checked before every record, so a token that fired before the query or while
        // the caller was handling the previous record ends the iteration here.
        if (m_stop.stop_requested()) {
            m_error = Status::cancelled();
            return false;
        }
        if (m_next >= m_items.size())
            return false;
        const StoredRecord &stored = *m_items[m_next++];
        m_record = Record();
        if (Status status = codec::decode(stored.value, m_record); !status.ok()) {
            m_error = status.withContext("failed to deserialize record " + stored.streamName + " #"
                                         + std::to_string(stored.streamSequenceNumber));
            return false;
        }
        m_current = &m_record;
        m_raw = stored.value;
        return true;
    }

    const Record *record() const override { return m_current; }
    const Status &error() const override { return m_error; }
    std::string_view rawValue() const override { return m_current ? std::string_view(m_raw) : std::string_view(); }
    // Values are written by codec::appendJson, which is the canonical form.
    bool rawIsCanonicalJson() const override { return m_current && m_serializer == Serializer::Json; }

private:
    std::vector<StoredPtr> m_items;
    const Serializer m_serializer;
    std::stop_token m_stop;
    std::size_t m_next = 0;
    Record m_record;
    std::string_view m_raw;
    const Record *m_current = nullptr;
    Status m_error;
};

} // namespace

class MemoryStore::Impl
{
public:
    Impl(Serializer serializer, StoreHooks hooks) : m_serializer(serializer), m_hooks(std::move(hooks))
    {
        if (!m_hooks.clock) {
            m_hooks.clock = [] {
                const auto now = std::chrono::system_clock::now().time_since_epoch();
                return std::uint64_t(std::chrono::duration_cast<std::chrono::seconds>(now).count());
            };
        }
        if (!m_hooks.newEventId)
            m_hooks.newEventId = [] { return newShortUuid(); };
    }

    ~Impl() { m_hub.closeAll(); }

    RecordIteratorPtr iterate(std::vector<StoredPtr> items, std::stop_token stop) const
    {
        return std::make_unique<SnapshotIterator>(std::move(items), m_serializer, std::move(stop));
    }

    Result<SaveResult> save(const std::uint64_t *expected, std::span<const EventRecord> records,
                            const std::stop_token &stop);
    // save() with m_mutex held; with `deferred`, the records are collected there instead
    // of being published.
    Result<SaveResult> saveLocked(const std::uint64_t *expected, std::span<const EventRecord> records,
                                  const std::stop_token &stop, std::vector<Record> *deferred);
    // Removes every record above global sequence number `before` and lowers the counter
    // back to it (saveMany's rollback). Requires m_mutex held.
    void undoAfter(std::uint64_t before);
    Status restore(RecordIterator &records, const std::stop_token &stop);

    // Puts fully built records into the indexes and tells the subscribers.
    // Requires m_mutex held.
    void commit(std::vector<StoredPtr> stored, std::vector<Record> records,
                std::vector<Record> *deferred = nullptr);

    const Serializer m_serializer;
    StoreHooks m_hooks; // set once in the constructor; called under m_mutex

    // One mutex for everything: writes are serialized by it, and reads hold it only long
    // enough to copy the pointers they will iterate over.
    mutable std::mutex m_mutex;
    std::uint64_t m_lastGlobalSequenceNumber = 0;                     // GUARDED_BY(m_mutex)
    std::map<std::uint64_t, StoredPtr> m_all;                         // GUARDED_BY(m_mutex)
    std::map<std::string, std::map<std::uint64_t, StoredPtr>, std::less<>> m_byType; // GUARDED_BY(m_mutex)
    std::map<std::string, Stream, std::less<>> m_streams;             // GUARDED_BY(m_mutex)

    // Subscriptions must be destroyed before the store (their handles call back into the
    // hub); ~Impl stops any that are left so that no worker starts another delivery.
    detail::SubscriptionHub m_hub;
};

Result<SaveResult> MemoryStore::Impl::save(const std::uint64_t *expected, std::span<const EventRecord> records,
                                           const std::stop_token &stop)
{
    if (records.empty())
        return Status::error(ErrorCode::MissingEvents, "missing events");

    std::lock_guard lock(m_mutex);
    return saveLocked(expected, records, stop, nullptr);
}

Result<SaveResult> MemoryStore::Impl::saveLocked(const std::uint64_t *expected, std::span<const EventRecord> records,
                                                 const std::stop_token &stop, std::vector<Record> *deferred)
{
    const EventRecord &first = records.front();
    const std::string stream = streamName(first.aggregateType, first.aggregateId);
    const auto existing = m_streams.find(stream);
    std::uint64_t current = existing == m_streams.end() ? 0 : existing->second.records.size();
    std::uint64_t globalSequence = m_lastGlobalSequenceNumber;

    std::vector<StoredPtr> pending;
    std::vector<Record> built;
    pending.reserve(records.size());
    built.reserve(records.size());

    auto prepared = detail::buildSaveRecords(records, expected, current, globalSequence, m_hooks, stop);
    if (!prepared.ok())
        return prepared.status();
    built = std::move(prepared).value();
    for (std::size_t i = 0; i < built.size(); ++i) {
        Record &record = built[i];
        auto stored = std::make_shared<StoredRecord>();
        if (Status status = detail::encodeForStorage(m_serializer, record, stored->value); !status.ok())
            return status.withContext(recordLabel(i + 1));
        stored->aggregateType = record.aggregateType;
        stored->streamName = stream;
        stored->globalSequenceNumber = record.globalSequenceNumber;
        stored->streamSequenceNumber = record.streamSequenceNumber;
        pending.push_back(std::move(stored));
    }

    const SaveResult result{built.back().streamSequenceNumber, built.back().globalSequenceNumber};
    commit(std::move(pending), std::move(built), deferred);
    return result;
}

void MemoryStore::Impl::commit(std::vector<StoredPtr> stored, std::vector<Record> records,
                               std::vector<Record> *deferred)
{
    for (std::size_t i = 0; i < stored.size(); ++i) {
        const StoredPtr &entry = stored[i];
        const Record &record = records[i];
        m_all.emplace(entry->globalSequenceNumber, entry);
        m_byType[entry->aggregateType].emplace(entry->globalSequenceNumber, entry);
        auto [it, inserted] = m_streams.try_emplace(entry->streamName);
        if (inserted) {
            it->second.aggregateType = record.aggregateType;
            it->second.aggregateId = record.aggregateId;
        }
        it->second.records.push_back(entry);
        m_lastGlobalSequenceNumber = std::max(m_lastGlobalSequenceNumber, entry->globalSequenceNumber);
    }
    if (deferred) {
        std::move(records.begin(), records.end(), std::back_inserter(*deferred));
        return;
    }
    // Still under m_mutex: subscribers see commits in global sequence order.
    m_hub.publish(records);
}

void MemoryStore::Impl::undoAfter(std::uint64_t before)
{
    // Records above `before` are the newest of every index and of every stream they are in.
    for (auto it = m_all.upper_bound(before); it != m_all.end(); it = m_all.erase(it)) {
        const StoredRecord &entry = *it->second;
        if (const auto type = m_byType.find(entry.aggregateType); type != m_byType.end()) {
            type->second.erase(entry.globalSequenceNumber);
            if (type->second.empty())
                m_byType.erase(type);
        }
        if (const auto stream = m_streams.find(entry.streamName); stream != m_streams.end()) {
            auto &list = stream->second.records;
            while (!list.empty() && list.back()->globalSequenceNumber > before)
                list.pop_back();
            if (list.empty())
                m_streams.erase(stream);
        }
    }
    m_lastGlobalSequenceNumber = before;
}

Status MemoryStore::Impl::restore(RecordIterator &records, const std::stop_token &stop)
{
    std::lock_guard lock(m_mutex);
    if (!m_all.empty() || m_lastGlobalSequenceNumber != 0) {
        return Status::error(ErrorCode::InvalidArgument,
                             "restore needs an empty store; this one holds records (last global sequence number "
                                 + std::to_string(m_lastGlobalSequenceNumber) + ")");
    }

    std::vector<StoredPtr> pending;
    std::vector<Record> built;
    detail::RestoreChecker checker;
    while (records.next()) {
        if (stop.stop_requested())
            return Status::cancelled();
        Record record = *records.record();
        if (Status status = checker.check(record); !status.ok())
            return status;

        auto stored = std::make_shared<StoredRecord>();
        if (Status status = detail::encodeForStorage(m_serializer, record, stored->value); !status.ok())
            return status.withContext(checker.label());
        stored->aggregateType = record.aggregateType;
        stored->streamName = record.streamName();
        stored->globalSequenceNumber = record.globalSequenceNumber;
        stored->streamSequenceNumber = record.streamSequenceNumber;
        pending.push_back(std::move(stored));
        built.push_back(std::move(record));
    }
    if (!records.error().ok())
        return records.error().withContext("restore input");
    if (stop.stop_requested())
        return Status::cancelled();

    commit(std::move(pending), std::move(built));
    return {};
}

MemoryStore::MemoryStore(Serializer serializer, StoreHooks hooks)
    : d(std::make_unique<Impl>(serializer, std::move(hooks)))
{
}

MemoryStore::~MemoryStore() = default;

Serializer MemoryStore::serializer() const
{
    return d->m_serializer;
}

RecordIteratorPtr MemoryStore::events(std::uint64_t from, std::stop_token stop)
{
    std::vector<StoredPtr> items;
    {
        std::lock_guard lock(d->m_mutex);
        for (auto it = d->m_all.lower_bound(from); it != d->m_all.end(); ++it)
            items.push_back(it->second);
    }
    return d->iterate(std::move(items), std::move(stop));
}

RecordIteratorPtr MemoryStore::eventsByAggregateTypes(std::uint64_t from, std::vector<std::string> aggregateTypes,
                                                      std::stop_token stop)
{
    std::sort(aggregateTypes.begin(), aggregateTypes.end());
    aggregateTypes.erase(std::unique(aggregateTypes.begin(), aggregateTypes.end()), aggregateTypes.end());

    std::vector<StoredPtr> items;
    {
        std::lock_guard lock(d->m_mutex);
        for (const std::string &type : aggregateTypes) {
            const auto index = d->m_byType.find(type);
            if (index == d->m_byType.end())
                continue;
            for (auto it = index->second.lower_bound(from); it != index->second.end(); ++it)
                items.push_back(it->second);
        }
    }
    // A record has one type, so after removing duplicate types a sort is the whole merge.
    std::sort(items.begin(), items.end(), [](const StoredPtr &a, const StoredPtr &b) {
        return a->globalSequenceNumber < b->globalSequenceNumber;
    });
    return d->iterate(std::move(items), std::move(stop));
}

RecordIteratorPtr MemoryStore::eventsByStream(std::uint64_t from, std::string_view streamName, std::stop_token stop)
{
    std::vector<StoredPtr> items;
    {
        std::lock_guard lock(d->m_mutex);
        const auto stream = d->m_streams.find(streamName);
        if (stream == d->m_streams.end()) {
            if (stop.stop_requested())
                return makeErrorIterator(Status::cancelled());
            return makeErrorIterator(Status::streamNotFound());
        }
        for (const StoredPtr &entry : stream->second.records) {
            if (entry->streamSequenceNumber >= from)
                items.push_back(entry);
        }
    }
    return d->iterate(std::move(items), std::move(stop));
}

Result<SaveResult> MemoryStore::save(std::span<const EventRecord> records, std::stop_token stop)
{
    return d->save(nullptr, records, stop);
}

Result<SaveResult> MemoryStore::optimisticSave(std::uint64_t expected, std::span<const EventRecord> records,
                                               std::stop_token stop)
{
    return d->save(&expected, records, stop);
}

Status MemoryStore::optimisticDeleteStream(std::uint64_t expected, std::string_view streamName, std::stop_token stop)
{
    if (stop.stop_requested())
        return Status::cancelled();

    std::lock_guard lock(d->m_mutex);
    const auto stream = d->m_streams.find(streamName);
    if (stream == d->m_streams.end())
        return Status::streamNotFound();
    const std::uint64_t count = stream->second.records.size();
    if (count != expected)
        return Status::unexpectedSequenceNumber(expected, count);

    for (const StoredPtr &entry : stream->second.records) {
        d->m_all.erase(entry->globalSequenceNumber);
        const auto type = d->m_byType.find(entry->aggregateType);
        if (type != d->m_byType.end()) {
            type->second.erase(entry->globalSequenceNumber);
            if (type->second.empty())
                d->m_byType.erase(type);
        }
    }
    // m_lastGlobalSequenceNumber stays: numbers are never handed out twice.
    d->m_streams.erase(stream);
    return {};
}

Result<std::uint64_t> MemoryStore::totalEventsInStream(std::string_view streamName, std::stop_token stop)
{
    if (stop.stop_requested())
        return Status::cancelled();
    std::lock_guard lock(d->m_mutex);
    const auto stream = d->m_streams.find(streamName);
    if (stream == d->m_streams.end() || stream->second.records.empty())
        return std::uint64_t(0);
    return stream->second.records.back()->streamSequenceNumber;
}

Status MemoryStore::restore(RecordIterator &records, std::stop_token stop)
{
    return d->restore(records, stop);
}

std::unique_ptr<Subscription> MemoryStore::allEventsSubscription(std::size_t bufferSize, Subscriber *subscriber)
{
    return d->m_hub.create(bufferSize, subscriber, {}, [this](std::uint64_t from, std::stop_token stop) {
        return events(from, std::move(stop));
    });
}

std::unique_ptr<Subscription> MemoryStore::aggregateTypesSubscription(std::size_t bufferSize, Subscriber *subscriber,
                                                                      std::vector<std::string> aggregateTypes)
{
    auto types = aggregateTypes;
    return d->m_hub.create(bufferSize, subscriber, std::move(aggregateTypes),
                           [this, types = std::move(types)](std::uint64_t from, std::stop_token stop) {
                               return eventsByAggregateTypes(from, types, std::move(stop));
                           });
}

Result<SaveManyResult> MemoryStore::saveMany(SaveSource &saves, std::stop_token stop)
{
    std::lock_guard lock(d->m_mutex);
    const std::uint64_t before = d->m_lastGlobalSequenceNumber;
    SaveManyResult result;
    result.lastGlobalSequenceNumber = before;
    std::vector<Record> deferred;
    std::vector<EventRecord> events;
    Status failure;
    for (;;) {
        events.clear();
        if (stop.stop_requested()) {
            failure = Status::cancelled();
            break;
        }
        if (!saves.next(events)) {
            failure = saves.error();
            break;
        }
        if (events.empty()) {
            failure = Status::error(ErrorCode::MissingEvents, "missing events");
            break;
        }
        auto saved = d->saveLocked(nullptr, events, stop, &deferred);
        if (!saved.ok()) {
            failure = saved.status();
            break;
        }
        ++result.saves;
        result.records += events.size();
        result.lastGlobalSequenceNumber = saved->lastGlobalSequenceNumber;
    }
    if (!failure.ok()) {
        if (result.saves > 0 || failure.code() != ErrorCode::Cancelled)
            failure = failure.withContext("save " + std::to_string(result.saves + 1));
        d->undoAfter(before);
        return failure;
    }
    d->m_hub.publish(deferred);
    return result;
}

Result<std::vector<AggregateTypeInfo>> MemoryStore::aggregateTypes(std::stop_token stop,
                                                                   const AggregateTypesProgress &progress)
{
    if (stop.stop_requested())
        return Status::cancelled();
    std::vector<AggregateTypeInfo> result;
    {
        std::lock_guard lock(d->m_mutex);
        result.reserve(d->m_byType.size());
        // std::map<std::string> orders by char_traits<char>::lt, which compares bytes as
        // unsigned: the bytewise order LevelDB keys have.
        for (const auto &[type, index] : d->m_byType)
            result.push_back({type, index.size()});
    }
    if (progress)
        progress(result);
    return result;
}

Result<std::vector<StreamInfo>> MemoryStore::streams(std::string_view aggregateType, std::stop_token stop)
{
    if (stop.stop_requested())
        return Status::cancelled();
    std::vector<StreamInfo> result;
    std::lock_guard lock(d->m_mutex);
    for (const auto &[name, stream] : d->m_streams) {
        if (!aggregateType.empty() && stream.aggregateType != aggregateType)
            continue;
        if (stream.records.empty())
            continue;
        result.push_back({name, stream.aggregateType, stream.aggregateId, stream.records.back()->streamSequenceNumber,
                          stream.records.back()->globalSequenceNumber});
    }
    return result;
}

Result<std::uint64_t> MemoryStore::lastGlobalSequenceNumber()
{
    std::lock_guard lock(d->m_mutex);
    return d->m_lastGlobalSequenceNumber;
}

Result<std::uint64_t> MemoryStore::totalEvents(std::stop_token stop)
{
    if (stop.stop_requested())
        return Status::cancelled();
    std::lock_guard lock(d->m_mutex);
    return std::uint64_t(d->m_all.size());
}

Result<CheckReport> MemoryStore::check(std::stop_token stop)
{
    CheckReport report;
    std::vector<std::pair<std::string, std::vector<StoredPtr>>> streams;
    std::set<std::uint64_t> allEntries;
    std::set<std::pair<std::string, std::uint64_t>> typeEntries;
    {
        std::lock_guard lock(d->m_mutex);
        report.globalSequenceNumber = d->m_lastGlobalSequenceNumber;
        report.allEventsEntries = d->m_all.size();
        for (const auto &[gsn, entry] : d->m_all)
            allEntries.insert(gsn);
        for (const auto &[type, index] : d->m_byType) {
            report.aggregateTypeEntries += index.size();
            for (const auto &[gsn, entry] : index)
                typeEntries.emplace(type, gsn);
        }
        streams.reserve(d->m_streams.size());
        for (const auto &[name, stream] : d->m_streams)
            streams.emplace_back(name, stream.records);
    }
    report.streams = streams.size();

    // Decoding runs outside the lock: a check of a large store must not stall writers.
    const auto problem = [&report](std::string text) {
        report.consistent = false;
        if (report.problems.size() < 1000)
            report.problems.push_back(std::move(text));
    };
    std::uint64_t indexedRecords = 0;
    for (const auto &[name, records] : streams) {
        std::uint64_t expectedSsn = 1;
        for (const StoredPtr &entry : records) {
            if (stop.stop_requested())
                return Status::cancelled();
            ++report.records;
            const std::string where = name + " #" + std::to_string(entry->streamSequenceNumber);
            Record record;
            if (Status status = codec::decode(entry->value, record); !status.ok()) {
                problem(where + ": " + status.message());
                continue;
            }
            if (record.streamSequenceNumber != expectedSsn) {
                problem(where + ": stream sequence number " + std::to_string(record.streamSequenceNumber)
                        + ", expected " + std::to_string(expectedSsn));
            }
            expectedSsn = record.streamSequenceNumber + 1;
            if (record.streamName() != name)
                problem(where + ": record belongs to stream " + record.streamName());
            const std::uint64_t gsn = record.globalSequenceNumber;
            if (gsn > report.globalSequenceNumber) {
                problem(where + ": global sequence number " + std::to_string(gsn) + " is above the counter "
                        + std::to_string(report.globalSequenceNumber));
            }
            if (!allEntries.contains(gsn))
                problem(where + ": not in the all-events index at " + std::to_string(gsn));
            if (!typeEntries.contains({record.aggregateType, gsn}))
                problem(where + ": not in the " + record.aggregateType + " index at " + std::to_string(gsn));
            else
                ++indexedRecords;
        }
    }
    if (report.allEventsEntries != report.records) {
        problem("the all-events index has " + std::to_string(report.allEventsEntries) + " entries for "
                + std::to_string(report.records) + " records");
    }
    if (report.aggregateTypeEntries != indexedRecords) {
        problem("the aggregate type indexes have " + std::to_string(report.aggregateTypeEntries) + " entries for "
                + std::to_string(indexedRecords) + " indexed records");
    }
    return report;
}

} // namespace rangedb
