#include "rangedb/leveldbstore.h"

#include "rangedb/json.h"
#include "keys.h"
#include "preadenv.h"
#include "readonlyenv.h"
#include "savebatch.h"
#include "subscriptionhub.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>
#include <unordered_map>

namespace rangedb {

namespace {

namespace fs = std::filesystem;

// LevelDB allows one open handle per folder and process; POSIX record locks are per
// process too, so a second handle in this process would not be refused by the lock and
// closing it would drop the first one's lock. Hence this registry.
std::mutex g_openPathsMutex;
std::set<std::string> g_openPaths; // GUARDED_BY(g_openPathsMutex)

std::uint64_t systemClockSeconds()
{
    using namespace std::chrono;
    return std::uint64_t(duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
}

Status fromLevelDb(const leveldb::Status &s, const std::string &what)
{
    if (s.ok())
        return {};
    if (s.IsCorruption())
        return Status::error(ErrorCode::Corruption, what + ": " + s.ToString());
    if (s.IsNotFound())
        return Status::error(ErrorCode::NotFound, what + ": " + s.ToString());
    return Status::error(ErrorCode::IoError, what + ": " + s.ToString());
}

// Checksums are verified on every read: a damaged table is reported as corruption
// instead of being decoded as garbage (CRC32C costs little next to snappy).
leveldb::ReadOptions readOptions()
{
    leveldb::ReadOptions o;
    o.verify_checksums = true;
    return o;
}

std::string upperBound(std::string prefix)
{
    // The smallest key greater than every key with this prefix.
    while (!prefix.empty()) {
        auto &last = reinterpret_cast<unsigned char &>(prefix.back());
        if (last != 0xff) {
            ++last;
            return prefix;
        }
        prefix.pop_back();
    }
    return prefix; // empty: no bound
}

} // namespace

class LevelDbStore::Impl
{
public:
    ~Impl()
    {
        hub.closeAll();
        db.reset();
        std::lock_guard lock(g_openPathsMutex);
        g_openPaths.erase(canonicalPath);
    }

    // A snapshot plus read options over it; released with the owning iterator.
    struct Snapshot
    {
        explicit Snapshot(leveldb::DB *database) : db(database), snapshot(database->GetSnapshot()) {}
        ~Snapshot() { db->ReleaseSnapshot(snapshot); }
        leveldb::ReadOptions options(bool fillCache) const
        {
            leveldb::ReadOptions o = readOptions();
            o.snapshot = snapshot;
            o.fill_cache = fillCache;
            return o;
        }
        leveldb::DB *db;
        const leveldb::Snapshot *snapshot;
    };

    Status decodeValue(std::string_view key, std::string_view value, Record &record, bool *canonical) const
    {
        Status s = codec::decode(value, record, canonical);
        if (!s.ok())
            return s.withContext("record at key " + keys::printable(key));
        return {};
    }

    // The last stream sequence number of `stream` in the database (not the cache).
    Result<std::uint64_t> readStreamHead(std::string_view stream, const leveldb::ReadOptions &options) const
    {
        const std::string prefix = keys::streamPrefix(stream);
        std::unique_ptr<leveldb::Iterator> it(db->NewIterator(options));
        const std::string bound = upperBound(prefix);
        it->Seek(bound);
        if (it->Valid())
            it->Prev();
        else
            it->SeekToLast();
        // Keys of longer IDs sharing the prefix (IDs with '!') are skipped.
        for (; it->Valid(); it->Prev()) {
            const std::string_view key(it->key().data(), it->key().size());
            if (key.substr(0, prefix.size()) != prefix)
                break;
            if (key.size() == prefix.size() + 8)
                return keys::readBigEndian64(key.substr(prefix.size()));
        }
        if (!it->status().ok())
            return fromLevelDb(it->status(), "reading stream " + std::string(stream));
        return std::uint64_t(0);
    }

    Result<std::uint64_t> cachedStreamHead(const std::string &stream) // requires writeMutex
    {
        if (auto it = streamHeads.find(stream); it != streamHeads.end())
            return it->second;
        auto head = readStreamHead(stream, readOptions());
        if (!head.ok())
            return head;
        if (streamHeads.size() >= kMaxCachedStreams)
            streamHeads.clear();
        streamHeads.emplace(stream, head.value());
        return head;
    }

    Result<SaveResult> save(const std::uint64_t *expected, std::span<const EventRecord> events, std::stop_token stop);
    // One save's records, numbered after `globalSequence` and the stream's cached head,
    // put into `batch`; `stream` gets the stream's name. Nothing is committed: the caller
    // writes the batch and then advances globalSequence and streamHeads. Requires writeMutex.
    Result<std::vector<Record>> buildSave(const std::uint64_t *expected, std::span<const EventRecord> events,
                                          const std::stop_token &stop, leveldb::WriteBatch &batch,
                                          std::string &stream);
    // Removes every record with a global sequence number above `before` (through the
    // $all$ index) and puts $gsn$ back to `gsnValue` (deletes it when `hadGsn` is false).
    // Requires writeMutex, held since those records were written.
    Status undoAppend(std::uint64_t before, bool hadGsn, const std::string &gsnValue);

    leveldb::WriteOptions writeOptions() const
    {
        leveldb::WriteOptions o;
        o.sync = durable;
        return o;
    }

    static constexpr std::size_t kMaxCachedStreams = 1'000'000;

    std::string path;
    std::string canonicalPath;
    Serializer serializer = Serializer::Json;
    bool readOnly = false;
    bool durable = false;
    StoreHooks hooks;

    std::unique_ptr<detail::ReadOnlyEnv> readOnlyEnv;
    std::unique_ptr<leveldb::Logger> nullLogger;
    std::unique_ptr<const leveldb::FilterPolicy> filterPolicy;
    std::unique_ptr<leveldb::Cache> blockCache;
    std::unique_ptr<leveldb::DB> db;

    std::mutex writeMutex;
    std::uint64_t globalSequence = 0;                        // GUARDED_BY(writeMutex)
    std::unordered_map<std::string, std::uint64_t> streamHeads; // GUARDED_BY(writeMutex)

    detail::SubscriptionHub hub;
};

namespace {

using Impl = LevelDbStore::Impl;

// Walks one index prefix ($all$! or $type$!) from a global sequence number, without
// fetching records: the merge compares index keys and fetches only what it emits.
class IndexCursor
{
public:
    IndexCursor(leveldb::DB *db, const leveldb::ReadOptions &options, std::string prefix, std::uint64_t from)
        : m_prefix(std::move(prefix)), m_it(db->NewIterator(options))
    {
        std::string start = m_prefix;
        keys::appendBigEndian64(start, from);
        m_it->Seek(start);
        settle();
    }

