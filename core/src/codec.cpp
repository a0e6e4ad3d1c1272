#include "rangedb/codec.h"

#include "rangedb/json.h"

#include "gojson.h"

#include <msgpack/pack.hpp>
#include <msgpack/unpack.hpp>

#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <vector>

namespace rangedb {

const char *serializerName(Serializer serializer)
{
    return serializer == Serializer::Json ? "json" : "msgpack";
}

namespace codec {

namespace {

using gojson::TextOrigin;
using rapidjson::SizeType;

constexpr std::string_view kJsonPrefix = "failed unmarshalling record: ";

enum Field : int {
    AggregateType,
    AggregateId,
    GlobalSequenceNumber,
    StreamSequenceNumber,
    InsertTimestamp,
    EventId,
    EventType,
    Data,
    Metadata,
    Unknown,
};

constexpr std::string_view kFieldNames[] = {
    "aggregateType", "aggregateID", "globalSequenceNumber", "streamSequenceNumber",
    "insertTimestamp", "eventID", "eventType", "data", "metadata",
};
constexpr int kRequiredMask = (1 << Data) - 1; // every field before data

bool isStringField(int f)
{
    return f == AggregateType || f == AggregateId || f == EventId || f == EventType;
}
bool isNumberField(int f)
{
    return f == GlobalSequenceNumber || f == StreamSequenceNumber || f == InsertTimestamp;
}

bool equalsIgnoringAsciiCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

// Go matches JSON keys to struct fields case-insensitively; ASCII folding is enough for
// these names. `exact` tells whether the spelling was rangedb's own.
int matchJsonKey(std::string_view key, bool &exact)
{
    for (int f = 0; f < Unknown; ++f) {
        if (key.size() != kFieldNames[f].size())
            continue;
        if (key == kFieldNames[f]) {
            exact = true;
            return f;
        }
        if (equalsIgnoringAsciiCase(key, kFieldNames[f])) {
            exact = false;
            return f;
        }
    }
    exact = false;
    return Unknown;
}

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string missingFieldsMessage(int seen, bool msgpackKeys)
{
    static constexpr char kMsgpackKeys[] = "aigsuet";
    std::string names;
    int count = 0;
    for (int f = 0; f < Data; ++f) {
        if (seen & (1 << f))
            continue;
        if (count++ > 0)
            names += ", ";
        names += '"';
        names += kFieldNames[f];
        names += '"';
        if (msgpackKeys) {
            names += " (key \"";
            names += kMsgpackKeys[f];
            names += "\")";
        }
    }
    return (count == 1 ? "missing required field " : "missing required fields ") + names;
}

// SAX handler for one JSON record. Field values are taken at depth 1; data and metadata
// are captured as byte spans of the input and never rebuilt, which is what makes decoding
// fast and keeps their text exact.
class JsonRecordHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, JsonRecordHandler>
{
public:
    JsonRecordHandler(std::string_view bytes, const rapidjson::MemoryStream &stream, Record &record)
        : m_bytes(bytes), m_stream(stream), m_record(record)
    {
    }

    gojson::DepthGuard guard;
    int seen = 0;
    bool exactLayout = true; // keys so far are rangedb's, in its order, each once
    std::string_view dataSpan;
    std::string_view metadataSpan;
    bool hasData = false;
    bool hasMetadata = false;
    // Set when the handler stopped the parse for a reason of its own.
    std::string error;
    std::size_t errorOffset = 0;

    bool Null() { return scalar(); }
    bool Bool(bool) { return scalar(); }
    bool RawNumber(const char *s, SizeType n, bool)
    {
        if (guard.depth != 1)
            return rootCheck();
        if (isNumberField(m_field)) {
            std::uint64_t v = 0;
            const auto r = std::from_chars(s, s + n, v);
            if (r.ec == std::errc::result_out_of_range && r.ptr == s + n)
                return typeError("a non-negative integer up to 18446744073709551615");
            if (r.ec != std::errc() || r.ptr != s + n)
                return typeError("a non-negative integer");
            numberRef(m_field) = v;
            return true;
        }
        return scalar();
    }
    bool String(const char *s, SizeType n, bool)
    {
        if (guard.depth != 1)
            return rootCheck();
        if (isStringField(m_field)) {
            gojson::assignUnescaped(stringRef(m_field), s, n);
            return true;
        }
        return scalar();
    }
    bool Key(const char *s, SizeType n, bool)
    {
        if (guard.depth != 1)
            return true;
        bool exact = false;
        m_field = matchJsonKey(std::string_view(s, n), exact);
        if (m_field == Unknown) {
            exactLayout = false;
        } else {
            if (!exact || m_field != m_nextField)
                exactLayout = false;
            seen |= 1 << m_field;
            ++m_nextField;
        }
        m_keyEnd = m_stream.Tell();
        return true;
    }
    // RapidJSON's iterative parser calls the Start/End callbacks before it takes the
    // bracket, so Tell() is the bracket's offset there.
    bool StartObject() { return open(true); }
    bool StartArray() { return open(false); }
    bool EndObject(SizeType) { return close(); }
    bool EndArray(SizeType) { return close(); }
    bool Default() { return false; }

private:
    bool rootCheck()
    {
        if (guard.depth == 0)
            return fail("expected a JSON object", skipSpace(0));
        return true;
    }

