#pragma once

#include "rangedb/record.h"
#include "rangedb/status.h"

#include <cstddef>
#include <string>
#include <string_view>

// The two record serializers of rangedb v0.12.0 (core/FORMAT.md, "Record values").
// Thread-safe: no shared state.
namespace rangedb {

enum class Serializer { Json, Msgpack };

const char *serializerName(Serializer serializer); // "json" / "msgpack"

namespace codec {

// Appends the JSON form of `record` (rangedb's jsonrecordserializer): compact, fields in
// rangedb's order, Go string escaping; data and metadata are copied as they are, so they
// must already be normalized JSON text (json::normalize), as every Record is.
void appendJson(std::string &out, const Record &record);
std::string toJson(const Record &record);

// Appends the msgpack form (rangedb's msgpackrecordserializer): a 9-entry map a i g s u e
// t d m with d = nil, then the data as a second object. Integers become int64 (0xd3) or,
// above int64, uint64 (0xcf); other numbers float64. Fails with EncodeError for a number
// msgpack cannot hold exactly (an integer beyond 64 bits, a float beyond double range),
// naming the field. Nothing is appended on failure.
Status appendMsgpack(std::string &out, const Record &record);

// Decodes one JSON record value. Keys match case-insensitively, unknown keys are ignored,
// the last duplicate wins. aggregateType, aggregateID, globalSequenceNumber,
// streamSequenceNumber, insertTimestamp, eventID and eventType are required, with the
// right JSON types (uint64 fields: non-negative integer literals in range); a missing or
// null data/metadata reads as null. Trailing non-whitespace is an error.
// *canonical is set when `bytes` is exactly what appendJson would write for the result
// (then an exporter may copy the bytes through).
Status decodeJson(std::string_view bytes, Record &record, bool *canonical = nullptr);

// Decodes one msgpack record (map + data object) from the front of `bytes`; *consumed
// gets the bytes used. With consumed == nullptr, trailing bytes are an error. Integer
// fields accept any msgpack integer width. Numbers in data/metadata become exact JSON
// literals (floats in Go's shortest form), strings JSON strings, bin a base64 string.
// A truncated record is a DecodeError that says so (ErrorCode::DecodeError, message
// containing "truncated"), naming the byte offset.
Status decodeMsgpack(std::string_view bytes, Record &record, std::size_t *consumed = nullptr);

// Decodes a stored value of either kind, told apart by its first byte ('{' or 0x89).
Status decode(std::string_view bytes, Record &record, bool *canonicalJson = nullptr);

// Which serializer wrote `bytes`, by its first byte; InvalidArgument when neither.
Result<Serializer> detect(std::string_view bytes);

// JSON text <-> one msgpack object, number-exact (used for data and metadata).
Status appendJsonAsMsgpack(std::string &out, std::string_view json, std::string_view what);
// Decodes one msgpack object from the front of `bytes` to JSON text; *consumed as above.
Status msgpackToJson(std::string_view bytes, std::string &json, std::size_t *consumed = nullptr);

} // namespace codec
} // namespace rangedb
