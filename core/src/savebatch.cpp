#include "savebatch.h"

#include "rangedb/json.h"

namespace rangedb::detail {

Result<std::string> normalizeEventValue(std::string_view text, const std::string &what)
{
    if (text.empty())
        return std::string("null");
    auto normalized = json::normalize(text, what);
    if (!normalized.ok())
        return Status::error(ErrorCode::InvalidArgument, normalized.status().message());
    return normalized;
}

Status encodeForStorage(Serializer serializer, Record &record, std::string &out)
{
    if (serializer == Serializer::Json) {
        codec::appendJson(out, record);
        return {};
    }
    const std::size_t start = out.size();
    if (Status s = codec::appendMsgpack(out, record); !s.ok())
        return s;
    Record decoded;
    if (codec::decode(std::string_view(out).substr(start), decoded).ok())
        record = std::move(decoded);
    return {};
}

Result<std::vector<Record>> buildSaveRecords(std::span<const EventRecord> events, const std::uint64_t *expected,
                                             std::uint64_t streamHead, std::uint64_t globalSequence,
                                             const StoreHooks &hooks, const std::stop_token &stop)
{
    const EventRecord &first = events.front();
    std::uint64_t current = streamHead;
    std::vector<Record> records;
    records.reserve(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
        const EventRecord &event = events[i];
        const std::string label = "record " + std::to_string(i + 1);
        // Unlike rangedb, an empty type or ID of the first record is no loophole: every
        // record must name the first record's stream, and names that would make the
        // LevelDB keys ambiguous are refused.
        if (Status s = validateAggregateType(event.aggregateType); !s.ok())
            return s.withContext(label);
        if (Status s = validateAggregateId(event.aggregateId); !s.ok())
            return s.withContext(label);
        if (event.aggregateType != first.aggregateType)
            return Status::error(ErrorCode::UnmatchedAggregateType, "unmatched aggregate type");
        if (event.aggregateId != first.aggregateId)
            return Status::error(ErrorCode::UnmatchedAggregateId, "unmatched aggregate ID");

        std::string eventId = hooks.newEventId();
        if (stop.stop_requested())
            return Status::cancelled();
        if (expected && *expected + i != current)
            return Status::unexpectedSequenceNumber(*expected + i, current);

        Record record;
        record.aggregateType = event.aggregateType;
        record.aggregateId = event.aggregateId;
        record.globalSequenceNumber = ++globalSequence;
        record.streamSequenceNumber = ++current;
        record.insertTimestamp = hooks.clock();
        record.eventId = std::move(eventId);
        record.eventType = event.eventType;
        auto data = normalizeEventValue(event.data, label + " data");
        if (!data.ok())
            return data.status();
        record.data = std::move(data).value();
        auto metadata = normalizeEventValue(event.metadata, label + " metadata");
        if (!metadata.ok())
            return metadata.status();
        record.metadata = std::move(metadata).value();
        records.push_back(std::move(record));
    }
    return records;
}

Status RestoreChecker::check(Record &record)
{
    ++m_count;
    const std::string where = label();
    if (Status s = validateAggregateType(record.aggregateType); !s.ok())
        return s.withContext(where);
    if (Status s = validateAggregateId(record.aggregateId); !s.ok())
        return s.withContext(where);
    const std::string stream = record.streamName();
    if (record.globalSequenceNumber <= m_previous) {
        return Status::error(ErrorCode::InvalidArgument,
                             where + " (" + stream + "): global sequence number "
                                 + std::to_string(record.globalSequenceNumber) + " does not increase (previous "
                                 + std::to_string(m_previous) + ")");
    }
    std::uint64_t &length = m_streamLengths[stream];
    if (record.streamSequenceNumber != length + 1) {
        return Status::error(ErrorCode::InvalidArgument,
                             where + " (" + stream + "): stream sequence number "
                                 + std::to_string(record.streamSequenceNumber) + ", expected "
                                 + std::to_string(length + 1));
    }
    auto data = normalizeEventValue(record.data, where + " data");
    if (!data.ok())
        return data.status();
    auto metadata = normalizeEventValue(record.metadata, where + " metadata");
    if (!metadata.ok())
        return metadata.status();
    record.data = std::move(data).value();
    record.metadata = std::move(metadata).value();
    m_previous = record.globalSequenceNumber;
    ++length;
    return {};
}

} // namespace rangedb::detail