    bool open(bool isObject)
    {
        if (guard.depth == 0 && !isObject)
            return fail("expected a JSON object", m_stream.Tell());
        if (guard.depth == 1 && (isStringField(m_field) || isNumberField(m_field)))
            return typeError(isNumberField(m_field) ? "a non-negative integer" : "a string");
        return guard.enter();
    }

    bool close()
    {
        guard.leave();
        if (guard.depth == 1)
            captureSpan(m_stream.Tell() + 1);
        return true;
    }

    bool scalar()
    {
        if (guard.depth != 1)
            return rootCheck();
        if (isStringField(m_field))
            return typeError("a string");
        if (isNumberField(m_field))
            return typeError("a non-negative integer");
        captureSpan(m_stream.Tell());
        return true;
    }

    void captureSpan(std::size_t end)
    {
        if (m_field != Data && m_field != Metadata)
            return;
        const std::size_t start = valueStart();
        const std::string_view span = m_bytes.substr(start, end - start);
        if (m_field == Data) {
            dataSpan = span;
            hasData = true;
        } else {
            metadataSpan = span;
            hasMetadata = true;
        }
    }

    std::size_t skipSpace(std::size_t i) const
    {
        while (i < m_bytes.size() && isJsonSpace(m_bytes[i]))
            ++i;
        return i;
    }

    // The value of the current member starts after the key, whitespace, ':' and whitespace.
    std::size_t valueStart() const
    {
        std::size_t i = skipSpace(m_keyEnd);
        if (i < m_bytes.size() && m_bytes[i] == ':')
            ++i;
        return skipSpace(i);
    }

    bool typeError(const char *expected)
    {
        const std::size_t start = valueStart();
        std::string_view found = m_bytes.substr(start, std::max(m_stream.Tell(), start + 1) - start);
        std::string foundText(found.substr(0, 40));
        if (found.size() > 40)
            foundText += "...";
        return fail("field \"" + std::string(kFieldNames[m_field]) + "\": expected " + expected
                        + ", found " + foundText,
                    start);
    }

    bool fail(std::string message, std::size_t offset)
    {
        error = std::move(message);
        errorOffset = offset;
        return false;
    }

    std::string &stringRef(int f)
    {
        switch (f) {
        case AggregateType: return m_record.aggregateType;
        case AggregateId: return m_record.aggregateId;
        case EventId: return m_record.eventId;
        default: return m_record.eventType;
        }
    }
    std::uint64_t &numberRef(int f)
    {
        switch (f) {
        case GlobalSequenceNumber: return m_record.globalSequenceNumber;
        case StreamSequenceNumber: return m_record.streamSequenceNumber;
        default: return m_record.insertTimestamp;
        }
    }

    std::string_view m_bytes;
    const rapidjson::MemoryStream &m_stream;
    Record &m_record;
    int m_field = Unknown;
    int m_nextField = 0;
    std::size_t m_keyEnd = 0;
};

Status jsonError(std::string_view bytes, std::size_t offset, const std::string &message,
                 TextOrigin origin)
{
    return Status::error(ErrorCode::DecodeError,
                         std::string(kJsonPrefix) + message + " at "
                             + gojson::describePosition(bytes, offset, origin));
}

// data/metadata spans are normally stored compact and Go-escaped already; only other
// spellings are rewritten.
Status takeJsonSpan(std::string_view span, std::string &target, const char *what)
{
    if (gojson::isNormalized(span)) {
        target.assign(span);
        return {};
    }
    Result<std::string> normalized = json::normalize(span, what);
    if (!normalized.ok())
        return Status::error(ErrorCode::DecodeError,
                             std::string(kJsonPrefix) + normalized.status().message());
    target = std::move(normalized).value();
    return {};
}

// ---- msgpack writing -------------------------------------------------------------------

// Always 0xcb + 8 bytes, as Go writes a float64. msgpack-c's pack_double would write an
// integral double (2.0, -0.0) as a compact integer, which changes the value's type.
void appendFloat64(std::string &out, double value)
{
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    char buf[9];
    buf[0] = static_cast<char>(0xcb);
    for (int i = 0; i < 8; ++i)
        buf[1 + i] = static_cast<char>((bits >> (56 - 8 * i)) & 0xff);
    out.append(buf, sizeof buf);
}

struct StringSink
{
    std::string *out;
    void write(const char *data, std::size_t size) { out->append(data, size); }
};
using Packer = msgpack::packer<StringSink>;

// Converts JSON SAX events to msgpack. Container sizes are known only at their end, so
// the contents go to `body` and each container's header is remembered by position and
// written in when the result is assembled: one pass, no recursion, compact headers.
class MsgpackBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, MsgpackBuilder>
{
public:
    explicit MsgpackBuilder(const rapidjson::MemoryStream &stream)
        : m_stream(stream), m_sink{&body}, m_packer(m_sink)
    {
    }