    bool valid() const { return m_valid; }
    std::uint64_t globalSequence() const { return m_globalSequence; }
    std::string_view indexKey() const { return {m_it->key().data(), m_it->key().size()}; }
    std::string_view target() const { return {m_it->value().data(), m_it->value().size()}; }
    leveldb::Status status() const { return m_it->status(); }

    void advance()
    {
        m_it->Next();
        settle();
    }

private:
    void settle()
    {
        // Skip keys that share the prefix but belong to a longer name ("$a$!x$!…").
        for (; m_it->Valid(); m_it->Next()) {
            const std::string_view key(m_it->key().data(), m_it->key().size());
            if (key.substr(0, m_prefix.size()) != m_prefix)
                break;
            if (key.size() == m_prefix.size() + 8) {
                m_globalSequence = keys::readBigEndian64(key.substr(m_prefix.size()));
                m_valid = true;
                return;
            }
        }
        m_valid = false;
    }

    std::string m_prefix;
    std::unique_ptr<leveldb::Iterator> m_it;
    bool m_valid = false;
    std::uint64_t m_globalSequence = 0;
};

// The cursor whose entry comes first in global order (merging several index prefixes);
// null when all are done. A cursor that stopped on an error sets *error instead.
IndexCursor *earliestCursor(const std::vector<std::unique_ptr<IndexCursor>> &cursors, leveldb::Status *error)
{
    IndexCursor *best = nullptr;
    for (const auto &cursor : cursors) {
        if (!cursor->valid()) {
            if (!cursor->status().ok()) {
                *error = cursor->status();
                return nullptr;
            }
            continue;
        }
        if (!best || cursor->globalSequence() < best->globalSequence())
            best = cursor.get();
    }
    return best;
}

// Finds the records that index entries point to, all through one snapshot.
//
// A Get walks the memtable and every level, about 1 us each; in global order, though,
// the next event of a stream is nearly always the key right after that stream's previous
// one. So a stream whose records are asked for one after the other gets a LevelDB
// iterator of its own, left on its last record: its next record is one Next(), a few
// times cheaper than a Get. The first record of a stream is read with a Get (a stream
// read once, or thrown out before it came back, never pays for a cursor), so a scan over
// more interleaved streams than kSlots costs what Gets cost. Keys that are not
// "<stream>" + 8 bytes go through Get as well.
class RecordLocator
{
public:
    RecordLocator(leveldb::DB *db, const leveldb::ReadOptions &cursorOptions, const leveldb::ReadOptions &getOptions)
        : m_db(db), m_cursorOptions(cursorOptions), m_getOptions(getOptions)
    {
    }

    // The stored value at `key` (NotFound when there is none). `value` stays valid until
    // the next call.
    leveldb::Status find(std::string_view key, std::string_view &value)
    {
        if (key.size() <= 8)
            return get(key, value);
        const std::string_view stream = key.substr(0, key.size() - 8);
        const std::uint64_t sequence = keys::readBigEndian64(key.substr(key.size() - 8));
        const auto found = m_index.find(stream);
        if (found == m_index.end()) {
            admit(stream).lastSequence = sequence;
            return get(key, value);
        }
        Slot &slot = m_slots[found->second];
        slot.referenced = true;
        const bool following = sequence == slot.lastSequence + 1;
        slot.lastSequence = sequence;
        if (!following) {
            slot.positioned = false;
            return get(key, value);
        }
        const leveldb::Slice target(key.data(), key.size());
        if (slot.positioned) {
            slot.cursor->Next();
            if (slot.cursor->Valid() && slot.cursor->key() == target) {
                value = view(slot.cursor->value());
                return leveldb::Status::OK();
            }
        }
        // The stream's second record in a row (or its cursor lost its place): seek.
        if (!slot.cursor)
            slot.cursor.reset(m_db->NewIterator(m_cursorOptions));
        slot.cursor->Seek(target);
        slot.positioned = slot.cursor->Valid() && slot.cursor->key() == target;
        if (slot.positioned) {
            value = view(slot.cursor->value());
            return leveldb::Status::OK();
        }
        if (!slot.cursor->status().ok())
            return slot.cursor->status();
        return leveldb::Status::NotFound(target);
    }

private:
    struct Slot
    {
        std::string stream; // the key less its 8-byte sequence number
        std::uint64_t lastSequence = 0;
        std::unique_ptr<leveldb::Iterator> cursor; // created on the stream's second record in a row
        bool positioned = false;                   // cursor is on stream + lastSequence
        bool referenced = false;                   // the clock's second chance
    };
    // Enough for the streams a global-order scan usually interleaves; each cursor pins a
    // block per level, so a few tens of KB at most.
    static constexpr std::size_t kSlots = 1024;

    static std::string_view view(const leveldb::Slice &slice) { return {slice.data(), slice.size()}; }

    leveldb::Status get(std::string_view key, std::string_view &value)
    {
        leveldb::Status s = m_db->Get(m_getOptions, leveldb::Slice(key.data(), key.size()), &m_buffer);
        value = m_buffer;
        return s;
    }

    // A slot for a stream not tracked yet: a new one, or (clock eviction) the first one not
    // used since the hand last passed it, keeping its cursor for reuse. A scan over more
    // interleaved streams than kSlots comes here for every record, so an evicted slot's map
    // node is reused rather than freed and allocated again.
    Slot &admit(std::string_view stream)
    {
        if (m_slots.size() < kSlots) {
            if (m_slots.empty())
                m_slots.reserve(kSlots); // the map's keys view the slots' strings: no moves
            const auto index = std::uint32_t(m_slots.size());
            Slot &slot = m_slots.emplace_back();
            slot.stream.assign(stream);
            m_index.emplace(slot.stream, index);
            return slot;
        }
        while (m_slots[m_hand].referenced) {
            m_slots[m_hand].referenced = false;
            m_hand = (m_hand + 1) % kSlots;
        }
        const auto index = std::uint32_t(m_hand);
        m_hand = (m_hand + 1) % kSlots;
        Slot &slot = m_slots[index];
        auto node = m_index.extract(std::string_view(slot.stream));
        slot.stream.assign(stream);
        slot.positioned = false;
        node.key() = slot.stream;
        m_index.insert(std::move(node));
        return slot;
    }

