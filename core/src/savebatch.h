#pragma once

// What both stores do to turn a Save's EventRecords into stored records. Private to the
// core.

#include "rangedb/store.h"

#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rangedb::detail {

// data or metadata as a store keeps it: compact normalized JSON. An empty text is a value
// the caller left out and reads back as null. Invalid JSON is InvalidArgument, named by
// `what` ("record 2 data") with its line and column.
Result<std::string> normalizeEventValue(std::string_view text, const std::string &what);

// Appends `record` in the store's serialization. For msgpack, `record` is then replaced
// by what a reader will decode (number literals may be reformatted: 1.50 -> 1.5), so that
// subscribers see exactly what readers see.
Status encodeForStorage(Serializer serializer, Record &record, std::string &out);

// Builds the records of one Save, with rangedb's checks in rangedb's order for each
// record: names (refusing what validateAggregateType/Id refuse, naming the record), the
// first record's type and ID, then the event ID is drawn (a failing save still consumes
// one per record it reached, as in rangedb), cancellation, the expected stream sequence
// number (advancing by one per record; none when `expected` is null), the clock, and the
// data and metadata. `streamHead` is the stream's last stream sequence number and
// `globalSequence` the last global one. Nothing is numbered for real until the caller
// commits. `events` must not be empty.
Result<std::vector<Record>> buildSaveRecords(std::span<const EventRecord> events, const std::uint64_t *expected,
                                             std::uint64_t streamHead, std::uint64_t globalSequence,
                                             const StoreHooks &hooks, const std::stop_token &stop);

// The rules of Store::restore, applied to the input records one at a time in order:
// names save() would refuse, global sequence numbers that do not increase, and streams
// that do not run 1, 2, 3, ... are InvalidArgument naming the record ("record 3", counted
// from 1 as the record streams count). Data and metadata are normalized in place.
class RestoreChecker
{
public:
    Status check(Record &record);
    // "record N" of the record checked last.
    std::string label() const { return "record " + std::to_string(m_count); }

private:
    std::unordered_map<std::string, std::uint64_t> m_streamLengths;
    std::uint64_t m_previous = 0;
    std::uint64_t m_count = 0;
};

} // namespace rangedb::detail