    gojson::DepthGuard guard;
    std::string body;
    std::string error;
    std::size_t errorOffset = 0;

    struct Header
    {
        std::size_t position;
        bool isMap;
        std::uint64_t count;
    };
    std::vector<Header> headers;

    bool Null()
    {
        countItem();
        m_packer.pack_nil();
        return true;
    }
    bool Bool(bool b)
    {
        countItem();
        if (b)
            m_packer.pack_true();
        else
            m_packer.pack_false();
        return true;
    }
    bool RawNumber(const char *s, SizeType n, bool)
    {
        countItem();
        gojson::Number number;
        std::string why;
        if (!gojson::parseNumber(std::string_view(s, n), number, why)) {
            error = why + ": msgpack cannot hold it exactly";
            errorOffset = m_stream.Tell() - n;
            return false;
        }
        switch (number.kind) {
        case gojson::Number::Int64: m_packer.pack_fix_int64(number.i); break;
        case gojson::Number::Uint64: m_packer.pack_fix_uint64(number.u); break;
        case gojson::Number::Double: appendFloat64(body, number.d); break;
        }
        return true;
    }
    bool String(const char *s, SizeType n, bool)
    {
        countItem();
        return packString(s, n);
    }
    bool Key(const char *s, SizeType n, bool)
    {
        ++headers[m_open.back()].count;
        return packString(s, n);
    }
    bool StartObject() { return open(true); }
    bool StartArray() { return open(false); }
    bool EndObject(SizeType) { return close(); }
    bool EndArray(SizeType) { return close(); }
    bool Default() { return false; }

    Status assemble(std::string &out) const
    {
        StringSink sink{&out};
        Packer packer(sink);
        std::size_t done = 0;
        for (const Header &h : headers) {
            if (h.count > std::numeric_limits<std::uint32_t>::max())
                return Status::error(ErrorCode::EncodeError, "a container of more than 2^32-1 entries");
            out.append(body, done, h.position - done);
            done = h.position;
            if (h.isMap)
                packer.pack_map(static_cast<std::uint32_t>(h.count));
            else
                packer.pack_array(static_cast<std::uint32_t>(h.count));
        }
        out.append(body, done, std::string::npos);
        return {};
    }

private:
    void countItem()
    {
        if (!m_open.empty() && !headers[m_open.back()].isMap)
            ++headers[m_open.back()].count;
    }
    bool open(bool isMap)
    {
        if (!guard.enter())
            return false;
        countItem();
        m_open.push_back(headers.size());
        headers.push_back(Header{body.size(), isMap, 0});
        return true;
    }
    bool close()
    {
        guard.leave();
        m_open.pop_back();
        return true;
    }
    bool packString(const char *s, std::size_t n)
    {
        if (n > std::numeric_limits<std::uint32_t>::max()) {
            error = "a string longer than 4 GiB";
            errorOffset = m_stream.Tell();
            return false;
        }
        std::string fixed;
        const char *data = s;
        if (std::memchr(s, 0xed, n) != nullptr) {
            gojson::assignUnescaped(fixed, s, n);
            data = fixed.data();
            n = fixed.size();
        }
        m_packer.pack_str(static_cast<std::uint32_t>(n));
        m_packer.pack_str_body(data, static_cast<std::uint32_t>(n));
        return true;
    }

    const rapidjson::MemoryStream &m_stream;
    StringSink m_sink;
    Packer m_packer;
    std::vector<std::size_t> m_open;
};

void packString(Packer &packer, std::string_view s)
{
    packer.pack_str(static_cast<std::uint32_t>(s.size()));
    packer.pack_str_body(s.data(), static_cast<std::uint32_t>(s.size()));
}

// ---- msgpack reading -------------------------------------------------------------------

constexpr char kMsgpackKeys[] = "aigsuetdm";

// A msgpack-c SAX visitor that writes one object as JSON text, or, in record mode, reads
// the record map: its typed fields at level 1, metadata as JSON, any other value (the
// inline "d", unknown keys) checked and dropped. Containers live on msgpack-c's heap
// stack, never on ours, and the visitor stops the parse beyond json::kMaxDepth.
class MsgpackVisitor
{
public:
    MsgpackVisitor(bool recordMode, std::string *out, Record *record)
        : m_recordMode(recordMode), m_out(out), m_record(record)
    {
    }

    gojson::DepthGuard guard;
    std::string error;
    bool invalidCode = false;
    bool rootError = false; // the object was not a map: reported at its first byte
    std::size_t errorOffset = 0;
    int seen = 0;

