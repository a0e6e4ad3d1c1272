#pragma once

// Private helpers shared by json.cpp, codec.cpp and recordstream.cpp: Go's encoding/json
// text conventions (escaping, float formatting), RapidJSON set-up, number literals, and the
// position-aware decoding entry points the record streams need. Nothing here is public API.

#include "rangedb/record.h"
#include "rangedb/status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// core/CMakeLists.txt defines RAPIDJSON_NO_SIZETYPEDEFINE: RapidJSON's default 32-bit
// SizeType would silently cap string lengths, so we give it size_t before any include.
namespace rapidjson {
typedef ::std::size_t SizeType;
}
#include <rapidjson/reader.h>

namespace rangedb::gojson {

// Every JSON parse in the core: numbers stay literal text, nesting costs no C++ stack, one
// value per parse (the caller checks what follows), raw bytes must be valid UTF-8.
inline constexpr unsigned kParseFlags = rapidjson::kParseNumbersAsStringsFlag
    | rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag
    | rapidjson::kParseValidateEncodingFlag;

// Where byte 0 of a text sits in a larger input (a record inside a stream file), so that
// errors can name the position in the file rather than in the record.
struct TextOrigin
{
    int line = 1;
    int column = 1;
    std::uint64_t byte = 0;
};

// "line L, column C (byte B)" for `offset` into `text`, shifted by `origin`.
std::string describePosition(std::string_view text, std::size_t offset, TextOrigin origin = {});

// Up to `maxBytes` of `text` from `offset`, quoted as a JSON string (so control bytes and
// quotes are visible), with "..." when cut; "end of input" when nothing is left.
std::string snippet(std::string_view text, std::size_t offset, std::size_t maxBytes = 40);

// Our own wording of RapidJSON's syntax errors; `atEnd` turns them into "unexpected end of
// input", which is what a truncated document really is.
std::string describeParseError(rapidjson::ParseErrorCode code, bool atEnd);

// Go's string escaping, without quotes (json::appendQuoted adds them).
void appendEscaped(std::string &out, std::string_view utf8);

// Assigns a string RapidJSON unescaped, reading an unpaired "\udc00"-style escape (which
// RapidJSON turns into the non-UTF-8 bytes ED B0 80) as U+FFFD, as Go's decoder does.
void assignUnescaped(std::string &out, const char *s, std::size_t n);

// Parsing without kParseValidateEncodingFlag, for callers that check UTF-8 themselves
// with scanText (RapidJSON validates one character at a time, which dominates decoding).
inline constexpr unsigned kParseFlagsTrustedUtf8 = kParseFlags & ~unsigned(rapidjson::kParseValidateEncodingFlag);

// One pass over JSON text: returns the offset of the first byte that is not valid UTF-8
// (npos when all is valid) and sets *normalized to whether the text, if it is valid JSON,
// is exactly what our normalizer would produce from it: no whitespace outside strings,
// only Go's escapes inside them.
std::size_t scanText(std::string_view text, bool *normalized);

// scanText's verdict for text already known to be valid JSON.
bool isNormalized(std::string_view validJson);

// Go encoding/json's formatting of a float64 / float32 (strconv 'f' or 'e', shortest
// round trip, "e-07" shortened to "e-7"). The caller rejects NaN and infinities.
void appendFloat64(std::string &out, double value);
void appendFloat32(std::string &out, float value);

void appendUnsigned(std::string &out, std::uint64_t value);
void appendSigned(std::string &out, std::int64_t value);

// Standard base64 with padding, as Go's encoding/json writes []byte.
void appendBase64(std::string &out, std::string_view bytes);

// A JSON number literal read exactly, for msgpack. Integer literals (no '.', 'e', 'E')
// become Int64 when they fit, else Uint64 when non-negative and they fit; anything else
// is a double. Fails with a reason when msgpack cannot hold the value exactly.
struct Number
{
    enum Kind { Int64, Uint64, Double } kind = Int64;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
};
bool parseNumber(std::string_view literal, Number &number, std::string &why);

// Nesting bookkeeping shared by every SAX handler: deeper than json::kMaxDepth stops the
// parse (the handler returns false) and the caller reports it from `tooDeep`.
struct DepthGuard
{
    int depth = 0;
    bool tooDeep = false;
    bool enter();
    void leave() { --depth; }
};

// "nesting deeper than 1000 levels"
std::string tooDeepMessage();

} // namespace rangedb::gojson

namespace rangedb::codec::detail {

// decodeJson with positions reported relative to `origin`. With `consumed`, the record is
// read from the front of `bytes` and *consumed gets its length (what follows is the
// caller's business); *truncated tells a record cut short by the end of `bytes` (more
// input could complete it) from a malformed one.
Status decodeJsonAt(std::string_view bytes, Record &record, bool *canonical,
                    gojson::TextOrigin origin, std::size_t *consumed = nullptr,
                    bool *truncated = nullptr);

// decodeMsgpack with byte offsets shifted by `baseOffset`; *truncated tells a record cut
// short by the end of `bytes` (more input could complete it) from a malformed one.
Status decodeMsgpackAt(std::string_view bytes, Record &record, std::size_t *consumed,
                       std::uint64_t baseOffset, bool *truncated);

} // namespace rangedb::codec::detail
