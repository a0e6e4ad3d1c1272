#pragma once

#include "rangedb/codec.h"
#include "rangedb/record.h"
#include "rangedb/status.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace rangedb {

// A pull cursor over records, read from one consistent snapshot of the store: writers
// are never blocked by an open iterator, and an iterator never sees a later write.
//
//   while (it->next()) use(*it->record());
//   if (!it->error().ok()) ...
//
// At the end: next() == false, record() == nullptr, error().ok(). On an error:
// next() == false, record() == nullptr, error() set, and it stays so (sticky).
// When the stop token fires, the iterator ends with ErrorCode::Cancelled.
// An iterator is used by one thread at a time; it may outlive nothing but its store.
class RecordIterator
{
public:
    virtual ~RecordIterator() = default;
    virtual bool next() = 0;
    virtual const Record *record() const = 0;
    virtual const Status &error() const = 0;

    // The stored bytes of the current record, when the store has them (LevelDB), and
    // whether they are canonical JSON that an exporter may copy through.
    virtual std::string_view rawValue() const { return {}; }
    virtual bool rawIsCanonicalJson() const { return false; }
};
using RecordIteratorPtr = std::unique_ptr<RecordIterator>;

// An iterator that yields nothing but `error` (ok() for an empty iterator).
RecordIteratorPtr makeErrorIterator(Status error);
// An iterator over a fixed list (tests, imports).
RecordIteratorPtr makeVectorIterator(std::vector<Record> records);

// Receives records from a subscription, on the subscription's own worker thread, one call
// at a time, in global sequence order. A subscriber may call back into the store,
// including save(). It must outlive its subscription.
class Subscriber
{
public:
    virtual ~Subscriber() = default;
    virtual void accept(const Record &record) = 0;
    // The bounded buffer overflowed: `count` live records (global sequence numbers
    // firstMissed..lastMissed, with possible holes) were dropped for this subscriber.
    // Called on the worker thread, before the next record after the loss.
    virtual void missed(std::uint64_t count, std::uint64_t firstMissed, std::uint64_t lastMissed)
    {
        (void)count;
        (void)firstMissed;
        (void)lastMissed;
    }
};

// A live feed of new records. Saves hand records to the subscription's bounded buffer
// and never wait for a subscriber. Destroying a subscription stops it and waits for its
// worker. Thread-safe.
class Subscription
{
public:
    virtual ~Subscription() = default;
    // New records only. Fails with Cancelled if stopped (or its token fired) before.
    virtual Status start() = 0;
    // Records from global sequence number `from` (0 and 1 both mean all), then live, with
    // no gap, no duplicate and in order, even while saves continue during the catch-up.
    // Returns at once; catch-up runs on the worker thread.
    virtual Status startFrom(std::uint64_t from) = 0;
    // Idempotent; after stop() no further accept() begins.
    virtual void stop() = 0;
};

struct SaveResult
{
    std::uint64_t lastStreamSequenceNumber = 0;
    std::uint64_t lastGlobalSequenceNumber = 0;
};

// Hands Store::saveMany() the records of one save at a time (an import in append mode).
// Used by the one thread that called saveMany().
class SaveSource
{
public:
    virtual ~SaveSource() = default;
    // Fills `events` (empty on entry) with the records of the next save: one stream, at
    // least one record. False at the end of the input or on an error (then error()).
    virtual bool next(std::vector<EventRecord> &events) = 0;
    virtual Status error() const = 0;
};

struct SaveManyResult
{
    std::uint64_t records = 0;
    std::uint64_t saves = 0;
    std::uint64_t lastGlobalSequenceNumber = 0; // as before the call when nothing was saved
};

struct AggregateTypeInfo
{
    std::string aggregateType;
    std::uint64_t totalEvents = 0;
    friend bool operator==(const AggregateTypeInfo &, const AggregateTypeInfo &) = default;
};

struct StreamInfo
{
    std::string streamName;
    std::string aggregateType;
    std::string aggregateId;
    std::uint64_t totalEvents = 0;
    std::uint64_t lastGlobalSequenceNumber = 0;
    friend bool operator==(const StreamInfo &, const StreamInfo &) = default;
};

