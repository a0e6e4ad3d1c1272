#pragma once

#include "rangedb/status.h"

#include <string>
#include <string_view>

// Number-exact JSON helpers over RapidJSON (numbers are kept as their literal text).
// Thread-safe: no shared state.
namespace rangedb::json {

// The deepest nesting of arrays and objects accepted anywhere (JSON and msgpack).
// Deeper input is a DecodeError, never a stack overflow.
inline constexpr int kMaxDepth = 1000;

// Validates `text` as exactly one JSON value (whitespace around it allowed) and returns it
// compact, with Go's encoding/json escaping (core/FORMAT.md, "JSON text"), keeping object
// key order and number literals exactly. Errors are DecodeError and name the line and
// column (1-based) and byte offset of the problem, prefixed by `what` when given
// ("data: line 1, column 7 (byte 6): missing a comma or '}'").
Result<std::string> normalize(std::string_view text, std::string_view what = {});

// Appends `utf8` as a JSON string literal (with quotes) using Go's escaping: \" \\ \n \r
// \t, other control bytes as \u00xx, <>& as \u003c \u003e \u0026, U+2028/U+2029 as
// \u2028/\u2029, invalid UTF-8 as \ufffd; everything else raw.
void appendQuoted(std::string &out, std::string_view utf8);
std::string quoted(std::string_view utf8);

// True when both texts are JSON values equal by meaning: objects compare as sets of
// members (key order ignored), arrays in order, numbers by exact value (1.50 == 1.5,
// 1e3 == 1000, 18446744073709551615 != 18446744073709551614), strings after unescaping.
// Invalid JSON on either side compares unequal.
bool equal(std::string_view a, std::string_view b);

// Pretty-printed JSON with `indent` spaces, number literals and key order kept.
Result<std::string> pretty(std::string_view text, int indent = 2);

// 1-based line and column of byte `offset` in `text` (column counts bytes).
struct TextPosition
{
    int line = 1;
    int column = 1;
};
TextPosition positionOf(std::string_view text, std::size_t offset);

} // namespace rangedb::json