    leveldb::DB *m_db;
    leveldb::ReadOptions m_cursorOptions;
    leveldb::ReadOptions m_getOptions;
    std::vector<Slot> m_slots;
    std::unordered_map<std::string_view, std::uint32_t> m_index; // keys view m_slots[i].stream
    std::size_t m_hand = 0;
    std::string m_buffer;
};

// Base of the LevelDB iterators: a snapshot, the current record and a sticky error.
class SnapshotIterator : public RecordIterator
{
public:
    SnapshotIterator(Impl *store, std::stop_token stop)
        : m_store(store), m_snapshot(store->db.get()), m_stop(std::move(stop))
    {
    }

    const Record *record() const override { return m_hasRecord ? &m_record : nullptr; }
    const Status &error() const override { return m_error; }
    std::string_view rawValue() const override { return m_hasRecord ? m_raw : std::string_view(); }
    bool rawIsCanonicalJson() const override { return m_hasRecord && m_canonical; }

protected:
    bool fail(Status error)
    {
        m_hasRecord = false;
        m_error = std::move(error);
        return false;
    }
    bool end()
    {
        m_hasRecord = false;
        return false;
    }
    bool cancelled() const { return m_stop.stop_requested(); }

    // Decodes the value at `key`, which the subclass keeps alive until its next step.
    bool decode(std::string_view key, std::string_view value)
    {
        m_raw = value;
        Status d = m_store->decodeValue(key, m_raw, m_record, &m_canonical);
        if (!d.ok())
            return fail(std::move(d));
        m_hasRecord = true;
        return true;
    }

    Impl *m_store;
    Impl::Snapshot m_snapshot;
    std::stop_token m_stop;
    Record m_record;
    std::string_view m_raw; // into LevelDB's block or the locator's buffer
    bool m_canonical = false;
    bool m_hasRecord = false;
    Status m_error;
};

// Events by global sequence number over one or more index prefixes, merged in order.
class IndexIterator final : public SnapshotIterator
{
public:
    IndexIterator(Impl *store, std::vector<std::string> prefixes, std::uint64_t from, std::stop_token stop)
        : SnapshotIterator(store, std::move(stop))
        , m_locator(store->db.get(), m_snapshot.options(false), m_snapshot.options(true))
        , m_from(from)
    {
        const auto options = m_snapshot.options(false);
        for (auto &prefix : prefixes)
            m_cursors.push_back(std::make_unique<IndexCursor>(store->db.get(), options, std::move(prefix), from));
    }

    bool next() override
    {
        if (!m_error.ok())
            return false;
        if (cancelled())
            return fail(Status::cancelled());
        if (m_pending) {
            m_pending->advance();
            m_pending = nullptr;
        }
        leveldb::Status scanError;
        IndexCursor *best = earliestCursor(m_cursors, &scanError);
        if (!scanError.ok())
            return fail(fromLevelDb(scanError, "scanning index"));
        if (!best)
            return end();
        m_pending = best;
        if (!fetch(best->indexKey(), best->target()))
            return false;
        if (m_record.globalSequenceNumber < m_from)
            return next(); // a safety net, as in rangedb: never yield below `from`
        return true;
    }

private:
    // Fetches the record an index entry points to.
    bool fetch(std::string_view indexKey, std::string_view streamKey)
    {
        std::string_view value;
        leveldb::Status s = m_locator.find(streamKey, value);
        if (s.IsNotFound()) {
            return fail(Status::error(ErrorCode::NotFound,
                                      "unable to find lookup record " + keys::printable(streamKey) + " for "
                                          + keys::printable(indexKey) + ": leveldb: not found"));
        }
        if (!s.ok())
            return fail(fromLevelDb(s, "reading " + keys::printable(streamKey)));
        return decode(streamKey, value);
    }

    RecordLocator m_locator;
    std::vector<std::unique_ptr<IndexCursor>> m_cursors;
    IndexCursor *m_pending = nullptr;
    std::uint64_t m_from;
};

// One stream, exactly: keys "<stream>!" + 8 bytes, from a stream sequence number.
class StreamIterator final : public SnapshotIterator
{
public:
    StreamIterator(Impl *store, std::string_view stream, std::uint64_t from, std::stop_token stop)
        : SnapshotIterator(store, std::move(stop))
        , m_prefix(keys::streamPrefix(stream))
        , m_it(store->db->NewIterator(m_snapshot.options(false)))
        , m_from(from)
    {
    }

    bool next() override
    {
        if (!m_error.ok())
            return false;
        if (cancelled())
            return fail(Status::cancelled());
        if (!m_started) {
            m_started = true;
            // Does the stream exist at all? (rangedb: StreamNotFound only when nothing matched.)
            m_it->Seek(m_prefix);
            if (!settle()) {
                if (!m_it->status().ok())
                    return fail(fromLevelDb(m_it->status(), "reading stream"));
                return fail(Status::streamNotFound());
            }
            if (m_from > 1) {
                m_it->Seek(keys::streamKey(std::string_view(m_prefix).substr(0, m_prefix.size() - 1), m_from));
                if (!settle())
                    return end();
            }
        } else {
            m_it->Next();
            if (!settle()) {
                if (!m_it->status().ok())
                    return fail(fromLevelDb(m_it->status(), "reading stream"));
                return end();
            }
        }
        // The value stays in m_it's block until the next step.
        return decode({m_it->key().data(), m_it->key().size()}, {m_it->value().data(), m_it->value().size()});
    }

private:
    bool settle()
    {
        for (; m_it->Valid(); m_it->Next()) {
            const std::string_view key(m_it->key().data(), m_it->key().size());
            if (key.substr(0, m_prefix.size()) != m_prefix)
                return false;
            if (key.size() == m_prefix.size() + 8)
                return true;
        }
        return false;
    }

