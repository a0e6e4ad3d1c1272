#pragma once

// The floors: what plain LevelDB costs for the same keys and values the store writes and
// reads (rangedb's layout, core/FORMAT.md), opened with the options LevelDbStore uses.
// A store figure divided by its floor says how much the store adds.

#include "benchutil.h"

#include "rangedb/codec.h"

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include <QIODevice>

#include <memory>
#include <string>
#include <vector>

namespace rangedb::bench {

inline void appendBigEndian(std::string &out, std::uint64_t value)
{
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(char((value >> shift) & 0xff));
}

inline std::string streamKey(const std::string &type, const std::string &id, std::uint64_t ssn)
{
    std::string key;
    key.reserve(type.size() + id.size() + 10);
    key += type;
    key += '!';
    key += id;
    key += '!';
    appendBigEndian(key, ssn);
    return key;
}

class RawLevelDb
{
public:
    // Same options as LevelDbStore::open: 32 MiB block cache, bloom filter (10 bits),
    // 16 MiB write buffer, 8 MiB files, paranoid checks, snappy.
    explicit RawLevelDb(const std::string &path)
    {
        m_cache.reset(leveldb::NewLRUCache(32u << 20));
        m_filter.reset(leveldb::NewBloomFilterPolicy(10));
        leveldb::Options options;
        options.create_if_missing = true;
        options.paranoid_checks = true;
        options.block_cache = m_cache.get();
        options.filter_policy = m_filter.get();
        options.write_buffer_size = 16u << 20;
        options.max_file_size = 8u << 20;
        leveldb::DB *db = nullptr;
        const leveldb::Status s = leveldb::DB::Open(options, path, &db);
        require(s.ok(), "raw open " + path + ": " + s.ToString());
        m_db.reset(db);
    }
    ~RawLevelDb() { m_db.reset(); }

    leveldb::DB *db() { return m_db.get(); }

    // The store's reads verify checksums; so do the floors.
    static leveldb::ReadOptions readOptions()
    {
        leveldb::ReadOptions o;
        o.verify_checksums = true;
        return o;
    }

    // Writes `count` events of `workload` the way a save does (stream record, $all$ and
    // aggregate-type index entries, $gsn$), `perBatch` events per WriteBatch, on a fresh
    // database. The value is codec::appendJson's bytes, built in the timed loop as the
    // store builds it.
    void writeEvents(const Workload &workload, std::uint64_t count, std::size_t perBatch, bool sync);

    // Walks an index prefix ("$all$!" or "$type$!"), Gets every record it points to and
    // hands the values to `device` joined by '\n' (NDJSON framing), in 1 MiB writes.
    // Returns the number of records. With `decode`, every value also goes through
    // codec::decode into a Record, the least a store's iterator must do.
    std::uint64_t scanIndex(const std::string &prefix, QIODevice *device, bool decode = false)
    {
        Record record;
        leveldb::ReadOptions options = readOptions();
        const leveldb::Snapshot *snapshot = m_db->GetSnapshot();
        options.snapshot = snapshot;
        options.fill_cache = false;
        std::unique_ptr<leveldb::Iterator> it(m_db->NewIterator(options));
        std::string buffer;
        std::string value;
        std::uint64_t records = 0;
        for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
            const leveldb::Status s = m_db->Get(options, it->value(), &value);
            require(s.ok(), "raw get: " + s.ToString());
            if (decode)
                require(codec::decode(value, record).ok(), "raw decode");
            if (records > 0)
                buffer.push_back('\n');
            buffer += value;
            ++records;
            if (buffer.size() >= (1u << 20)) {
                require(device->write(buffer.data(), qint64(buffer.size())) == qint64(buffer.size()), "raw sink");
                buffer.clear();
            }
        }
        require(it->status().ok(), "raw scan: " + it->status().ToString());
        require(device->write(buffer.data(), qint64(buffer.size())) == qint64(buffer.size()), "raw sink");
        it.reset();
        m_db->ReleaseSnapshot(snapshot);
        return records;
    }