    bool visit_nil()
    {
        // Integer fields accept nil as 0, as rangedb's decoder does.
        if (where() == Where::TypedField && isNumberField(m_field)) {
            numberRef() = 0;
            return true;
        }
        return jsonScalar("nil", "nil", "null");
    }
    bool visit_boolean(bool v)
    {
        const char *text = v ? "true" : "false";
        return jsonScalar("a boolean", text, text);
    }
    bool visit_positive_integer(std::uint64_t v)
    {
        switch (where()) {
        case Where::RecordRoot: return rootFail("an integer");
        case Where::RecordKey: return keyError("an integer");
        case Where::TypedField:
            if (isNumberField(m_field)) {
                numberRef() = v;
                return true;
            }
            return fieldTypeError(std::to_string(v));
        case Where::Json: break;
        }
        if (m_inKey)
            return keyError("an integer");
        gojson::appendUnsigned(*m_out, v);
        return true;
    }
    // msgpack-c reports every signed encoding (0xd0-0xd3) here, also non-negative values.
    bool visit_negative_integer(std::int64_t v)
    {
        if (v >= 0)
            return visit_positive_integer(static_cast<std::uint64_t>(v));
        const std::string text = std::to_string(v);
        return jsonScalar("an integer", text, text);
    }
    bool visit_float32(float v)
    {
        if (!std::isfinite(v))
            return fail("float " + std::to_string(v) + " cannot be written as JSON");
        std::string text;
        gojson::appendFloat32(text, v);
        return jsonScalar("a float", text, text);
    }
    bool visit_float64(double v)
    {
        if (!std::isfinite(v))
            return fail("float " + std::to_string(v) + " cannot be written as JSON");
        std::string text;
        gojson::appendFloat64(text, v);
        return jsonScalar("a float", text, text);
    }
    bool visit_str(const char *v, std::uint32_t size)
    {
        const std::string_view s = size == 0 ? std::string_view() : std::string_view(v, size);
        switch (where()) {
        case Where::RecordRoot: return rootFail("a string");
        case Where::RecordKey:
            m_field = Unknown;
            if (s.size() == 1) {
                if (const void *p = std::memchr(kMsgpackKeys, s[0], 9); p != nullptr)
                    m_field = static_cast<int>(static_cast<const char *>(p) - kMsgpackKeys);
            }
            return true;
        case Where::TypedField:
            if (isStringField(m_field)) {
                stringRef().assign(s);
                return true;
            }
            return fieldTypeError(json::quoted(s.substr(0, 40)));
        case Where::Json: break;
        }
        json::appendQuoted(*m_out, s);
        return true;
    }
    bool visit_bin(const char *v, std::uint32_t size)
    {
        switch (where()) {
        case Where::RecordRoot: return rootFail("binary data");
        case Where::RecordKey: return keyError("binary data");
        case Where::TypedField: return fieldTypeError("binary data");
        case Where::Json: break;
        }
        if (m_inKey)
            return keyError("binary data");
        m_out->push_back('"');
        gojson::appendBase64(*m_out, size == 0 ? std::string_view() : std::string_view(v, size));
        m_out->push_back('"');
        return true;
    }
    bool visit_ext(const char *, std::uint32_t)
    {
        if (where() == Where::RecordRoot)
            return rootFail("an extension value");
        return fail("unsupported msgpack extension type");
    }
    bool start_array(std::uint32_t)
    {
        if (!openContainer("an array"))
            return false;
        m_out->push_back('[');
        m_first.push_back(true);
        return true;
    }
    bool start_array_item()
    {
        separate();
        return true;
    }
    bool end_array_item() { return true; }
    bool end_array()
    {
        guard.leave();
        m_first.pop_back();
        m_out->push_back(']');
        return true;
    }
    bool start_map(std::uint32_t)
    {
        if (m_recordMode && guard.depth == 0)
            return guard.enter();
        if (!openContainer("a map"))
            return false;
        m_out->push_back('{');
        m_first.push_back(true);
        return true;
    }
    bool start_map_key()
    {
        if (atRecordMap())
            m_field = Unknown;
        else
            separate();
        m_inKey = true;
        return true;
    }
    bool end_map_key()
    {
        m_inKey = false;
        if (!atRecordMap())
            m_out->push_back(':');
        return true;
    }
    bool start_map_value()
    {
        if (atRecordMap()) {
            m_out = m_field == Metadata ? &m_record->metadata : &m_discard;
            m_out->clear();
            if (m_field != Unknown)
                seen |= 1 << m_field;
        }
        return true;
    }
    bool end_map_value() { return true; }
    bool end_map()
    {
        guard.leave();
        if (m_recordMode && guard.depth == 0)
            return true;
        m_first.pop_back();
        m_out->push_back('}');
        return true;
    }
    void parse_error(std::size_t, std::size_t errorAt)
    {
        invalidCode = true;
        errorOffset = errorAt;
    }
    void insufficient_bytes(std::size_t, std::size_t) {}
    bool referenced() const { return false; }
    void set_referenced(bool) {}

private:
    enum class Where { RecordRoot, RecordKey, TypedField, Json };