    std::string m_prefix;
    std::unique_ptr<leveldb::Iterator> m_it;
    std::uint64_t m_from;
    bool m_started = false;
};

} // namespace

Result<SaveResult> LevelDbStore::Impl::save(const std::uint64_t *expected, std::span<const EventRecord> events,
                                            std::stop_token stop)
{
    if (readOnly)
        return Status::error(ErrorCode::ReadOnly, "database " + path + " is open read-only");
    if (events.empty())
        return Status::error(ErrorCode::MissingEvents, "missing events");

    std::lock_guard lock(writeMutex);
    leveldb::WriteBatch batch;
    std::string stream;
    auto built = buildSave(expected, events, stop, batch, stream);
    if (!built.ok())
        return built.status();
    std::vector<Record> records = std::move(built).value();
    const std::uint64_t nextGlobal = records.back().globalSequenceNumber;
    const std::uint64_t current = records.back().streamSequenceNumber;

    if (leveldb::Status s = db->Write(writeOptions(), &batch); !s.ok())
        return fromLevelDb(s, "saving to " + path);
    globalSequence = nextGlobal;
    streamHeads[stream] = current;
    // Still under the write lock: subscribers see records in global order.
    hub.publish(records);
    return SaveResult{current, nextGlobal};
}

Result<std::vector<Record>> LevelDbStore::Impl::buildSave(const std::uint64_t *expected,
                                                          std::span<const EventRecord> events,
                                                          const std::stop_token &stop, leveldb::WriteBatch &batch,
                                                          std::string &stream)
{
    const EventRecord &first = events.front();
    // The stream is named by the first record; buildSaveRecords checks every record.
    if (Status s = validateAggregateType(first.aggregateType); !s.ok())
        return s.withContext("record 1");
    if (Status s = validateAggregateId(first.aggregateId); !s.ok())
        return s.withContext("record 1");
    stream = streamName(first.aggregateType, first.aggregateId);

    auto head = cachedStreamHead(stream);
    if (!head.ok())
        return head.status();

    auto built = detail::buildSaveRecords(events, expected, head.value(), globalSequence, hooks, stop);
    if (!built.ok())
        return built.status();
    std::vector<Record> records = std::move(built).value();
    std::string value, streamKey;
    for (std::size_t i = 0; i < records.size(); ++i) {
        Record &record = records[i];
        value.clear();
        if (Status s = detail::encodeForStorage(serializer, record, value); !s.ok())
            return s.withContext("record " + std::to_string(i + 1));
        streamKey = keys::streamKey(stream, record.streamSequenceNumber);
        batch.Put(keys::kGlobalSequence.data(), keys::bigEndian64(record.globalSequenceNumber));
        batch.Put(streamKey, value);
        batch.Put(keys::aggregateTypeKey(record.aggregateType, record.globalSequenceNumber), streamKey);
        batch.Put(keys::allEventsKey(record.globalSequenceNumber), streamKey);
    }
    return records;
}

// ---------------------------------------------------------------------------------------

bool looksLikeDatabase(const std::string &path)
{
    std::error_code ec;
    return fs::is_directory(path, ec) && fs::is_regular_file(fs::path(path) / "CURRENT", ec);
}

Result<std::unique_ptr<LevelDbStore>> LevelDbStore::open(const std::string &path, const LevelDbOptions &options)
{
    std::error_code ec;
    const bool exists = fs::exists(path, ec);
    if (exists && !fs::is_directory(path, ec)) {
        return Status::error(ErrorCode::InvalidArgument,
                             "failed opening db: " + path + " is not a directory");
    }
    const bool mustExist = options.readOnly || !options.createIfMissing;
    if (mustExist && !exists)
        return Status::error(ErrorCode::NotADatabase, path + " does not exist");
    if (mustExist && !looksLikeDatabase(path)) {
        return Status::error(ErrorCode::NotADatabase,
                             path + " is not a rangedb database (no LevelDB CURRENT file)");
    }
    if (!exists) {
        fs::create_directories(path, ec);
        if (ec)
            return Status::error(ErrorCode::IoError, "cannot create " + path + ": " + ec.message());
    }

    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->canonicalPath = fs::weakly_canonical(path, ec).string();
    if (impl->canonicalPath.empty())
        impl->canonicalPath = path;
    {
        std::lock_guard lock(g_openPathsMutex);
        if (!g_openPaths.insert(impl->canonicalPath).second) {
            return Status::error(ErrorCode::DatabaseLocked,
                                 "database " + path + " is already open in this program");
        }
    }
    // From here the destructor of impl releases the registry entry.
    impl->readOnly = options.readOnly;
    impl->durable = options.durable;
    impl->hooks = options.hooks;
    if (!impl->hooks.clock)
        impl->hooks.clock = systemClockSeconds;
    if (!impl->hooks.newEventId)
        impl->hooks.newEventId = newShortUuid;

    leveldb::Options dbOptions;
    dbOptions.create_if_missing = options.createIfMissing && !options.readOnly;
    dbOptions.paranoid_checks = true;
    impl->blockCache.reset(leveldb::NewLRUCache(options.blockCacheBytes));
    dbOptions.block_cache = impl->blockCache.get();
    // A bloom filter makes the index-to-record Get cheap on large stores; goleveldb
    // ignores filter blocks it does not know, so rangedb still reads our tables.
    impl->filterPolicy.reset(leveldb::NewBloomFilterPolicy(10));
    dbOptions.filter_policy = impl->filterPolicy.get();
    dbOptions.write_buffer_size = 16u << 20;
    dbOptions.max_file_size = 8u << 20;
    if (!options.mapTableFiles)
        dbOptions.env = detail::PreadEnv::instance();
    if (options.readOnly) {
        impl->readOnlyEnv = std::make_unique<detail::ReadOnlyEnv>(
            options.mapTableFiles ? leveldb::Env::Default() : detail::PreadEnv::instance());
        impl->nullLogger.reset(detail::newNullLogger());
        dbOptions.env = impl->readOnlyEnv.get();
        dbOptions.info_log = impl->nullLogger.get();
    }

    leveldb::DB *raw = nullptr;
    leveldb::Status s = leveldb::DB::Open(dbOptions, path, &raw);
    if (!s.ok()) {
        const std::string text = s.ToString();
        if (s.IsIOError() && text.find("lock") != std::string::npos) {
            return Status::error(ErrorCode::DatabaseLocked,
                                 "database " + path + " is in use by another process (" + text + ")");
        }
        if (s.IsCorruption())
            return Status::error(ErrorCode::Corruption, "database " + path + " is corrupted: " + text);
        if (s.IsInvalidArgument())
            return Status::error(ErrorCode::NotADatabase, path + " is not a rangedb database: " + text);
        return Status::error(ErrorCode::IoError, "failed opening db " + path + ": " + text);
    }
    impl->db.reset(raw);
    if (impl->readOnlyEnv)
        impl->readOnlyEnv->freeze();

    // The counter, and the serializer the existing records use.
    std::string value;
    s = impl->db->Get(readOptions(), leveldb::Slice(keys::kGlobalSequence.data(), keys::kGlobalSequence.size()),
                      &value);
    if (s.ok())
        impl->globalSequence = keys::readBigEndian64(value);
    else if (!s.IsNotFound())
        return fromLevelDb(s, "reading $gsn$ in " + path);

    impl->serializer = options.serializer;
    {
        std::unique_ptr<leveldb::Iterator> it(impl->db->NewIterator(readOptions()));
        it->Seek(leveldb::Slice(keys::kAllEventsPrefix.data(), keys::kAllEventsPrefix.size()));
        if (it->Valid() && it->key().starts_with(leveldb::Slice(keys::kAllEventsPrefix.data(), keys::kAllEventsPrefix.size()))) {
            std::string record;
            if (impl->db->Get(readOptions(), it->value(), &record).ok()) {
                if (auto detected = codec::detect(record); detected.ok())
                    impl->serializer = detected.value();
            }
        }
    }
    return std::unique_ptr<LevelDbStore>(new LevelDbStore(std::move(impl)));
}

LevelDbStore::LevelDbStore(std::unique_ptr<Impl> impl) : d(std::move(impl)) {}

LevelDbStore::~LevelDbStore() = default;

const std::string &LevelDbStore::path() const
{
    return d->path;
}

Serializer LevelDbStore::serializer() const
{
    return d->serializer;
}

bool LevelDbStore::isReadOnly() const
{
    return d->readOnly;
}

RecordIteratorPtr LevelDbStore::events(std::uint64_t from, std::stop_token stop)
{
    return std::make_unique<IndexIterator>(d.get(), std::vector<std::string>{std::string(keys::kAllEventsPrefix)}, from,
                                           std::move(stop));
}

RecordIteratorPtr LevelDbStore::eventsByAggregateTypes(std::uint64_t from, std::vector<std::string> aggregateTypes,
                                                       std::stop_token stop)
{
    std::sort(aggregateTypes.begin(), aggregateTypes.end());
    aggregateTypes.erase(std::unique(aggregateTypes.begin(), aggregateTypes.end()), aggregateTypes.end());
    std::vector<std::string> prefixes;
    for (const auto &type : aggregateTypes)
        prefixes.push_back(keys::aggregateTypePrefix(type));
    return std::make_unique<IndexIterator>(d.get(), std::move(prefixes), from, std::move(stop));
}

RecordIteratorPtr LevelDbStore::eventsByStream(std::uint64_t from, std::string_view streamName, std::stop_token stop)
{
    return std::make_unique<StreamIterator>(d.get(), streamName, from, std::move(stop));
}

Result<SaveResult> LevelDbStore::save(std::span<const EventRecord> records, std::stop_token stop)
{
    return d->save(nullptr, records, std::move(stop));
}

Result<SaveResult> LevelDbStore::optimisticSave(std::uint64_t expected, std::span<const EventRecord> records,
                                                std::stop_token stop)
{
    return d->save(&expected, records, std::move(stop));
}

Status LevelDbStore::optimisticDeleteStream(std::uint64_t expected, std::string_view streamName, std::stop_token stop)
{
    if (stop.stop_requested())
        return Status::cancelled();
    if (d->readOnly)
        return Status::error(ErrorCode::ReadOnly, "database " + d->path + " is open read-only");

    std::lock_guard lock(d->writeMutex);
    const std::string prefix = keys::streamPrefix(streamName);
    leveldb::WriteBatch batch;
    std::uint64_t count = 0;
    std::unique_ptr<leveldb::Iterator> it(d->db->NewIterator(readOptions()));
    Record record;
    for (it->Seek(prefix); it->Valid(); it->Next()) {
        const std::string_view key(it->key().data(), it->key().size());
        if (key.substr(0, prefix.size()) != prefix)
            break;
        if (key.size() != prefix.size() + 8)
            continue; // another stream whose ID continues with '!'
        if (Status s = d->decodeValue(key, std::string_view(it->value().data(), it->value().size()), record, nullptr);
            !s.ok()) {
            return s;
        }
        ++count;
        batch.Delete(it->key());
        batch.Delete(keys::aggregateTypeKey(record.aggregateType, record.globalSequenceNumber));
        batch.Delete(keys::allEventsKey(record.globalSequenceNumber));
    }
    if (!it->status().ok())
        return fromLevelDb(it->status(), "reading stream " + std::string(streamName));
    if (count == 0)
        return Status::streamNotFound();
    if (count != expected)
        return Status::unexpectedSequenceNumber(expected, count);
    if (leveldb::Status s = d->db->Write(d->writeOptions(), &batch); !s.ok())
        return fromLevelDb(s, "deleting stream " + std::string(streamName));
    d->streamHeads[std::string(streamName)] = 0;
    return {};
}

Result<std::uint64_t> LevelDbStore::totalEventsInStream(std::string_view streamName, std::stop_token stop)
{
    if (stop.stop_requested())
        return Status::cancelled();
    return d->readStreamHead(streamName, readOptions());
}

Status LevelDbStore::restore(RecordIterator &records, std::stop_token stop)
{
    if (d->readOnly)
        return Status::error(ErrorCode::ReadOnly, "database " + d->path + " is open read-only");
    std::lock_guard lock(d->writeMutex);
    {
        std::unique_ptr<leveldb::Iterator> it(d->db->NewIterator(readOptions()));
        it->SeekToFirst();
        if (it->Valid() || d->globalSequence != 0)
            return Status::error(ErrorCode::InvalidArgument, "restore needs an empty database; " + d->path + " is not");
    }

    // Written in batches to bound memory; on any failure everything written is removed
    // again, which for a store that was empty is exactly "as before".
    auto rollback = [this] {
        std::unique_ptr<leveldb::Iterator> it(d->db->NewIterator(readOptions()));
        leveldb::WriteBatch batch;
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            batch.Delete(it->key());
            if (batch.ApproximateSize() > (4u << 20)) {
                (void)d->db->Write(leveldb::WriteOptions(), &batch);
                batch.Clear();
            }
        }
        (void)d->db->Write(d->writeOptions(), &batch);
        d->streamHeads.clear();
        d->globalSequence = 0;
    };

