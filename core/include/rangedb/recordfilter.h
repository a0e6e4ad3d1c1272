#pragma once

#include "rangedb/record.h"
#include "rangedb/status.h"

#include <memory>
#include <string>
#include <string_view>

namespace rangedb {

// A search condition over records: parsed once, then matched against any number of
// records (README.md, "Search syntax").
//
// Syntax, informally:
//
//   premium                       plain word: case-insensitive substring of the event type,
//   "Café crème"                  aggregate type, aggregate ID, event ID, or the compact
//                                 JSON text of data and metadata (keys included)
//   amount > 100                  a condition on a field of data (the default)
//   user.id = 7                   nested members, dot separated
//   items[0].sku = "SKU-1"        array elements by index
//   data.total >= 9.25            "data." is optional
//   metadata.source = "cli"       metadata fields
//   data."a.b" = 1                quoted segments for names with dots, spaces, brackets
//   owner ~ "zoë"                 ~ : case-insensitive substring of the value's text
//   exists(metadata.user)         the field is present (with any value, null included)
//   eventType = AccountWasOpened  envelope fields: eventType, aggregateType, aggregateId,
//                                 eventId, globalSequenceNumber, streamSequenceNumber,
//                                 insertTimestamp (names case-insensitive; a data member
//                                 of the same name is reached as data.eventType)
//   insertTimestamp >= "2021-01-01T00:00:00Z"   an ISO date is turned into Unix seconds
//   a and b, a or b, not a, ( )   boolean logic; terms side by side mean "and"; and binds
//                                 tighter than or; keywords are case-insensitive
//
// Operators: = != < <= > >= ~. Values: numbers (JSON syntax), "quoted strings" (escapes
// \" \\ \n \t \r \/ \uXXXX), true, false, null, and bare words, which are strings.
// Comparisons are typed: a number literal matches JSON numbers only, compared by exact
// value (integers digit by digit, so 18446744073709551615 > 18446744073709551614; a
// comparison involving a fraction or exponent uses doubles); a string literal matches
// JSON strings only, compared byte-wise (code point order), case-sensitively;
// true/false/null match themselves with = and != only. The envelope's string fields take
// any literal as text (aggregateId = 1 works). != means "present and different".
// A condition on a missing field is false, whatever the operator; `not` turns a whole
// condition around, so `not exists(x)` and `not x = 1` match records without x.
// Objects and arrays: = and the orderings never match, != always does, ~ searches their
// compact JSON text. When a member name occurs twice in one object, the first counts.
//
// Plain-word search is ASCII case-insensitive on the raw bytes (fast); a word with
// non-ASCII letters is compared with Unicode simple case folding. In data and metadata the
// word is looked for as typed and in JSON-escaped form, so `a<b` finds the string "a<b"
// (stored as a\u003cb) and "\"qty\":2" finds that member.
//
// Thread-safety: a RecordFilter is immutable after parse(); matches() is const and may be
// called from any number of threads at once. Copies are cheap (shared state).
class RecordFilter
{
public:
    // The empty filter: matches every record.
    RecordFilter();

    // Parses `query`. An empty or all-blank query gives the empty filter. Errors are
    // InvalidArgument and name the 1-based column (in characters) of the problem:
    // "column 8: expected a value after '>'".
    static Result<RecordFilter> parse(std::string_view query);

    bool matches(const Record &record) const;

    // True for the filter that matches everything.
    bool isEmpty() const;
    // The query as given to parse().
    const std::string &query() const;
    // Whether matching needs to parse data or metadata JSON (a field condition on them);
    // plain words and envelope conditions never do.
    bool needsJsonParsing() const;

    class Impl;

private:
    explicit RecordFilter(std::shared_ptr<const Impl> impl);
    std::shared_ptr<const Impl> m_impl;
};

} // namespace rangedb