    bool atRecordMap() const { return m_recordMode && guard.depth == 1; }

    Where where() const
    {
        if (m_recordMode) {
            if (guard.depth == 0)
                return Where::RecordRoot;
            if (guard.depth == 1) {
                if (m_inKey)
                    return Where::RecordKey;
                if (m_field < Data)
                    return Where::TypedField;
            }
        }
        return Where::Json;
    }

    // A scalar of `kind` whose JSON form is `json`: appended where JSON is being written,
    // refused (naming what was found as `shown`) where the record needs a map, a key or a
    // field of another type.
    bool jsonScalar(const char *kind, std::string_view shown, std::string_view json)
    {
        switch (where()) {
        case Where::RecordRoot: return rootFail(kind);
        case Where::RecordKey: return keyError(kind);
        case Where::TypedField: return fieldTypeError(std::string(shown));
        case Where::Json: break;
        }
        if (m_inKey)
            return keyError(kind);
        m_out->append(json);
        return true;
    }

    bool openContainer(const char *what)
    {
        switch (where()) {
        case Where::RecordRoot: return rootFail(what);
        case Where::RecordKey: return keyError(what);
        case Where::TypedField: return fieldTypeError(what);
        case Where::Json: break;
        }
        if (m_inKey)
            return keyError(what);
        return guard.enter();
    }

    void separate()
    {
        if (m_first.back())
            m_first.back() = false;
        else
            m_out->push_back(',');
    }

    bool fieldTypeError(const std::string &found)
    {
        const char *expected = isNumberField(m_field) ? "a non-negative integer" : "a string";
        return fail("field \"" + std::string(1, kMsgpackKeys[m_field]) + "\" ("
                    + std::string(kFieldNames[m_field]) + "): expected " + expected + ", found " + found);
    }

    bool rootFail(const char *found)
    {
        rootError = true;
        return fail(std::string("expected the record map, found ") + found);
    }

    bool keyError(const char *found) { return fail(std::string("map keys must be strings, found ") + found); }

    bool fail(std::string message)
    {
        error = std::move(message);
        return false;
    }

    std::string &stringRef()
    {
        switch (m_field) {
        case AggregateType: return m_record->aggregateType;
        case AggregateId: return m_record->aggregateId;
        case EventId: return m_record->eventId;
        default: return m_record->eventType;
        }
    }
    std::uint64_t &numberRef()
    {
        switch (m_field) {
        case GlobalSequenceNumber: return m_record->globalSequenceNumber;
        case StreamSequenceNumber: return m_record->streamSequenceNumber;
        default: return m_record->insertTimestamp;
        }
    }