    detail::RestoreChecker checker;
    std::vector<Record> pending;
    leveldb::WriteBatch batch;
    std::uint64_t lastGlobal = 0;
    std::string value;
    Status failure;

    auto flush = [&]() -> Status {
        if (pending.empty())
            return {};
        batch.Put(keys::kGlobalSequence.data(), keys::bigEndian64(lastGlobal));
        if (leveldb::Status s = d->db->Write(d->writeOptions(), &batch); !s.ok())
            return fromLevelDb(s, "restoring into " + d->path);
        batch.Clear();
        pending.clear();
        return {};
    };

    while (records.next()) {
        if (stop.stop_requested()) {
            failure = Status::cancelled();
            break;
        }
        Record record = *records.record();
        if (failure = checker.check(record); !failure.ok())
            break;
        lastGlobal = record.globalSequenceNumber;
        value.clear();
        if (Status s = detail::encodeForStorage(d->serializer, record, value); !s.ok()) {
            failure = s.withContext(checker.label());
            break;
        }
        const std::string streamKey = keys::streamKey(record.streamName(), record.streamSequenceNumber);
        batch.Put(streamKey, value);
        batch.Put(keys::aggregateTypeKey(record.aggregateType, record.globalSequenceNumber), streamKey);
        batch.Put(keys::allEventsKey(record.globalSequenceNumber), streamKey);
        pending.push_back(std::move(record));
        if (pending.size() >= 10000) {
            if (failure = flush(); !failure.ok())
                break;
        }
    }
    if (failure.ok() && !records.error().ok())
        failure = records.error();
    if (failure.ok())
        failure = flush();
    if (!failure.ok()) {
        rollback();
        return failure;
    }
    d->globalSequence = lastGlobal;
    d->streamHeads.clear();
    // Subscribers hear of the records only once all of them are in: a restore that fails
    // halfway must not show them records that are removed again. They are read back in
    // batches rather than kept, so memory stays bounded whatever the size of the restore;
    // the write lock keeps later saves behind them.
    if (d->hub.hasSubscriptions()) {
        auto restored = events(0);
        std::vector<Record> published;
        while (restored->next()) {
            published.push_back(*restored->record());
            if (published.size() >= 10000) {
                d->hub.publish(published);
                published.clear();
            }
        }
        d->hub.publish(published);
    }
    return {};
}

Status LevelDbStore::Impl::undoAppend(std::uint64_t before, bool hadGsn, const std::string &gsnValue)
{
    // Under the write lock since the first of those records was written, so everything
    // above `before` in $all$ is ours. The aggregate type is the stream key up to its
    // first '!': saved types never contain one.
    std::unique_ptr<leveldb::Iterator> it(db->NewIterator(readOptions()));
    leveldb::WriteBatch batch;
    for (it->Seek(keys::allEventsKey(before + 1)); it->Valid(); it->Next()) {
        const std::string_view key(it->key().data(), it->key().size());
        if (!keys::isExactEntry(key, keys::kAllEventsPrefix))
            break;
        const std::string_view streamKey(it->value().data(), it->value().size());
        const std::string_view type = streamKey.substr(0, streamKey.find('!'));
        batch.Delete(it->key());
        batch.Delete(leveldb::Slice(streamKey.data(), streamKey.size()));
        batch.Delete(keys::aggregateTypeKey(type, keys::readBigEndian64(key.substr(key.size() - 8))));
        if (batch.ApproximateSize() > (4u << 20)) {
            if (leveldb::Status s = db->Write(leveldb::WriteOptions(), &batch); !s.ok())
                return fromLevelDb(s, "undoing the saves in " + path);
            batch.Clear();
        }
    }
    if (!it->status().ok())
        return fromLevelDb(it->status(), "undoing the saves in " + path);
    if (hadGsn)
        batch.Put(keys::kGlobalSequence.data(), gsnValue);
    else
        batch.Delete(keys::kGlobalSequence.data());
    if (leveldb::Status s = db->Write(writeOptions(), &batch); !s.ok())
        return fromLevelDb(s, "undoing the saves in " + path);
    globalSequence = before;
    streamHeads.clear();
    return {};
}

Result<SaveManyResult> LevelDbStore::saveMany(SaveSource &saves, std::stop_token stop)
{
    if (d->readOnly)
        return Status::error(ErrorCode::ReadOnly, "database " + d->path + " is open read-only");
    std::lock_guard lock(d->writeMutex);
    const std::uint64_t before = d->globalSequence;
    std::string gsnBefore;
    const leveldb::Status gsnRead = d->db->Get(readOptions(), keys::kGlobalSequence.data(), &gsnBefore);
    if (!gsnRead.ok() && !gsnRead.IsNotFound())
        return fromLevelDb(gsnRead, "reading $gsn$ in " + d->path);

    SaveManyResult result;
    result.lastGlobalSequenceNumber = before;
    leveldb::WriteBatch batch;
    std::vector<EventRecord> events;
    std::string stream;
    Status failure;
    // Saves are gathered into batches of a few MiB; the caches run ahead of the database
    // until a batch is written, which only this call (holding the lock) can notice.
    const auto flush = [&]() -> Status {
        if (leveldb::Status s = d->db->Write(d->writeOptions(), &batch); !s.ok())
            return fromLevelDb(s, "saving to " + d->path);
        batch.Clear();
        return {};
    };
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
        // cachedStreamHead() may drop the cache and read the database: it must be current.
        if (d->streamHeads.size() + 1 >= Impl::kMaxCachedStreams) {
            if (failure = flush(); !failure.ok())
                break;
        }
        auto built = d->buildSave(nullptr, events, stop, batch, stream);
        if (!built.ok()) {
            failure = built.status();
            break;
        }
        ++result.saves;
        result.records += built->size();
        d->globalSequence = built->back().globalSequenceNumber;
        d->streamHeads[stream] = built->back().streamSequenceNumber;
        if (batch.ApproximateSize() >= (4u << 20)) {
            if (failure = flush(); !failure.ok())
                break;
        }
    }
    if (failure.ok())
        failure = flush();
    if (!failure.ok()) {
        if (result.saves > 0 || failure.code() != ErrorCode::Cancelled)
            failure = failure.withContext("save " + std::to_string(result.saves + 1));
        batch.Clear();
        if (Status undone = d->undoAppend(before, gsnRead.ok(), gsnBefore); !undone.ok())
            return failure.withContext("and undoing the earlier saves failed (" + undone.message() + ")");
        return failure;
    }
    result.lastGlobalSequenceNumber = d->globalSequence;
    // Subscribers hear of the records now that they are there for good, read back in
    // pieces so that memory stays bounded.
    if (d->hub.hasSubscriptions() && result.records > 0) {
        auto written = this->events(before + 1);
        std::vector<Record> pending;
        while (written->next()) {
            pending.push_back(*written->record());
            if (pending.size() >= 10000) {
                d->hub.publish(pending);
                pending.clear();
            }
        }
        d->hub.publish(pending);
    }
    return result;
}