    // Reads the values of one stream's records ("<stream>!" prefix); returns their count.
    std::uint64_t scanStream(const std::string &stream, bool decode = false)
    {
        Record record;
        const std::string prefix = stream + '!';
        std::unique_ptr<leveldb::Iterator> it(m_db->NewIterator(readOptions()));
        std::uint64_t records = 0;
        std::size_t bytes = 0;
        for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
            bytes += it->value().size();
            if (decode) {
                const leveldb::Slice value = it->value();
                require(codec::decode(std::string_view(value.data(), value.size()), record).ok(), "raw decode");
            }
            ++records;
        }
        require(bytes > 0 || records == 0, "raw stream bytes");
        return records;
    }

private:
    friend class RawWriter;
    std::unique_ptr<leveldb::Cache> m_cache;
    std::unique_ptr<const leveldb::FilterPolicy> m_filter;
    std::unique_ptr<leveldb::DB> m_db;
};

// Appends events to a RawLevelDb, continuing the numbering across calls (for growth runs).
class RawWriter
{
public:
    RawWriter(RawLevelDb &raw, const Workload &workload)
        : m_raw(raw), m_workload(workload), m_streamLengths(workload.streams, 0)
    {
    }

    // Events are numbered on from the last call; batch b of this call goes to stream
    // (batches written so far) % streams.
    void write(std::uint64_t count, std::size_t perBatch, bool sync)
    {
        leveldb::WriteOptions writeOptions;
        writeOptions.sync = sync;
        leveldb::WriteBatch batch;
        std::string value;
        const std::uint64_t end = m_gsn + count;
        while (m_gsn < end) {
            batch.Clear();
            const std::uint64_t stream = m_workload.streamOf(m_batches++);
            const std::uint64_t inBatch = std::min<std::uint64_t>(perBatch, end - m_gsn);
            for (std::uint64_t i = 0; i < inBatch; ++i) {
                const EventRecord event = m_workload.event(stream, m_gsn);
                Record record;
                record.aggregateType = event.aggregateType;
                record.aggregateId = event.aggregateId;
                record.globalSequenceNumber = ++m_gsn;
                record.streamSequenceNumber = ++m_streamLengths[stream];
                record.insertTimestamp = 1700000000 + m_gsn / 1000;
                record.eventId = Workload::hexId(m_gsn + (1ULL << 40));
                record.eventType = event.eventType;
                record.data = event.data;
                value.clear();
                codec::appendJson(value, record);
                const std::string key = streamKey(record.aggregateType, record.aggregateId,
                                                  record.streamSequenceNumber);
                std::string all = "$all$!";
                appendBigEndian(all, m_gsn);
                std::string byType = "$" + record.aggregateType + "$!";
                appendBigEndian(byType, m_gsn);
                std::string counter;
                appendBigEndian(counter, m_gsn);
                batch.Put(key, value);
                batch.Put(all, key);
                batch.Put(byType, key);
                batch.Put("$gsn$", counter);
            }
            const leveldb::Status s = m_raw.db()->Write(writeOptions, &batch);
            require(s.ok(), "raw write: " + s.ToString());
        }
        require(m_gsn == end, "raw write count");
    }
    std::uint64_t lastGlobalSequenceNumber() const { return m_gsn; }

private:
    RawLevelDb &m_raw;
    const Workload &m_workload;
    std::vector<std::uint64_t> m_streamLengths;
    std::uint64_t m_gsn = 0;
    std::uint64_t m_batches = 0;
};

inline void RawLevelDb::writeEvents(const Workload &workload, std::uint64_t count, std::size_t perBatch, bool sync)
{
    RawWriter writer(*this, workload);
    writer.write(count, perBatch, sync);
}

} // namespace rangedb::bench