    bool m_recordMode;
    std::string *m_out;
    Record *m_record;
    std::string m_discard;
    std::vector<bool> m_first;
    bool m_inKey = false;
    int m_field = Unknown;
};

enum class ParseOutcome { Done, Truncated, Failed };

std::string hexByte(char c)
{
    char hex[4];
    const auto r = std::to_chars(hex, hex + sizeof hex, static_cast<unsigned>(static_cast<unsigned char>(c)), 16);
    return std::string(hex, r.ptr);
}

// Runs one msgpack object through `visitor` from `offset`; on Done, `offset` is past it.
// On failure `message` says what and where (absolute byte offsets). We drive msgpack-c's
// parse_helper directly rather than msgpack::parse() because only it reports where a
// visitor stopped the parse, which our error messages need.
ParseOutcome parseMsgpackObject(std::string_view bytes, std::size_t &offset, MsgpackVisitor &visitor,
                                std::uint64_t baseOffset, std::string &message)
{
    std::size_t off = offset;
    msgpack::v2::parse_return ret = msgpack::v2::PARSE_PARSE_ERROR;
    try {
        msgpack::v2::detail::parse_helper<MsgpackVisitor> helper(visitor);
        ret = helper.execute(bytes.data(), bytes.size(), off);
    } catch (const std::exception &e) {
        message = std::string("malformed msgpack (") + e.what() + ") in the value at byte "
            + std::to_string(baseOffset + offset);
        return ParseOutcome::Failed;
    }
    switch (ret) {
    case msgpack::v2::PARSE_SUCCESS:
    case msgpack::v2::PARSE_EXTRA_BYTES:
        offset = off;
        return ParseOutcome::Done;
    case msgpack::v2::PARSE_CONTINUE:
        message = "truncated input: the value at byte " + std::to_string(baseOffset + offset)
            + " is cut short at byte " + std::to_string(baseOffset + bytes.size())
            + " (reading stopped at byte " + std::to_string(baseOffset + off) + ")";
        return ParseOutcome::Truncated;
    case msgpack::v2::PARSE_STOP_VISITOR:
        if (visitor.rootError) {
            message = visitor.error + " (code=" + hexByte(bytes[offset]) + ") at byte "
                + std::to_string(baseOffset + offset);
            return ParseOutcome::Failed;
        }
        message = (visitor.guard.tooDeep ? gojson::tooDeepMessage() : visitor.error) + " before byte "
            + std::to_string(baseOffset + off);
        return ParseOutcome::Failed;
    case msgpack::v2::PARSE_PARSE_ERROR:
    default: {
        const std::size_t at = visitor.invalidCode && visitor.errorOffset < bytes.size() ? visitor.errorOffset : offset;
        message = "invalid code=" + hexByte(bytes[at]) + " at byte " + std::to_string(baseOffset + at);
        return ParseOutcome::Failed;
    }
    }
}

} // namespace

// ---- JSON ------------------------------------------------------------------------------

void appendJson(std::string &out, const Record &record)
{
    const std::string_view data = record.data.empty() ? std::string_view("null") : record.data;
    const std::string_view metadata = record.metadata.empty() ? std::string_view("null") : record.metadata;
    out.reserve(out.size() + 224 + record.aggregateType.size() + record.aggregateId.size()
                + record.eventId.size() + record.eventType.size() + data.size() + metadata.size());
    out.append("{\"aggregateType\":");
    json::appendQuoted(out, record.aggregateType);
    out.append(",\"aggregateID\":");
    json::appendQuoted(out, record.aggregateId);
    out.append(",\"globalSequenceNumber\":");
    gojson::appendUnsigned(out, record.globalSequenceNumber);
    out.append(",\"streamSequenceNumber\":");
    gojson::appendUnsigned(out, record.streamSequenceNumber);
    out.append(",\"insertTimestamp\":");
    gojson::appendUnsigned(out, record.insertTimestamp);
    out.append(",\"eventID\":");
    json::appendQuoted(out, record.eventId);
    out.append(",\"eventType\":");
    json::appendQuoted(out, record.eventType);
    out.append(",\"data\":");
    out.append(data);
    out.append(",\"metadata\":");
    out.append(metadata);
    out.push_back('}');
}

std::string toJson(const Record &record)
{
    std::string out;
    appendJson(out, record);
    return out;
}

namespace detail {

Status decodeJsonAt(std::string_view bytes, Record &record, bool *canonical, TextOrigin origin,
                    std::size_t *consumed, bool *truncated)
{
    if (canonical != nullptr)
        *canonical = false;
    if (truncated != nullptr)
        *truncated = bytes.empty();
    if (bytes.empty())
        return Status::error(ErrorCode::DecodeError, std::string(kJsonPrefix) + "empty input");

    // Decoding into a per-thread scratch record and swapping it in reuses the string
    // buffers of both from record to record, and leaves `record` untouched on failure.
    thread_local Record decoded;
    decoded.data = "null";
    decoded.metadata = "null";
    rapidjson::MemoryStream stream(bytes.data(), bytes.size());
    JsonRecordHandler handler(bytes, stream, decoded);
    // A reader per thread keeps its scratch stack between records: no allocation per call.
    thread_local rapidjson::Reader reader;
    const rapidjson::ParseResult result = reader.Parse<gojson::kParseFlagsTrustedUtf8>(stream, handler);

    // UTF-8 is checked by our own scan of what the parser read, which also tells whether
    // the text is already in Go's form; RapidJSON's per-character validation would cost
    // more than the parse. Invalid UTF-8 is reported when it comes before any other error.
    const std::size_t failedAt = !result.IsError() ? stream.Tell()
        : !handler.error.empty()                   ? handler.errorOffset
                                                   : result.Offset();
    bool normalized = false;
    const std::size_t badUtf8 = gojson::scanText(bytes.substr(0, failedAt), &normalized);
    // A sequence cut by the end of the input is a truncation, not bad UTF-8 (yet).
    const bool endedEarly = result.IsError() && handler.error.empty() && result.Offset() >= bytes.size();
    if (badUtf8 != std::string_view::npos && !(endedEarly && bytes.size() - badUtf8 < 4))
        return jsonError(bytes, badUtf8, "invalid UTF-8 in a string", origin);
    if (result.IsError()) {
        if (!handler.error.empty())
            return jsonError(bytes, handler.errorOffset, handler.error, origin);
        const std::size_t offset = result.Offset();
        // RapidJSON places a bad \u escape at its start, not where the input ran out: an
        // escape (or surrogate pair, 12 bytes) cut by the end of a buffer is a truncation.
        const bool cutEscape = bytes.size() - std::min(offset, bytes.size()) < 12
            && (result.Code() == rapidjson::kParseErrorStringUnicodeEscapeInvalidHex
                || result.Code() == rapidjson::kParseErrorStringUnicodeSurrogateInvalid
                || result.Code() == rapidjson::kParseErrorStringEscapeInvalid);
        if (truncated != nullptr && (offset >= bytes.size() || cutEscape) && !handler.guard.tooDeep)
            *truncated = true;
        std::string message = handler.guard.tooDeep
            ? gojson::tooDeepMessage()
            : gojson::describeParseError(result.Code(), offset >= bytes.size());
        if (offset < bytes.size())
            message += ", near " + gojson::snippet(bytes, offset);
        return jsonError(bytes, offset, message, origin);
    }
    if (consumed != nullptr) {
        *consumed = stream.Tell();
    } else {
        std::size_t end = stream.Tell();
        if (end != bytes.size())
            normalized = false; // trailing whitespace at least
        while (end < bytes.size() && isJsonSpace(bytes[end]))
            ++end;
        if (end != bytes.size())
            return jsonError(bytes, end, "unexpected text after the record, near " + gojson::snippet(bytes, end),
                             origin);
    }
    if ((handler.seen & kRequiredMask) != kRequiredMask)
        return Status::error(ErrorCode::DecodeError,
                             std::string(kJsonPrefix) + missingFieldsMessage(handler.seen, false) + " in the record at "
                                 + gojson::describePosition(bytes, 0, origin));

    const bool exact = handler.exactLayout && (handler.seen & (1 << Metadata)) && normalized;
    if (exact) {
        decoded.data.assign(handler.dataSpan);
        decoded.metadata.assign(handler.metadataSpan);
    } else {
        if (handler.hasData) {
            if (Status s = takeJsonSpan(handler.dataSpan, decoded.data, "data"); !s.ok())
                return s;
        }
        if (handler.hasMetadata) {
            if (Status s = takeJsonSpan(handler.metadataSpan, decoded.metadata, "metadata"); !s.ok())
                return s;
        }
    }
    std::swap(record, decoded);
    if (canonical != nullptr)
        *canonical = exact;
    return {};
}

Status decodeMsgpackAt(std::string_view bytes, Record &record, std::size_t *consumed,
                       std::uint64_t baseOffset, bool *truncated)
{
    if (truncated != nullptr)
        *truncated = false;
    if (bytes.empty())
        return Status::error(ErrorCode::DecodeError, "failed decoding record: EOF (empty input at byte "
                                                         + std::to_string(baseOffset) + ")");
    Record decoded;
    decoded.metadata.clear();
    std::string message;
    std::size_t offset = 0;
    MsgpackVisitor recordVisitor(true, &decoded.metadata, &decoded);
    ParseOutcome outcome = parseMsgpackObject(bytes, offset, recordVisitor, baseOffset, message);
    if (outcome != ParseOutcome::Done) {
        if (truncated != nullptr)
            *truncated = outcome == ParseOutcome::Truncated;
        return Status::error(ErrorCode::DecodeError, "failed decoding record: " + message);
    }
    if ((recordVisitor.seen & kRequiredMask) != kRequiredMask)
        return Status::error(ErrorCode::DecodeError,
                             "failed decoding record: " + missingFieldsMessage(recordVisitor.seen, true)
                                 + " in the record map at byte " + std::to_string(baseOffset));
    if (!(recordVisitor.seen & (1 << Metadata)) || decoded.metadata.empty())
        decoded.metadata = "null";

    if (offset >= bytes.size()) {
        if (truncated != nullptr)
            *truncated = true;
        return Status::error(ErrorCode::DecodeError,
                             "failed decoding event after record: EOF (truncated input: the data object "
                             "that follows the record map is missing at byte "
                                 + std::to_string(baseOffset + offset) + ")");
    }
    decoded.data.clear();
    MsgpackVisitor dataVisitor(false, &decoded.data, nullptr);
    outcome = parseMsgpackObject(bytes, offset, dataVisitor, baseOffset, message);
    if (outcome != ParseOutcome::Done) {
        if (truncated != nullptr)
            *truncated = outcome == ParseOutcome::Truncated;
        return Status::error(ErrorCode::DecodeError, "failed decoding event after record: " + message);
    }
    if (consumed != nullptr) {
        *consumed = offset;
    } else if (offset != bytes.size()) {
        return Status::error(ErrorCode::DecodeError,
                             "failed decoding record: unexpected bytes after the record at byte "
                                 + std::to_string(baseOffset + offset));
    }
    record = std::move(decoded);
    return {};
}

} // namespace detail

Status decodeJson(std::string_view bytes, Record &record, bool *canonical)
{
    return detail::decodeJsonAt(bytes, record, canonical, TextOrigin{});
}

// ---- msgpack ---------------------------------------------------------------------------

Status appendJsonAsMsgpack(std::string &out, std::string_view json, std::string_view what)
{
    rapidjson::MemoryStream stream(json.data(), json.size());
    MsgpackBuilder builder(stream);
    rapidjson::Reader reader;
    const rapidjson::ParseResult result = reader.Parse<gojson::kParseFlags>(stream, builder);
    std::string message;
    std::size_t offset = 0;
    if (result.IsError()) {
        if (!builder.error.empty()) {
            message = builder.error;
            offset = builder.errorOffset;
        } else {
            offset = result.Offset();
            message = "invalid JSON: "
                + (builder.guard.tooDeep ? gojson::tooDeepMessage()
                                         : gojson::describeParseError(result.Code(), offset >= json.size()));
        }
    } else {
        offset = stream.Tell();
        while (offset < json.size() && isJsonSpace(json[offset]))
            ++offset;
        if (offset == json.size()) {
            const std::size_t before = out.size();
            if (Status s = builder.assemble(out); !s.ok()) {
                out.resize(before);
                return Status::error(ErrorCode::EncodeError, std::string(what) + ": " + s.message());
            }
            return {};
        }
        message = "invalid JSON: unexpected text after the value";
    }
    return Status::error(ErrorCode::EncodeError, std::string(what) + ": " + message + " at "
                             + gojson::describePosition(json, offset));
}

Status appendMsgpack(std::string &out, const Record &record)
{
    const std::size_t before = out.size();
    for (const std::string *s : {&record.aggregateType, &record.aggregateId, &record.eventId, &record.eventType}) {
        if (s->size() > std::numeric_limits<std::uint32_t>::max())
            return Status::error(ErrorCode::EncodeError, "failed encoding record: a string longer than 4 GiB");
    }
    StringSink sink{&out};
    Packer packer(sink);
    const auto key = [&](char k) {
        packer.pack_str(1);
        packer.pack_str_body(&k, 1);
    };
    packer.pack_map(9);
    key('a');
    packString(packer, record.aggregateType);
    key('i');
    packString(packer, record.aggregateId);
    key('g');
    packer.pack_fix_uint64(record.globalSequenceNumber);
    key('s');
    packer.pack_fix_uint64(record.streamSequenceNumber);
    key('u');
    packer.pack_fix_uint64(record.insertTimestamp);
    key('e');
    packString(packer, record.eventId);
    key('t');
    packString(packer, record.eventType);
    key('d');
    packer.pack_nil();
    key('m');
    if (Status s = appendJsonAsMsgpack(out, record.metadata.empty() ? "null" : record.metadata, "metadata");
        !s.ok()) {
        out.resize(before);
        return Status::error(ErrorCode::EncodeError, "failed encoding record: " + s.message());
    }
    if (Status s = appendJsonAsMsgpack(out, record.data.empty() ? "null" : record.data, "data"); !s.ok()) {
        out.resize(before);
        return Status::error(ErrorCode::EncodeError, "failed encoding record data: " + s.message());
    }
    return {};
}

Status decodeMsgpack(std::string_view bytes, Record &record, std::size_t *consumed)
{
    return detail::decodeMsgpackAt(bytes, record, consumed, 0, nullptr);
}

Status msgpackToJson(std::string_view bytes, std::string &json, std::size_t *consumed)
{
    if (bytes.empty())
        return Status::error(ErrorCode::DecodeError, "failed decoding msgpack: EOF (empty input)");
    std::string out;
    MsgpackVisitor visitor(false, &out, nullptr);
    std::string message;
    std::size_t offset = 0;
    if (parseMsgpackObject(bytes, offset, visitor, 0, message) != ParseOutcome::Done)
        return Status::error(ErrorCode::DecodeError, "failed decoding msgpack: " + message);
    if (consumed != nullptr)
        *consumed = offset;
    else if (offset != bytes.size())
        return Status::error(ErrorCode::DecodeError,
                             "failed decoding msgpack: unexpected bytes after the value at byte "
                                 + std::to_string(offset));
    json = std::move(out);
    return {};
}

Status decode(std::string_view bytes, Record &record, bool *canonicalJson)
{
    if (canonicalJson != nullptr)
        *canonicalJson = false;
    Result<Serializer> kind = detect(bytes);
    if (!kind.ok())
        return Status::error(ErrorCode::DecodeError, kind.status().message());
    if (*kind == Serializer::Json)
        return decodeJson(bytes, record, canonicalJson);
    return decodeMsgpack(bytes, record, nullptr);
}

Result<Serializer> detect(std::string_view bytes)
{
    if (!bytes.empty() && bytes.front() == '{')
        return Serializer::Json;
    if (!bytes.empty() && static_cast<unsigned char>(bytes.front()) == 0x89)
        return Serializer::Msgpack;
    if (bytes.empty())
        return Status::error(ErrorCode::InvalidArgument, "not a record value: it is empty");
    return Status::error(ErrorCode::InvalidArgument,
                         "not a record value: it starts with byte 0x" + hexByte(bytes.front())
                             + ", neither '{' (JSON) nor 0x89 (msgpack)");
}

} // namespace codec
} // namespace rangedb