struct CheckReport
{
    bool consistent = true;
    std::uint64_t records = 0;          // stream records found
    std::uint64_t allEventsEntries = 0; // $all$ index entries
    std::uint64_t aggregateTypeEntries = 0;
    std::uint64_t streams = 0;
    std::uint64_t globalSequenceNumber = 0; // as stored under $gsn$
    std::vector<std::string> problems;      // each names the key; capped at 1000
};

// Called from the worker doing a long query with what is known so far.
// What a record table shows: every event, the events of some aggregate types merged in
// global order, or one stream.
struct Scope
{
    enum class Kind { AllEvents, AggregateTypes, Stream };
    Kind kind = Kind::AllEvents;
    std::vector<std::string> aggregateTypes; // Kind::AggregateTypes: one or more names
    std::string stream;                      // Kind::Stream: "type!id"

    static Scope allEvents() { return {}; }
    static Scope ofAggregateTypes(std::vector<std::string> types)
    {
        return {Kind::AggregateTypes, std::move(types), {}};
    }
    static Scope ofStream(std::string name) { return {Kind::Stream, {}, std::move(name)}; }
    friend bool operator==(const Scope &, const Scope &) = default;
};

// The row positions of a scope, so that any row is one seek away: row r (0-based, oldest
// first) is the (r % stride)-th record from the sequence number anchors[r / stride].
// Anchors are global sequence numbers, or stream sequence numbers for a stream scope.
struct ScopeIndex
{
    std::uint64_t rows = 0;
    std::uint32_t stride = 0;
    std::vector<std::uint64_t> anchors;
    std::uint64_t lastSequenceNumber = 0; // of the last row; 0 when empty
    bool complete = false;                // false in progress reports

    // Appends the next row, whose sequence number is `sequence` (stride must be set).
    void add(std::uint64_t sequence)
    {
        if (rows % stride == 0)
            anchors.push_back(sequence);
        ++rows;
        lastSequenceNumber = sequence;
    }
};
using ScopeIndexProgress = std::function<void(const ScopeIndex &partial)>;

using AggregateTypesProgress = std::function<void(const std::vector<AggregateTypeInfo> &partial)>;

// rangedb's Store (reference §1.6), plus what a browser needs.
//
// Every method is thread-safe. Writes (save, optimisticSave, optimisticDeleteStream,
// restore) are serialized; each is one atomic batch: it lands whole or not at all. Reads
// run on snapshots and never block writes. Methods taking a stop token return Cancelled
// (iterators end with it) once it fires.
class Store
{
public:
    virtual ~Store() = default;

    virtual Serializer serializer() const = 0;
    virtual bool isReadOnly() const = 0;

    // All events from global sequence number `from` (0 and 1 mean all), in global order.
    virtual RecordIteratorPtr events(std::uint64_t from, std::stop_token stop = {}) = 0;
    // Events of the given aggregate types, merged in global order; no type -> empty.
    // A type listed twice is listed once.
    virtual RecordIteratorPtr eventsByAggregateTypes(std::uint64_t from,
                                                     std::vector<std::string> aggregateTypes,
                                                     std::stop_token stop = {}) = 0;
    // One stream from stream sequence number `from`: exactly that stream (unlike
    // rangedb, "thing!A" never includes "thing!Ab"). A stream with no records ends with
    // StreamNotFound; a `from` past its end gives an empty iterator without error.
    virtual RecordIteratorPtr eventsByStream(std::uint64_t from, std::string_view streamName,
                                             std::stop_token stop = {}) = 0;

