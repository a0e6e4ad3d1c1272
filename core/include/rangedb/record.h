#pragma once

#include "rangedb/status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace rangedb {

// One stored event, as rangedb v0.12.0 defines it (core/FORMAT.md, "Record").
//
// data and metadata hold JSON text: compact, with Go's escaping, in the key order and with
// the number literals they were saved with. They are never round-tripped through a double,
// so integers up to 18446744073709551615 and down to -9223372036854775808 stay exact.
// A record with no data or metadata holds "null".
struct Record
{
    std::string aggregateType;
    std::string aggregateId;
    std::uint64_t globalSequenceNumber = 0;
    std::uint64_t streamSequenceNumber = 0;
    std::uint64_t insertTimestamp = 0;
    std::string eventId;
    std::string eventType;
    std::string data = "null";
    std::string metadata = "null";

    std::string streamName() const;

    friend bool operator==(const Record &, const Record &) = default;
};

// What a caller hands to Store::save: the store assigns numbers, event ID and timestamp.
// data and metadata are JSON text in any formatting; the store validates and compacts
// them (keeping key order and number literals) before writing.
struct EventRecord
{
    std::string aggregateType;
    std::string aggregateId;
    std::string eventType;
    std::string data = "null";
    std::string metadata = "null";
};

// "type!id". Nothing is escaped: see validateAggregateType/validateAggregateId.
std::string streamName(std::string_view aggregateType, std::string_view aggregateId);

// Splits "type!id" at the first '!'. A name without '!' is an InvalidArgument error
// (rangedb panics there). The ID is everything after the first '!'.
Result<std::pair<std::string, std::string>> parseStreamName(std::string_view streamName);

// What the store refuses to save (reading such existing records still works):
// an empty type, the type "all" (it would alias the all-events index), a type that
// begins with '$' (it would alias the index keys), and any '!' in type or ID (it would
// make stream keys ambiguous). Empty IDs are refused too. Errors are InvalidArgument and
// name the field and the value.
Status validateAggregateType(std::string_view aggregateType);
Status validateAggregateId(std::string_view aggregateId);

} // namespace rangedb
