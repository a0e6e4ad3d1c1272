#include "transfer.h"

#include "rangedb/codec.h"

#include <QIODevice>

#include <string>
#include <unordered_set>
#include <vector>

namespace rangedb::cli {

Result<ExportSummary> exportRecords(RecordIterator &records, QIODevice *device, StreamFormat format)
{
    RecordWriter writer(device, format);
    const bool json = format != StreamFormat::Msgpack;
    while (records.next()) {
        const std::string_view raw = json && records.rawIsCanonicalJson() ? records.rawValue() : std::string_view();
        if (Status s = writer.write(*records.record(), raw); !s.ok())
            return s;
    }
    if (!records.error().ok())
        return records.error();
    if (Status s = writer.finish(); !s.ok())
        return s;
    return ExportSummary{writer.recordsWritten(), writer.bytesWritten()};
}

Result<StreamFormat> sniffFormat(QIODevice *device, bool *empty)
{
    // Enough to get past any leading whitespace of a hand-edited file.
    const QByteArray head = device->peek(64 * 1024);
    *empty = head.trimmed().isEmpty() && device->atEnd();
    if (head.trimmed().isEmpty())
        return StreamFormat::Ndjson;
    return sniffStreamFormat(std::string_view(head.constData(), static_cast<std::size_t>(head.size())));
}

namespace {

Status recordError(const QString &sourceName, std::uint64_t index, const Status &status)
{
    return status.withContext(sourceName.toStdString() + ": record " + std::to_string(index));
}

// A RecordReader seen as a RecordIterator, for Store::restore; counts the streams.
class ReaderIterator final : public RecordIterator
{
public:
    explicit ReaderIterator(RecordReader &reader) : m_reader(reader) {}

    bool next() override
    {
        if (!m_error.ok() || m_done)
            return false;
        if (m_reader.next()) {
            m_current = &m_reader.record();
            m_streams.insert(m_current->streamName());
            return true;
        }
        m_current = nullptr;
        m_done = true;
        m_error = m_reader.status();
        return false;
    }
    const Record *record() const override { return m_current; }
    const Status &error() const override { return m_error; }
    std::uint64_t streams() const { return m_streams.size(); }

private:
    RecordReader &m_reader;
    const Record *m_current = nullptr;
    Status m_error;
    bool m_done = false;
    std::unordered_set<std::string> m_streams;
};

EventRecord toEventRecord(const Record &record)
{
    return EventRecord{record.aggregateType, record.aggregateId, record.eventType, record.data, record.metadata};
}

} // namespace

Result<ImportSummary> validateInput(QIODevice *device, StreamFormat format, const QString &sourceName,
                                    ImportMode mode, Serializer storeSerializer)
{
    RecordReader reader(device, format, sourceName);
    std::unordered_set<std::string> streams;
    std::string scratch;
    std::uint64_t index = 0;
    while (reader.next()) {
        ++index;
        const Record &record = reader.record();
        if (mode == ImportMode::Append) {
            // A restore keeps records as they were; only new saves follow today's rules.
            if (Status s = validateAggregateType(record.aggregateType); !s.ok())
                return recordError(sourceName, index, s);
            if (Status s = validateAggregateId(record.aggregateId); !s.ok())
                return recordError(sourceName, index, s);
        }
        if (storeSerializer == Serializer::Msgpack) {
            // The one thing a JSON record can hold that a msgpack store cannot: numbers
            // beyond 64 bits or beyond double range.
            scratch.clear();
            if (Status s = codec::appendMsgpack(scratch, record); !s.ok())
                return recordError(sourceName, index, s);
        }
        streams.insert(record.streamName());
    }
    if (!reader.status().ok())
        return reader.status();
    return ImportSummary{index, streams.size()};
}

Result<ImportSummary> appendRecords(Store &store, QIODevice *device, StreamFormat format, const QString &sourceName,
                                    std::stop_token stop)
{
    RecordReader reader(device, format, sourceName);
    std::unordered_set<std::string> streams;
    std::vector<EventRecord> run;
    std::string runStream;
    std::uint64_t landed = 0;
    std::uint64_t saves = 0;

    const auto flush = [&]() -> Status {
        if (run.empty())
            return {};
        auto saved = store.save(run, stop);
        if (!saved.ok()) {
            return saved.status().withContext(
                sourceName.toStdString() + ": saving records " + std::to_string(landed + 1) + ".."
                + std::to_string(landed + run.size()) + " failed; records 1.." + std::to_string(landed)
                + " (" + std::to_string(saves) + " saves) were appended before");
        }
        landed += run.size();
        ++saves;
        run.clear();
        return {};
    };

    while (reader.next()) {
        const Record &record = reader.record();
        std::string stream = record.streamName();
        if (stream != runStream || run.size() >= kMaxRecordsPerSave) {
            if (Status s = flush(); !s.ok())
                return s;
            runStream = stream;
        }
        streams.insert(std::move(stream));
        run.push_back(toEventRecord(record));
    }
    if (!reader.status().ok())
        return reader.status().withContext("records 1.." + std::to_string(landed) + " were appended before");
    if (Status s = flush(); !s.ok())
        return s;
    return ImportSummary{landed, streams.size()};
}

Result<ImportSummary> restoreRecords(Store &store, QIODevice *device, StreamFormat format, const QString &sourceName,
                                     std::stop_token stop)
{
    RecordReader reader(device, format, sourceName);
    ReaderIterator records(reader);
    if (Status s = store.restore(records, stop); !s.ok())
        return s;
    // Pass 1 read the same bytes without error, so this would be an I/O failure between
    // the passes; the store has then seen a short input (reported, never hidden).
    if (!records.error().ok())
        return records.error().withContext("the input changed while importing");
    return ImportSummary{reader.recordIndex(), records.streams()};
}

} // namespace rangedb::cli
