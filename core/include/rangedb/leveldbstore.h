#pragma once

#include "rangedb/store.h"

#include <memory>
#include <string>

namespace rangedb {

struct LevelDbOptions
{
    // Create the database when the folder holds none (write commands). When false, a
    // missing folder or one without a database is NotADatabase, and nothing is written.
    bool createIfMissing = false;
    // Serializer for new records; an existing database keeps the one its values use
    // (detected from the first record found) unless it is empty.
    Serializer serializer = Serializer::Json;
    // Never write a byte into the folder: LevelDB runs over an Env that reads the folder
    // and keeps its own writes (recovery tables, MANIFEST, log) in memory. Writes through
    // the Store API fail with ReadOnly. Takes a shared (read) lock on LOCK, so a writer
    // cannot open the folder meanwhile; other readers can.
    bool readOnly = false;
    // Sync every write batch to disk (rangedb's guarantee). Without it a write survives a
    // killed process but not a power cut.
    bool durable = false;
    // Map table files into memory (LevelDB's default) or read them with pread. Mapped
    // pages a scan touched count as the process's resident memory, so the workbench reads
    // with pread and keeps its resident memory to what it allocates; bulk tools map.
    bool mapTableFiles = true;
    // LevelDB block cache in bytes.
    std::size_t blockCacheBytes = 32u << 20;
    StoreHooks hooks;
};

// A Store over rangedb v0.12.0's LevelDB layout (core/FORMAT.md). Thread-safe.
class LevelDbStore final : public Store
{
public:
    // Errors: NotADatabase, DatabaseLocked ("in use by another process"), Corruption,
    // IoError, InvalidArgument (path is a file).
    static Result<std::unique_ptr<LevelDbStore>> open(const std::string &path, const LevelDbOptions &options);

    ~LevelDbStore() override;

    const std::string &path() const;

    Serializer serializer() const override;
    bool isReadOnly() const override;
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
    // Keys only: the index entries for all events and aggregate types, the last stream
    // key for a stream (its numbers run 1..n, so its anchors need no scan).
    Result<ScopeIndex> scopeIndex(const Scope &scope, std::uint32_t stride, std::stop_token stop = {},
                                  const ScopeIndexProgress &progress = {}) override;
    Result<std::uint64_t> lastGlobalSequenceNumber() override;
    Result<std::uint64_t> totalEvents(std::stop_token stop = {}) override;
    Result<CheckReport> check(std::stop_token stop = {}) override;

    class Impl;

private:
    explicit LevelDbStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> d;
};

// True when `path` is a folder holding a LevelDB database (it has a CURRENT file).
bool looksLikeDatabase(const std::string &path);

} // namespace rangedb