std::unique_ptr<Subscription> LevelDbStore::allEventsSubscription(std::size_t bufferSize, Subscriber *subscriber)
{
    return d->hub.create(bufferSize, subscriber, {}, [this](std::uint64_t from, std::stop_token stop) {
        return events(from, std::move(stop));
    });
}

std::unique_ptr<Subscription> LevelDbStore::aggregateTypesSubscription(std::size_t bufferSize, Subscriber *subscriber,
                                                                       std::vector<std::string> aggregateTypes)
{
    auto types = aggregateTypes;
    return d->hub.create(bufferSize, subscriber, std::move(aggregateTypes),
                         [this, types](std::uint64_t from, std::stop_token stop) {
                             return eventsByAggregateTypes(from, types, std::move(stop));
                         });
}

Result<std::vector<AggregateTypeInfo>> LevelDbStore::aggregateTypes(std::stop_token stop,
                                                                    const AggregateTypesProgress &progress)
{
    Impl::Snapshot snapshot(d->db.get());
    std::unique_ptr<leveldb::Iterator> it(d->db->NewIterator(snapshot.options(false)));
    std::vector<AggregateTypeInfo> types;
    auto lastReport = std::chrono::steady_clock::now();
    std::uint64_t seen = 0;
    // Index keys "$<type>$!" + 8 bytes all sort between "$" and "%".
    const std::string pastAllEvents = upperBound(std::string(keys::kAllEventsPrefix));
    for (it->Seek("$"); it->Valid(); it->Next()) {
        const std::string_view key(it->key().data(), it->key().size());
        if (key.empty() || key.front() != '$')
            break;
        if (key.starts_with(keys::kAllEventsPrefix)) {
            // Jump over the all-events index; the loop's Next() must land past it.
            it->Seek(pastAllEvents);
            if (!it->Valid())
                break;
            it->Prev();
            continue;
        }
        if (key.size() < 11 || key[key.size() - 9] != '!' || key[key.size() - 10] != '$')
            continue; // "$gsn$" and anything else that is not an aggregate-type index
        const std::string_view type = key.substr(1, key.size() - 11);
        if (types.empty() || types.back().aggregateType != type)
            types.push_back({std::string(type), 0});
        ++types.back().totalEvents;
        if ((++seen & 0xffff) == 0) {
            if (stop.stop_requested())
                return Status::cancelled();
            const auto now = std::chrono::steady_clock::now();
            if (progress && now - lastReport > std::chrono::milliseconds(100)) {
                progress(types);
                lastReport = now;
            }
        }
    }
    if (!it->status().ok())
        return fromLevelDb(it->status(), "scanning aggregate types");
    // Keys sort by type then '$', so "a$" < "a-b$"... order by name for the caller.
    std::sort(types.begin(), types.end(),
              [](const auto &a, const auto &b) { return a.aggregateType < b.aggregateType; });
    return types;
}