    // Appends records of one stream. Errors: MissingEvents, UnmatchedAggregateType,
    // UnmatchedAggregateId, InvalidArgument (forbidden names, invalid JSON), Cancelled,
    // EncodeError, ReadOnly, IoError. Nothing is written on error.
    virtual Result<SaveResult> save(std::span<const EventRecord> records, std::stop_token stop = {}) = 0;
    // As save(), but fails with UnexpectedSequenceNumber unless the stream's last stream
    // sequence number is `expected` (0 for a new stream).
    virtual Result<SaveResult> optimisticSave(std::uint64_t expected, std::span<const EventRecord> records,
                                              std::stop_token stop = {}) = 0;
    // Deletes exactly one stream if it holds `expected` records. StreamNotFound,
    // UnexpectedSequenceNumber{expected, actual count}, Cancelled, ReadOnly. The global
    // sequence number is never lowered. A failed delete leaves writes working.
    virtual Status optimisticDeleteStream(std::uint64_t expected, std::string_view streamName,
                                          std::stop_token stop = {}) = 0;
    // The stream's last stream sequence number; 0 for a missing stream.
    virtual Result<std::uint64_t> totalEventsInStream(std::string_view streamName,
                                                      std::stop_token stop = {}) = 0;

    // Writes records with their own numbers, event IDs and timestamps (an import in
    // restore mode). The store must be empty. Global sequence numbers must increase and
    // each stream must run 1, 2, 3, ...; otherwise InvalidArgument naming the record index.
    // The $gsn$ counter ends at the last record's global sequence number.
    // All or nothing: on any error the store is left as it was.
    virtual Status restore(RecordIterator &records, std::stop_token stop = {}) = 0;

    // Many saves as one: each batch `saves` hands over is saved with save()'s rules and
    // numbering (rangedb Save semantics), in order, while other writes wait. All or
    // nothing: when a save fails, the source reports an error or the token fires, every
    // record this call wrote is removed again and the $gsn$ counter is put back, so the
    // store is exactly as it was; the error names the save ("save 3") and the record in it.
    // Subscribers get the records only once the whole call succeeded. Memory stays bounded
    // on LevelDB (written in batches of a few MiB; the rollback reads the indexes back).
    virtual Result<SaveManyResult> saveMany(SaveSource &saves, std::stop_token stop = {}) = 0;

    virtual std::unique_ptr<Subscription> allEventsSubscription(std::size_t bufferSize, Subscriber *subscriber) = 0;
    virtual std::unique_ptr<Subscription> aggregateTypesSubscription(std::size_t bufferSize, Subscriber *subscriber,
                                                                     std::vector<std::string> aggregateTypes) = 0;

    // Browse queries.
    // Aggregate types, sorted by name (bytewise), with their event counts. `progress`, if
    // given, is called now and then with partial counts.
    virtual Result<std::vector<AggregateTypeInfo>> aggregateTypes(std::stop_token stop = {},
                                                                  const AggregateTypesProgress &progress = {}) = 0;
    // Streams of one aggregate type (all types when empty), sorted by stream name.
    virtual Result<std::vector<StreamInfo>> streams(std::string_view aggregateType, std::stop_token stop = {}) = 0;
    // Counts the records of `scope` and keeps an anchor every `stride` rows (stride >= 1),
    // reading keys only where the store can. `progress`, if given, is called now and then
    // with the rows found so far (complete = false); partial anchors are final.
    virtual Result<ScopeIndex> scopeIndex(const Scope &scope, std::uint32_t stride, std::stop_token stop = {},
                                          const ScopeIndexProgress &progress = {});
    // The last global sequence number handed out (the $gsn$ counter; deletes never lower it).
    virtual Result<std::uint64_t> lastGlobalSequenceNumber() = 0;
    virtual Result<std::uint64_t> totalEvents(std::stop_token stop = {}) = 0;
    // Every index entry resolves, every record is indexed under $all$ and its type, stream
    // sequence numbers run 1..n, $gsn$ >= every global sequence number.
    virtual Result<CheckReport> check(std::stop_token stop = {}) = 0;
};

// The records of `scope` from sequence number `from` (global, or stream for a stream scope).
RecordIteratorPtr scopeEvents(Store &store, const Scope &scope, std::uint64_t from, std::stop_token stop = {});

// Injectable clock and event-ID source (tests use sequential ones).
struct StoreHooks
{
    // Unix seconds; default: the system clock.
    std::function<std::uint64_t()> clock;
    // 32 lowercase hex chars; default: random UUIDv4 without hyphens.
    std::function<std::string()> newEventId;
};

// A random UUIDv4 as 32 lowercase hex characters (rangedb's shortuuid). Thread-safe.
std::string newShortUuid();

} // namespace rangedb
