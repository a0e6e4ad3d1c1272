#pragma once

#include "rangedb/store.h"

#include <memory>

namespace rangedb {

// A Store in memory, with the same semantics as LevelDbStore (the conformance suite runs
// on both). Records are kept serialized with the chosen serializer, as on disk.
// Thread-safe.
class MemoryStore final : public Store
{
public:
    explicit MemoryStore(Serializer serializer = Serializer::Json, StoreHooks hooks = {});
    ~MemoryStore() override;

    Serializer serializer() const override;
    bool isReadOnly() const override { return false; }
    RecordIteratorPtr events(std::uint64_t from, std::stop_token stop = {}) override;
    RecordIteratorPtr eventsByAggregateTypes(std::uint64_t from, std::vector<std::string> aggregateTypes,
                                             std::stop_token stop = {}) override;
    RecordIteratorPtr eventsByStream(std::uint64_t from, std::string_view streamName,
                                     std::stop_token stop = {}) override;
    Result<SaveResult> save(std::span<const EventRecord> records, std::stop_token stop = {}) override;
    Result<SaveResult> optimisticSave(std::uint64_t expected, std::span<const EventRecord> records,
                                      std::stop_token stop = {}) override;
    Status optimisticDeleteStream(std::uint64_t expected, std::string_view streamName,
                                  std::stop_token stop = {}) override;
    Result<std::uint64_t> totalEventsInStream(std::string_view streamName, std::stop_token stop = {}) override;
    Status restore(RecordIterator &records, std::stop_token stop = {}) override;
    Result<SaveManyResult> saveMany(SaveSource &saves, std::stop_token stop = {}) override;
    std::unique_ptr<Subscription> allEventsSubscription(std::size_t bufferSize, Subscriber *subscriber) override;
    std::unique_ptr<Subscription> aggregateTypesSubscription(std::size_t bufferSize, Subscriber *subscriber,
                                                             std::vector<std::string> aggregateTypes) override;
    Result<std::vector<AggregateTypeInfo>> aggregateTypes(std::stop_token stop = {},
                                                          const AggregateTypesProgress &progress = {}) override;
    Result<std::vector<StreamInfo>> streams(std::string_view aggregateType, std::stop_token stop = {}) override;
    Result<std::uint64_t> lastGlobalSequenceNumber() override;
    Result<std::uint64_t> totalEvents(std::stop_token stop = {}) override;
    Result<CheckReport> check(std::stop_token stop = {}) override;

    class Impl;

private:
    std::unique_ptr<Impl> d;
};

} // namespace rangedb