Result<std::vector<StreamInfo>> LevelDbStore::streams(std::string_view aggregateType, std::stop_token stop)
{
    Impl::Snapshot snapshot(d->db.get());
    std::unique_ptr<leveldb::Iterator> it(d->db->NewIterator(snapshot.options(false)));
    const std::string typePrefix = aggregateType.empty() ? std::string() : std::string(aggregateType) + '!';
    std::vector<StreamInfo> result;
    Record record;
    it->Seek(typePrefix);
    while (it->Valid()) {
        if (stop.stop_requested())
            return Status::cancelled();
        const std::string_view key(it->key().data(), it->key().size());
        if (!typePrefix.empty() && !key.starts_with(typePrefix))
            break;
        if (key.front() == '$') {
            it->Seek("%"); // skip the index keys
            continue;
        }
        if (key.size() < 10 || key[key.size() - 9] != '!') {
            it->Next();
            continue;
        }
        const std::string stream(key.substr(0, key.size() - 9));
        // Jump to the stream's last record: its number is the stream's length.
        std::string last = keys::streamPrefix(stream);
        last.append(8, '\xff');
        it->Seek(last);
        if (!it->Valid())
            it->SeekToLast();
        else if (it->key() != leveldb::Slice(last))
            it->Prev();
        const std::string_view lastKey(it->key().data(), it->key().size());
        StreamInfo info;
        info.streamName = stream;
        if (auto parts = parseStreamName(stream); parts.ok()) {
            info.aggregateType = parts.value().first;
            info.aggregateId = parts.value().second;
        }
        info.totalEvents = keys::readBigEndian64(lastKey.substr(lastKey.size() - 8));
        if (Status s = d->decodeValue(lastKey, std::string_view(it->value().data(), it->value().size()), record, nullptr);
            s.ok()) {
            info.lastGlobalSequenceNumber = record.globalSequenceNumber;
        }
        result.push_back(std::move(info));
        it->Next();
    }
    if (!it->status().ok())
        return fromLevelDb(it->status(), "scanning streams");
    return result;
}

Result<ScopeIndex> LevelDbStore::scopeIndex(const Scope &scope, std::uint32_t stride, std::stop_token stop,
                                            const ScopeIndexProgress &progress)
{
    if (stride == 0)
        return Status::error(ErrorCode::InvalidArgument, "scope index stride must be at least 1");
    ScopeIndex index;
    index.stride = stride;
    if (scope.kind == Scope::Kind::Stream) {
        auto total = totalEventsInStream(scope.stream, stop);
        if (!total.ok())
            return total.status();
        index.rows = total.value();
        for (std::uint64_t row = 0; row < index.rows; row += stride)
            index.anchors.push_back(row + 1);
        index.lastSequenceNumber = index.rows;
        index.complete = true;
        return index;
    }

    std::vector<std::string> prefixes;
    if (scope.kind == Scope::Kind::AllEvents) {
        prefixes.emplace_back(keys::kAllEventsPrefix);
    } else {
        for (const auto &type : scope.aggregateTypes)
            prefixes.push_back(keys::aggregateTypePrefix(type));
        std::sort(prefixes.begin(), prefixes.end());
        prefixes.erase(std::unique(prefixes.begin(), prefixes.end()), prefixes.end());
    }
    Impl::Snapshot snapshot(d->db.get());
    // A bulk scan: keep the block cache for the pages people look at.
    leveldb::ReadOptions options = snapshot.options(false);
    options.fill_cache = false;
    std::vector<std::unique_ptr<IndexCursor>> cursors;
    for (auto &prefix : prefixes)
        cursors.push_back(std::make_unique<IndexCursor>(d->db.get(), options, std::move(prefix), 0));

    auto lastReport = std::chrono::steady_clock::now();
    for (;;) {
        leveldb::Status scanError;
        IndexCursor *best = earliestCursor(cursors, &scanError);
        if (!scanError.ok())
            return fromLevelDb(scanError, "indexing the scope's index keys");
        if (!best)
            break;
        index.add(best->globalSequence());
        best->advance();
        if ((index.rows & 0xffff) == 0) {
            if (stop.stop_requested())
                return Status::cancelled();
            const auto now = std::chrono::steady_clock::now();
            if (progress && now - lastReport > std::chrono::milliseconds(50)) {
                progress(index);
                lastReport = now;
            }
        }
    }
    index.complete = true;
    return index;
}

Result<std::uint64_t> LevelDbStore::lastGlobalSequenceNumber()
{
    std::string value;
    leveldb::Status s = d->db->Get(readOptions(),
                                   leveldb::Slice(keys::kGlobalSequence.data(), keys::kGlobalSequence.size()), &value);
    if (s.IsNotFound())
        return std::uint64_t(0);
    if (!s.ok())
        return fromLevelDb(s, "reading $gsn$");
    return keys::readBigEndian64(value);
}

Result<std::uint64_t> LevelDbStore::totalEvents(std::stop_token stop)
{
    Impl::Snapshot snapshot(d->db.get());
    IndexCursor cursor(d->db.get(), snapshot.options(false), std::string(keys::kAllEventsPrefix), 0);
    std::uint64_t count = 0;
    for (; cursor.valid(); cursor.advance()) {
        if ((++count & 0xffff) == 0 && stop.stop_requested())
            return Status::cancelled();
    }
    if (!cursor.status().ok())
        return fromLevelDb(cursor.status(), "counting events");
    return count;
}

Result<CheckReport> LevelDbStore::check(std::stop_token stop)
{
    Impl::Snapshot snapshot(d->db.get());
    const auto options = snapshot.options(false);
    std::unique_ptr<leveldb::Iterator> it(d->db->NewIterator(options));
    CheckReport report;
    auto problem = [&report](std::string text) {
        report.consistent = false;
        if (report.problems.size() < 1000)
            report.problems.push_back(std::move(text));
    };
    std::string value;
    Record record;
    std::string currentStream;
    std::uint64_t expectedSequence = 0;
    std::uint64_t maxGlobal = 0;
    std::uint64_t steps = 0;

    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if ((++steps & 0x3fff) == 0 && stop.stop_requested())
            return Status::cancelled();
        const std::string_view key(it->key().data(), it->key().size());
        const std::string_view val(it->value().data(), it->value().size());
        if (key == keys::kGlobalSequence) {
            report.globalSequenceNumber = keys::readBigEndian64(val);
            if (val.size() != 8)
                problem("$gsn$ holds " + std::to_string(val.size()) + " bytes, not 8");
            continue;
        }
        const bool isIndex = key.front() == '$' && key.size() >= 11 && key[key.size() - 9] == '!'
            && key[key.size() - 10] == '$';
        if (isIndex) {
            const bool isAll = keys::isExactEntry(key, keys::kAllEventsPrefix);
            ++(isAll ? report.allEventsEntries : report.aggregateTypeEntries);
            const std::uint64_t global = keys::readBigEndian64(key.substr(key.size() - 8));
            leveldb::Status s = d->db->Get(options, it->value(), &value);
            if (!s.ok()) {
                problem("index " + keys::printable(key) + " points to " + keys::printable(val) + ", which "
                        + (s.IsNotFound() ? std::string("does not exist") : s.ToString()));
                continue;
            }
            if (Status decoded = d->decodeValue(val, value, record, nullptr); !decoded.ok()) {
                problem(decoded.message());
                continue;
            }
            if (record.globalSequenceNumber != global) {
                problem("index " + keys::printable(key) + " points to a record with global sequence number "
                        + std::to_string(record.globalSequenceNumber));
            }
            const std::string_view type = key.substr(1, key.size() - 11);
            if (!isAll && record.aggregateType != type)
                problem("index " + keys::printable(key) + " points to a record of type " + record.aggregateType);
            continue;
        }
        if (key.front() == '$') {
            problem("unknown key " + keys::printable(key));
            continue;
        }
        if (key.size() < 10 || key[key.size() - 9] != '!') {
            problem("unknown key " + keys::printable(key));
            continue;
        }
        ++report.records;
        const std::string stream(key.substr(0, key.size() - 9));
        const std::uint64_t sequence = keys::readBigEndian64(key.substr(key.size() - 8));
        if (stream != currentStream) {
            currentStream = stream;
            expectedSequence = 1;
            ++report.streams;
        }
        if (sequence != expectedSequence) {
            problem("stream " + stream + ": stream sequence number " + std::to_string(sequence) + " where "
                    + std::to_string(expectedSequence) + " was expected");
        }
        expectedSequence = sequence + 1;
        if (Status decoded = d->decodeValue(key, val, record, nullptr); !decoded.ok()) {
            problem(decoded.message());
            continue;
        }
        if (record.streamName() != stream || record.streamSequenceNumber != sequence)
            problem("record at " + keys::printable(key) + " holds " + record.streamName() + " #"
                    + std::to_string(record.streamSequenceNumber));
        maxGlobal = std::max(maxGlobal, record.globalSequenceNumber);
        for (const std::string &indexKey : {keys::allEventsKey(record.globalSequenceNumber),
                                            keys::aggregateTypeKey(record.aggregateType, record.globalSequenceNumber)}) {
            leveldb::Status s = d->db->Get(options, indexKey, &value);
            if (!s.ok() || value != key)
                problem("record " + keys::printable(key) + " is not indexed under " + keys::printable(indexKey));
        }
    }
    if (!it->status().ok())
        return fromLevelDb(it->status(), "checking " + d->path);
    if (maxGlobal > report.globalSequenceNumber) {
        problem("$gsn$ is " + std::to_string(report.globalSequenceNumber) + " but a record has global sequence number "
                + std::to_string(maxGlobal));
    }
    return report;
}

} // namespace rangedb
