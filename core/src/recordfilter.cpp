#include "rangedb/recordfilter.h"

#include "rangedb/json.h"

#include "gojson.h"

#include <QDateTime>
#include <QString>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

namespace rangedb {

namespace {

char asciiLower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool isAscii(std::string_view s)
{
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// A case-insensitive substring search prepared once. ASCII needles (the common case) scan
// the raw bytes: memchr finds candidates for the first letter in either case, the rest is
// compared with ASCII folding. A needle with non-ASCII letters needs Unicode case folding,
// which only QString offers here, at the cost of a UTF-16 conversion per haystack.
class Needle
{
public:
    explicit Needle(std::string text) : m_text(std::move(text)), m_ascii(isAscii(m_text))
    {
        m_lower = m_text;
        std::transform(m_lower.begin(), m_lower.end(), m_lower.begin(), asciiLower);
        if (!m_ascii)
            m_folded = QString::fromUtf8(m_text.data(), static_cast<qsizetype>(m_text.size()));
    }
    Needle(const Needle &) = delete;
    Needle &operator=(const Needle &) = delete;

    bool foundIn(std::string_view haystack) const
    {
        if (m_text.empty())
            return true;
        if (m_ascii)
            return asciiFind(haystack);
        return QString::fromUtf8(haystack.data(), static_cast<qsizetype>(haystack.size()))
            .contains(m_folded, Qt::CaseInsensitive);
    }

private:
    bool asciiFind(std::string_view haystack) const
    {
        const std::size_t n = m_lower.size();
        if (haystack.size() < n)
            return false;
        const char lower = m_lower.front();
        const char upper = (lower >= 'a' && lower <= 'z') ? static_cast<char>(lower - 'a' + 'A') : lower;
        const char *p = haystack.data();
        const char *const last = haystack.data() + (haystack.size() - n); // last possible start
        // The next occurrence of each case of the first letter at or after p; each is
        // searched again only once p has passed it, so the scan stays linear.
        const auto next = [&](char c, const char *from) -> const char * {
            const void *hit = std::memchr(from, c, static_cast<std::size_t>(last - from) + 1);
            return hit != nullptr ? static_cast<const char *>(hit) : nullptr;
        };
        const char *nextLower = next(lower, p);
        const char *nextUpper = upper == lower ? nullptr : next(upper, p);
        for (;;) {
            const char *candidate = nextLower == nullptr ? nextUpper
                : nextUpper == nullptr                  ? nextLower
                                                        : std::min(nextLower, nextUpper);
            if (candidate == nullptr)
                return false;
            std::size_t i = 1;
            while (i < n && asciiLower(candidate[i]) == m_lower[i])
                ++i;
            if (i == n)
                return true;
            p = candidate + 1;
            if (p > last)
                return false;
            if (candidate == nextLower)
                nextLower = next(lower, p);
            if (candidate == nextUpper)
                nextUpper = next(upper, p);
        }
    }

    std::string m_text;
    std::string m_lower;
    bool m_ascii;
    QString m_folded;
};

// The text a needle has inside compact JSON (Go's escaping, no quotes), so that raw data
// and metadata text can be searched without parsing it.
std::string jsonEscaped(std::string_view text)
{
    std::string out;
    gojson::appendEscaped(out, text);
    return out;
}

// ---- values and literals -------------------------------------------------------------

enum class Kind { Null, Bool, Number, String, Object, Array };

// A value found in a record: strings unescaped, numbers as their literal, true/false/null
// as those words, objects and arrays as their compact JSON text.
struct Value
{
    Kind kind = Kind::Null;
    std::string text;
};

bool isIntegerLiteral(std::string_view s)
{
    return s.find_first_of(".eE") == std::string_view::npos;
}

// -1, 0, 1 comparing two integer literals (optional '-', digits) exactly, however long.
int compareIntegerText(std::string_view a, std::string_view b)
{
    const auto split = [](std::string_view &s) {
        bool negative = false;
        if (!s.empty() && s.front() == '-') {
            negative = true;
            s.remove_prefix(1);
        }
        const std::size_t firstNonZero = s.find_first_not_of('0');
        s = firstNonZero == std::string_view::npos ? std::string_view() : s.substr(firstNonZero);
        return negative && !s.empty(); // -0 is 0
    };
    const bool negA = split(a);
    const bool negB = split(b);
    if (negA != negB)
        return negA ? -1 : 1;
    int magnitude = 0;
    if (a.size() != b.size())
        magnitude = a.size() < b.size() ? -1 : 1;
    else if (const int c = a.compare(b); c != 0)
        magnitude = c < 0 ? -1 : 1;
    return negA ? -magnitude : magnitude;
}

// A JSON number literal as a double. Locale-independent (std::from_chars, not strtod,
// which a Qt application's setlocale() would make read ',' as the decimal point); a
// literal beyond double range becomes +-infinity, a tiny one zero, as ordering requires.
double literalToDouble(std::string_view s)
{
    double d = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ec != std::errc::result_out_of_range)
        return d;
    const bool negative = !s.empty() && s.front() == '-';
    std::string_view digits = negative ? s.substr(1) : s;
    long long exponent = 0;
    if (const std::size_t e = digits.find_first_of("eE"); e != std::string_view::npos) {
        std::string_view ev = digits.substr(e + 1);
        if (!ev.empty() && ev.front() == '+')
            ev.remove_prefix(1);
        if (std::from_chars(ev.data(), ev.data() + ev.size(), exponent).ec != std::errc())
            exponent = (!ev.empty() && ev.front() == '-') ? -(1LL << 40) : (1LL << 40);
        digits = digits.substr(0, e);
    }
    const std::size_t dot = digits.find('.');
    const long long intDigits = static_cast<long long>(dot == std::string_view::npos ? digits.size() : dot);
    const std::size_t first = digits.find_first_not_of("0.");
    long long magnitude = first == std::string_view::npos ? -1 : intDigits - static_cast<long long>(first) + exponent;
    if (first != std::string_view::npos && dot != std::string_view::npos && first > dot)
        magnitude += 1;
    const double result = magnitude > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return negative ? -result : result;
}

// -1, 0, 1 comparing two JSON number literals: exactly when both are integers, else as
// doubles.
int compareNumbers(std::string_view a, std::string_view b)
{
    if (isIntegerLiteral(a) && isIntegerLiteral(b))
        return compareIntegerText(a, b);
    const double x = literalToDouble(a);
    const double y = literalToDouble(b);
    return x < y ? -1 : (x > y ? 1 : 0);
}

struct Literal
{
    Kind kind = Kind::String;
    std::string text;
    bool bare = false; // written without quotes
};

// ---- the query tree ------------------------------------------------------------------

enum class Op { Eq, Ne, Lt, Le, Gt, Ge, Contains, Exists };

enum class Source { Data, Metadata, Envelope };

enum class EnvelopeField {
    EventType,
    AggregateType,
    AggregateId,
    EventId,
    GlobalSequenceNumber,
    StreamSequenceNumber,
    InsertTimestamp,
};

struct EnvelopeName
{
    std::string_view name;
    EnvelopeField field;
    bool isNumber;
};

constexpr EnvelopeName kEnvelopeNames[] = {
    {"eventType", EnvelopeField::EventType, false},
    {"aggregateType", EnvelopeField::AggregateType, false},
    {"aggregateId", EnvelopeField::AggregateId, false},
    {"eventId", EnvelopeField::EventId, false},
    {"globalSequenceNumber", EnvelopeField::GlobalSequenceNumber, true},
    {"streamSequenceNumber", EnvelopeField::StreamSequenceNumber, true},
    {"insertTimestamp", EnvelopeField::InsertTimestamp, true},
};

bool equalsIgnoringAsciiCase(std::string_view a, std::string_view b)
{
    return a.size() == b.size()
        && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return asciiLower(x) == asciiLower(y); });
}

struct Segment
{
    bool isIndex = false;
    std::size_t index = 0;
    std::string key;

    friend bool operator==(const Segment &, const Segment &) = default;
};
using Path = std::vector<Segment>;

// A path prepared for lookup in one source: its segments and, when it names a member,
// the text `"<last key>":` that must occur in compact JSON for the path to exist at all.
struct LookupPath
{
    Path segments;
    std::string keyProbe;
};

struct Node
{
    enum Type { And, Or, Not, Text, Condition } type = Text;
    std::vector<std::unique_ptr<Node>> children;

    // Text (and ~): the word as is, and JSON-escaped when that differs. JSON text matches
    // either: the escaped form finds a string value ("a<b" is stored as a\u003cb), the
    // plain one finds structure ("price":2.25).
    std::unique_ptr<Needle> plain;
    std::unique_ptr<Needle> escaped;

    bool foundInJson(std::string_view json) const
    {
        return plain->foundIn(json) || (escaped && escaped->foundIn(json));
    }

    // Condition
    Source source = Source::Data;
    EnvelopeField field = EnvelopeField::EventType;
    bool envelopeIsNumber = false;
    std::size_t slot = 0; // index into Impl::paths[source]
    Op op = Op::Eq;
    Literal literal;
};

// What matching needs while it walks one record: values looked up so far, per source.
struct Lookups
{
    bool parsed[2] = {false, false};
    std::vector<std::optional<Value>> values[2];
};

// SAX handler that collects the values at a set of paths in one pass over JSON text, and
// stops as soon as it has all of them. For each target it keeps how many leading segments
// of the current position match it, updated as keys and array indexes change, so the
// cost per event is one comparison per target, not per segment.
class PathCollector : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, PathCollector>
{
public:
    PathCollector(std::string_view text, const rapidjson::MemoryStream &stream,
                  const std::vector<LookupPath> &targets, std::vector<std::optional<Value>> &out,
                  const std::vector<bool> &wanted)
        : m_text(text),
          m_stream(stream),
          m_targets(targets),
          m_out(out),
          m_wanted(wanted),
          m_matched(targets.size(), 0),
          m_remaining(static_cast<std::size_t>(std::count(wanted.begin(), wanted.end(), true)))
    {
    }

    gojson::DepthGuard guard;

    bool Null() { return scalar(Kind::Null, "null", 4); }
    bool Bool(bool b) { return b ? scalar(Kind::Bool, "true", 4) : scalar(Kind::Bool, "false", 5); }
    bool RawNumber(const char *s, rapidjson::SizeType n, bool) { return scalar(Kind::Number, s, n); }
    bool String(const char *s, rapidjson::SizeType n, bool)
    {
        const int hit = beginValue();
        if (hit >= 0) {
            Value v{Kind::String, {}};
            gojson::assignUnescaped(v.text, s, n);
            return found(hit, std::move(v));
        }
        return true;
    }
    bool Key(const char *s, rapidjson::SizeType n, bool)
    {
        const std::string_view key(s, n);
        const std::size_t depth = m_frames.size();
        for (std::size_t t = 0; t < m_targets.size(); ++t) {
            if (m_matched[t] + 1 < depth)
                continue;
            const Path &path = m_targets[t].segments;
            const bool same = depth <= path.size() && !path[depth - 1].isIndex && path[depth - 1].key == key;
            m_matched[t] = same ? depth : depth - 1;
        }
        return true;
    }
    bool StartObject() { return open(Kind::Object); }
    bool StartArray() { return open(Kind::Array); }
    bool EndObject(rapidjson::SizeType) { return close(); }
    bool EndArray(rapidjson::SizeType) { return close(); }
    bool Default() { return false; }

private:
    struct Frame
    {
        bool isArray = false;
        std::size_t nextIndex = 0;
        std::size_t start = 0;
        int capturing = -1; // the target whose value this container is
    };

    // Sets the array index segment when inside an array; returns the target that the
    // value starting here is, or -1.
    int beginValue()
    {
        const std::size_t depth = m_frames.size();
        if (depth > 0 && m_frames.back().isArray) {
            const std::size_t index = m_frames.back().nextIndex++;
            for (std::size_t t = 0; t < m_targets.size(); ++t) {
                if (m_matched[t] + 1 < depth)
                    continue;
                const Path &path = m_targets[t].segments;
                const bool same = depth <= path.size() && path[depth - 1].isIndex && path[depth - 1].index == index;
                m_matched[t] = same ? depth : depth - 1;
            }
        }
        for (std::size_t t = 0; t < m_targets.size(); ++t) {
            if (m_wanted[t] && !m_out[t] && m_matched[t] == depth && m_targets[t].segments.size() == depth)
                return static_cast<int>(t);
        }
        return -1;
    }
    bool scalar(Kind kind, const char *s, std::size_t n)
    {
        const int hit = beginValue();
        return hit < 0 || found(hit, Value{kind, std::string(s, n)});
    }
    bool found(int target, Value value)
    {
        m_out[static_cast<std::size_t>(target)] = std::move(value);
        // Returning false ends the parse early; matchRecord treats that as success.
        return --m_remaining > 0;
    }
    bool open(Kind kind)
    {
        if (!guard.enter())
            return false;
        const int hit = beginValue();
        // The iterative parser calls StartObject/StartArray before it takes the bracket,
        // so Tell() is the bracket's offset (the same holds for the End callbacks).
        m_frames.push_back(Frame{kind == Kind::Array, 0, m_stream.Tell(), hit});
        return true;
    }
    bool close()
    {
        guard.leave();
        const Frame frame = m_frames.back();
        m_frames.pop_back();
        const std::size_t depth = m_frames.size();
        for (std::size_t &m : m_matched)
            m = std::min(m, depth);
        if (frame.capturing >= 0) {
            std::size_t end = std::min(m_stream.Tell(), m_text.size());
            if (end < m_text.size() && (m_text[end] == '}' || m_text[end] == ']'))
                ++end;
            Value v{frame.isArray ? Kind::Array : Kind::Object,
                    std::string(m_text.substr(frame.start, end - frame.start))};
            return found(frame.capturing, std::move(v));
        }
        return true;
    }

    std::string_view m_text;
    const rapidjson::MemoryStream &m_stream;
    const std::vector<LookupPath> &m_targets;
    std::vector<std::optional<Value>> &m_out;
    const std::vector<bool> &m_wanted;
    std::vector<std::size_t> m_matched;
    std::vector<Frame> m_frames;
    std::size_t m_remaining = 0;
};

} // namespace

// ---- Impl ----------------------------------------------------------------------------

class RecordFilter::Impl
{
public:
    std::string query;
    std::unique_ptr<Node> root; // null: matches everything
    std::vector<LookupPath> paths[2];

    bool matches(const Record &record) const
    {
        if (!root)
            return true;
        Lookups lookups;
        lookups.values[0].resize(paths[0].size());
        lookups.values[1].resize(paths[1].size());
        return eval(*root, record, lookups);
    }

private:
    bool eval(const Node &node, const Record &record, Lookups &lookups) const
    {
        switch (node.type) {
        case Node::And:
            return std::all_of(node.children.begin(), node.children.end(),
                               [&](const auto &c) { return eval(*c, record, lookups); });
        case Node::Or:
            return std::any_of(node.children.begin(), node.children.end(),
                               [&](const auto &c) { return eval(*c, record, lookups); });
        case Node::Not:
            return !eval(*node.children.front(), record, lookups);
        case Node::Text:
            return node.plain->foundIn(record.eventType) || node.plain->foundIn(record.aggregateType)
                || node.plain->foundIn(record.aggregateId) || node.plain->foundIn(record.eventId)
                || node.foundInJson(record.data) || node.foundInJson(record.metadata);
        case Node::Condition:
            return evalCondition(node, record, lookups);
        }
        return false;
    }

    static Value envelopeValue(const Node &node, const Record &record)
    {
        switch (node.field) {
        case EnvelopeField::EventType: return {Kind::String, record.eventType};
        case EnvelopeField::AggregateType: return {Kind::String, record.aggregateType};
        case EnvelopeField::AggregateId: return {Kind::String, record.aggregateId};
        case EnvelopeField::EventId: return {Kind::String, record.eventId};
        case EnvelopeField::GlobalSequenceNumber: return {Kind::Number, std::to_string(record.globalSequenceNumber)};
        case EnvelopeField::StreamSequenceNumber: return {Kind::Number, std::to_string(record.streamSequenceNumber)};
        case EnvelopeField::InsertTimestamp: return {Kind::Number, std::to_string(record.insertTimestamp)};
        }
        return {};
    }

    const std::optional<Value> &lookup(const Node &node, const Record &record, Lookups &lookups) const
    {
        const int s = node.source == Source::Data ? 0 : 1;
        if (!lookups.parsed[s]) {
            lookups.parsed[s] = true;
            collect(s == 0 ? record.data : record.metadata, paths[s], lookups.values[s]);
        }
        return lookups.values[s][node.slot];
    }

    // Fills `out` with the values at `targets` in `text`, in one parse. A path whose last
    // member name does not occur in the text cannot exist, so when no path passes that
    // probe nothing is parsed at all.
    static void collect(std::string_view text, const std::vector<LookupPath> &targets,
                        std::vector<std::optional<Value>> &out)
    {
        std::vector<bool> wanted(targets.size(), false);
        bool any = false;
        for (std::size_t t = 0; t < targets.size(); ++t) {
            wanted[t] = targets[t].keyProbe.empty()
                || text.find(targets[t].keyProbe) != std::string_view::npos;
            any = any || wanted[t];
        }
        if (!any)
            return;
        rapidjson::Reader reader;
        rapidjson::MemoryStream stream(text.data(), text.size());
        PathCollector collector(text, stream, targets, out, wanted);
        // Data and metadata of a Record are valid JSON (the store validated them); a
        // parse that fails anyway simply finds nothing more.
        (void)reader.Parse<gojson::kParseFlagsTrustedUtf8>(stream, collector);
    }

    bool evalCondition(const Node &node, const Record &record, Lookups &lookups) const
    {
        if (node.source == Source::Envelope) {
            if (node.op == Op::Exists)
                return true;
            const Value v = envelopeValue(node, record);
            if (!node.envelopeIsNumber && node.op != Op::Contains) {
                // The envelope's strings take any literal as text.
                const int c = v.text.compare(node.literal.text);
                return applyOrder(node.op, c < 0 ? -1 : (c > 0 ? 1 : 0));
            }
            return compare(node, v);
        }
        const std::optional<Value> &v = lookup(node, record, lookups);
        if (!v)
            return false;
        if (node.op == Op::Exists)
            return true;
        return compare(node, *v);
    }

    static bool applyOrder(Op op, int c)
    {
        switch (op) {
        case Op::Eq: return c == 0;
        case Op::Ne: return c != 0;
        case Op::Lt: return c < 0;
        case Op::Le: return c <= 0;
        case Op::Gt: return c > 0;
        case Op::Ge: return c >= 0;
        case Op::Contains:
        case Op::Exists: break;
        }
        return false;
    }

    static bool compare(const Node &node, const Value &v)
    {
        if (node.op == Op::Contains) {
            // Containers are compact JSON text.
            const bool container = v.kind == Kind::Object || v.kind == Kind::Array;
            return container ? node.foundInJson(v.text) : node.plain->foundIn(v.text);
        }
        if (v.kind != node.literal.kind)
            return node.op == Op::Ne;
        switch (v.kind) {
        case Kind::Number: return applyOrder(node.op, compareNumbers(v.text, node.literal.text));
        case Kind::String: {
            const int c = v.text.compare(node.literal.text);
            return applyOrder(node.op, c < 0 ? -1 : (c > 0 ? 1 : 0));
        }
        case Kind::Bool:
        case Kind::Null: return applyOrder(node.op, v.text == node.literal.text ? 0 : 1);
        case Kind::Object:
        case Kind::Array: return node.op == Op::Ne;
        }
        return false;
    }
};

// ---- parser --------------------------------------------------------------------------

namespace {

bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool isOperatorChar(char c)
{
    return c == '=' || c == '!' || c == '<' || c == '>' || c == '~';
}

// Characters that end a bare name in a path.
bool endsName(char c)
{
    return isSpace(c) || isOperatorChar(c) || c == '.' || c == '[' || c == ']' || c == '(' || c == ')' || c == '"';
}

// Characters that end a bare word (a search word or a value).
bool endsWord(char c)
{
    return isSpace(c) || c == '(' || c == ')' || c == '"';
}

bool isJsonNumber(std::string_view s)
{
    std::size_t i = 0;
    const auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
    if (i < s.size() && s[i] == '-')
        ++i;
    if (!digit(i))
        return false;
    if (s[i] == '0')
        ++i;
    else
        while (digit(i))
            ++i;
    if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digit(i))
            return false;
        while (digit(i))
            ++i;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-'))
            ++i;
        if (!digit(i))
            return false;
        while (digit(i))
            ++i;
    }
    return i == s.size();
}

struct ParsedPath
{
    Source source = Source::Data;
    const EnvelopeName *envelope = nullptr;
    Path segments;
};

class Parser
{
public:
    Parser(std::string_view query, RecordFilter::Impl &impl) : m_q(query), m_impl(impl) {}

    Status run(std::unique_ptr<Node> &root)
    {
        skipSpace();
        if (atEnd())
            return {};
        root = parseOr();
        if (m_error.ok() && !atEnd())
            fail(m_pos, "unexpected ')'");
        return m_error;
    }

private:
    bool atEnd() const { return m_pos >= m_q.size(); }
    char peek() const { return atEnd() ? '\0' : m_q[m_pos]; }
    void skipSpace()
    {
        while (!atEnd() && isSpace(m_q[m_pos]))
            ++m_pos;
    }

    // Columns count characters (UTF-8 sequences), 1-based, as a person counts them.
    int columnOf(std::size_t offset) const
    {
        int column = 1;
        for (std::size_t i = 0; i < offset && i < m_q.size(); ++i) {
            if ((static_cast<unsigned char>(m_q[i]) & 0xc0) != 0x80)
                ++column;
        }
        return column;
    }

    std::nullptr_t fail(std::size_t offset, const std::string &message)
    {
        if (m_error.ok())
            m_error = Status::error(ErrorCode::InvalidArgument,
                                    "column " + std::to_string(columnOf(offset)) + ": " + message);
        return nullptr;
    }
    bool failed() const { return !m_error.ok(); }

    // A keyword is a case-insensitive word followed by a space, a parenthesis, a quote
    // or the end.
    bool atKeyword(std::string_view word) const
    {
        if (m_q.size() - m_pos < word.size() || !equalsIgnoringAsciiCase(m_q.substr(m_pos, word.size()), word))
            return false;
        const std::size_t after = m_pos + word.size();
        return after == m_q.size() || endsWord(m_q[after]);
    }

    std::unique_ptr<Node> combine(Node::Type type, std::unique_ptr<Node> left, std::unique_ptr<Node> right)
    {
        if (left->type == type) {
            left->children.push_back(std::move(right));
            return left;
        }
        auto node = std::make_unique<Node>();
        node->type = type;
        node->children.push_back(std::move(left));
        node->children.push_back(std::move(right));
        return node;
    }

    std::unique_ptr<Node> parseOr()
    {
        auto left = parseAnd();
        while (!failed()) {
            skipSpace();
            if (!atKeyword("or"))
                break;
            m_pos += 2;
            auto right = parseAnd();
            if (failed())
                return nullptr;
            left = combine(Node::Or, std::move(left), std::move(right));
        }
        return failed() ? nullptr : std::move(left);
    }

    std::unique_ptr<Node> parseAnd()
    {
        auto left = parseUnary();
        while (!failed()) {
            skipSpace();
            if (atEnd() || peek() == ')' || atKeyword("or"))
                break;
            if (atKeyword("and"))
                m_pos += 3;
            auto right = parseUnary();
            if (failed())
                return nullptr;
            left = combine(Node::And, std::move(left), std::move(right));
        }
        return failed() ? nullptr : std::move(left);
    }

    std::unique_ptr<Node> parseUnary()
    {
        skipSpace();
        if (atKeyword("not")) {
            m_pos += 3;
            auto child = parseUnary();
            if (failed())
                return nullptr;
            auto node = std::make_unique<Node>();
            node->type = Node::Not;
            node->children.push_back(std::move(child));
            return node;
        }
        return parsePrimary();
    }

    std::unique_ptr<Node> parsePrimary()
    {
        skipSpace();
        if (atEnd())
            return fail(m_pos, "expected a search term at the end of the query");
        const char c = peek();
        if (c == '(') {
            const std::size_t open = m_pos++;
            auto inner = parseOr();
            if (failed())
                return nullptr;
            skipSpace();
            if (peek() != ')')
                return fail(m_pos, "missing ')' to close the '(' at column " + std::to_string(columnOf(open)));
            ++m_pos;
            return inner;
        }
        if (c == ')')
            return fail(m_pos, "unexpected ')'");
        if (isOperatorChar(c))
            return fail(m_pos, std::string("expected a field name before '") + c + "'");
        if (atKeyword("and") || atKeyword("or"))
            return fail(m_pos, "expected a search term before '" + std::string(m_q.substr(m_pos, atKeyword("or") ? 2 : 3)) + "'");
        if (atKeyword("exists")) {
            std::size_t after = m_pos + 6;
            while (after < m_q.size() && isSpace(m_q[after]))
                ++after;
            if (after < m_q.size() && m_q[after] == '(')
                return parseExists(after);
        }

        // A path followed by an operator is a condition; anything else is search text.
        const std::size_t start = m_pos;
        ParsedPath path;
        const bool isPath = parsePath(path);
        if (isPath && !failed()) {
            skipSpace();
            if (isOperatorChar(peek()))
                return parseCondition(std::move(path));
        }
        // Not a condition after all: read the same characters as search text. A broken
        // path (items[x) is reported only when an operator shows a condition was meant.
        Status pathError = m_error;
        m_error = Status();
        m_pos = start;
        auto text = parseText();
        if (text && !pathError.ok()) {
            const std::size_t after = m_pos;
            skipSpace();
            if (isOperatorChar(peek())) {
                m_error = pathError;
                return nullptr;
            }
            m_pos = after;
        }
        return text;
    }

    std::unique_ptr<Node> parseExists(std::size_t openParen)
    {
        m_pos = openParen + 1;
        skipSpace();
        const std::size_t start = m_pos;
        ParsedPath path;
        if (!parsePath(path)) {
            if (!failed())
                fail(start, "expected a field name inside exists( )");
            return nullptr;
        }
        skipSpace();
        if (peek() != ')')
            return fail(m_pos, "missing ')' to close exists( at column " + std::to_string(columnOf(openParen)));
        ++m_pos;
        auto node = makeCondition(std::move(path));
        node->op = Op::Exists;
        return node;
    }

    std::unique_ptr<Node> parseText()
    {
        const std::size_t start = m_pos;
        std::string text;
        if (peek() == '"') {
            if (!parseQuoted(text))
                return nullptr;
            if (text.empty())
                return fail(start, "empty search text \"\"");
        } else {
            while (!atEnd() && !endsWord(peek()))
                ++m_pos;
            text.assign(m_q.substr(start, m_pos - start));
            if (text.empty())
                return fail(start, "unexpected '\"'");
        }
        auto node = std::make_unique<Node>();
        node->type = Node::Text;
        setNeedles(*node, std::move(text));
        return node;
    }

    static void setNeedles(Node &node, std::string text)
    {
        std::string escaped = jsonEscaped(text);
        if (escaped != text)
            node.escaped = std::make_unique<Needle>(std::move(escaped));
        node.plain = std::make_unique<Needle>(std::move(text));
    }

    // "..." with JSON-style escapes; the position is at the opening quote.
    bool parseQuoted(std::string &out)
    {
        const std::size_t open = m_pos++;
        while (!atEnd()) {
            const char c = m_q[m_pos];
            if (c == '"') {
                ++m_pos;
                return true;
            }
            if (c != '\\') {
                out.push_back(c);
                ++m_pos;
                continue;
            }
            const std::size_t escape = m_pos;
            if (m_pos + 1 >= m_q.size())
                break;
            const char e = m_q[m_pos + 1];
            m_pos += 2;
            switch (e) {
            case '"': out.push_back('"'); break;
            case '\\': out.push_back('\\'); break;
            case '/': out.push_back('/'); break;
            case 'n': out.push_back('\n'); break;
            case 't': out.push_back('\t'); break;
            case 'r': out.push_back('\r'); break;
            case 'u': {
                unsigned code = 0;
                if (!parseHex4(code)) {
                    fail(escape, "expected four hex digits after \\u");
                    return false;
                }
                if (code >= 0xd800 && code <= 0xdbff && m_q.substr(m_pos, 2) == "\\u") {
                    const std::size_t save = m_pos;
                    m_pos += 2;
                    unsigned low = 0;
                    if (parseHex4(low) && low >= 0xdc00 && low <= 0xdfff)
                        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                    else
                        m_pos = save;
                }
                if (code >= 0xd800 && code <= 0xdfff)
                    code = 0xfffd;
                appendUtf8(out, code);
                break;
            }
            default:
                fail(escape, std::string("unknown escape \\") + e + " in a quoted string");
                return false;
            }
        }
        fail(open, "missing the closing '\"' of the string");
        return false;
    }

    bool parseHex4(unsigned &code)
    {
        if (m_q.size() - m_pos < 4)
            return false;
        const auto r = std::from_chars(m_q.data() + m_pos, m_q.data() + m_pos + 4, code, 16);
        if (r.ec != std::errc() || r.ptr != m_q.data() + m_pos + 4)
            return false;
        m_pos += 4;
        return true;
    }

    static void appendUtf8(std::string &out, unsigned code)
    {
        if (code < 0x80) {
            out.push_back(static_cast<char>(code));
        } else if (code < 0x800) {
            out.push_back(static_cast<char>(0xc0 | (code >> 6)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
        } else if (code < 0x10000) {
            out.push_back(static_cast<char>(0xe0 | (code >> 12)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
        } else {
            out.push_back(static_cast<char>(0xf0 | (code >> 18)));
            out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
        }
    }

    // name ( '.' name | '[' digits ']' )*, where a name is bare or quoted. Returns false
    // (with or without an error set) when the text here is not a path.
    bool parsePath(ParsedPath &path)
    {
        bool firstBare = false;
        std::string first;
        if (!parseName(first, firstBare))
            return false;
        Path segments;
        segments.push_back(Segment{false, 0, std::move(first)});
        for (;;) {
            if (peek() == '.') {
                const std::size_t dot = m_pos++;
                std::string name;
                bool bare = false;
                if (!parseName(name, bare)) {
                    if (!failed())
                        fail(dot, "expected a member name after '.'");
                    return false;
                }
                segments.push_back(Segment{false, 0, std::move(name)});
            } else if (peek() == '[') {
                const std::size_t open = m_pos++;
                const std::size_t digits = m_pos;
                while (!atEnd() && peek() >= '0' && peek() <= '9')
                    ++m_pos;
                std::size_t index = 0;
                const auto r = std::from_chars(m_q.data() + digits, m_q.data() + m_pos, index);
                if (digits == m_pos || r.ec != std::errc()) {
                    fail(digits, "expected an array index (digits) after '['");
                    return false;
                }
                if (peek() != ']') {
                    fail(m_pos, "missing ']' to close the '[' at column " + std::to_string(columnOf(open)));
                    return false;
                }
                ++m_pos;
                segments.push_back(Segment{true, index, {}});
            } else {
                break;
            }
        }

        const std::string &head = segments.front().key;
        if (firstBare && (equalsIgnoringAsciiCase(head, "data") || equalsIgnoringAsciiCase(head, "metadata"))) {
            path.source = equalsIgnoringAsciiCase(head, "data") ? Source::Data : Source::Metadata;
            segments.erase(segments.begin());
        } else if (firstBare && segments.size() == 1) {
            for (const EnvelopeName &e : kEnvelopeNames) {
                if (equalsIgnoringAsciiCase(head, e.name)) {
                    path.source = Source::Envelope;
                    path.envelope = &e;
                }
            }
        }
        path.segments = std::move(segments);
        return true;
    }

    bool parseName(std::string &name, bool &bare)
    {
        if (peek() == '"') {
            bare = false;
            return parseQuoted(name);
        }
        bare = true;
        const std::size_t start = m_pos;
        while (!atEnd() && !endsName(peek()))
            ++m_pos;
        name.assign(m_q.substr(start, m_pos - start));
        return !name.empty();
    }

    std::unique_ptr<Node> makeCondition(ParsedPath path)
    {
        auto node = std::make_unique<Node>();
        node->type = Node::Condition;
        node->source = path.source;
        if (path.source == Source::Envelope) {
            node->field = path.envelope->field;
            node->envelopeIsNumber = path.envelope->isNumber;
            return node;
        }
        auto &known = m_impl.paths[path.source == Source::Data ? 0 : 1];
        const auto it = std::find_if(known.begin(), known.end(),
                                     [&](const LookupPath &p) { return p.segments == path.segments; });
        node->slot = static_cast<std::size_t>(it - known.begin());
        if (it == known.end()) {
            LookupPath lookup;
            const auto lastKey = std::find_if(path.segments.rbegin(), path.segments.rend(),
                                              [](const Segment &s) { return !s.isIndex; });
            if (lastKey != path.segments.rend()) {
                lookup.keyProbe = '"' + jsonEscaped(lastKey->key) + "\":";
            }
            lookup.segments = std::move(path.segments);
            known.push_back(std::move(lookup));
        }
        return node;
    }

    std::unique_ptr<Node> parseCondition(ParsedPath path)
    {
        const std::size_t opPos = m_pos;
        Op op = Op::Eq;
        const std::string_view rest = m_q.substr(m_pos);
        if (rest.starts_with("!=")) {
            op = Op::Ne;
        } else if (rest.starts_with("<=")) {
            op = Op::Le;
        } else if (rest.starts_with(">=")) {
            op = Op::Ge;
        } else if (rest.starts_with("==")) {
            op = Op::Eq;
        } else if (rest[0] == '=') {
            op = Op::Eq;
        } else if (rest[0] == '<') {
            op = Op::Lt;
        } else if (rest[0] == '>') {
            op = Op::Gt;
        } else if (rest[0] == '~') {
            op = Op::Contains;
        } else {
            return fail(opPos, "unknown operator '!' (did you mean '!='?)");
        }
        m_pos += (op == Op::Ne || op == Op::Le || op == Op::Ge || rest.starts_with("==")) ? 2 : 1;
        const std::string opSpelled(m_q.substr(opPos, m_pos - opPos));
        skipSpace();
        const std::size_t valuePos = m_pos;
        if (atEnd() || peek() == ')')
            return fail(m_pos, "expected a value after '" + opSpelled + "'");
        if (isOperatorChar(peek()))
            return fail(m_pos, "unexpected '" + std::string(1, peek()) + "' after '" + opSpelled + "'");

        Literal literal;
        if (peek() == '"') {
            if (!parseQuoted(literal.text))
                return nullptr;
            literal.kind = Kind::String;
        } else {
            while (!atEnd() && !endsWord(peek()))
                ++m_pos;
            literal.text.assign(m_q.substr(valuePos, m_pos - valuePos));
            literal.bare = true;
            if (literal.text == "true" || literal.text == "false")
                literal.kind = Kind::Bool;
            else if (literal.text == "null")
                literal.kind = Kind::Null;
            else if (isJsonNumber(literal.text))
                literal.kind = Kind::Number;
            else
                literal.kind = Kind::String;
        }

        const bool ordering = op == Op::Lt || op == Op::Le || op == Op::Gt || op == Op::Ge;
        if (ordering && (literal.kind == Kind::Bool || literal.kind == Kind::Null))
            return fail(opPos, "'" + opSpelled + "' needs a number or a string, not " + literal.text);

        const EnvelopeName *envelope = path.envelope;
        auto node = makeCondition(std::move(path));
        node->op = op;
        if (envelope != nullptr && envelope->isNumber && op != Op::Contains && literal.kind != Kind::Number) {
            if (envelope->field == EnvelopeField::InsertTimestamp && literal.kind == Kind::String) {
                const QDateTime when = QDateTime::fromString(QString::fromStdString(literal.text), Qt::ISODate);
                if (!when.isValid())
                    return fail(valuePos, "insertTimestamp compares with Unix seconds or an ISO date such as "
                                          "\"2021-01-01T00:00:00Z\", not \"" + literal.text + "\"");
                literal.kind = Kind::Number;
                literal.text = std::to_string(when.toSecsSinceEpoch());
            } else {
                return fail(valuePos, std::string(envelope->name) + " is a number: expected a number after '"
                                          + opSpelled + "', not " + literal.text);
            }
        }
        if (op == Op::Contains)
            setNeedles(*node, literal.text);
        node->literal = std::move(literal);
        return node;
    }

    std::string_view m_q;
    std::size_t m_pos = 0;
    RecordFilter::Impl &m_impl;
    Status m_error;
};

} // namespace

RecordFilter::RecordFilter() : m_impl(std::make_shared<Impl>()) {}

RecordFilter::RecordFilter(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}

Result<RecordFilter> RecordFilter::parse(std::string_view query)
{
    auto impl = std::make_shared<Impl>();
    impl->query.assign(query);
    Parser parser(query, *impl);
    Status status = parser.run(impl->root);
    if (!status.ok())
        return status;
    return RecordFilter(std::move(impl));
}

bool RecordFilter::matches(const Record &record) const
{
    return m_impl->matches(record);
}

bool RecordFilter::isEmpty() const
{
    return !m_impl->root;
}

const std::string &RecordFilter::query() const
{
    return m_impl->query;
}

bool RecordFilter::needsJsonParsing() const
{
    return !m_impl->paths[0].empty() || !m_impl->paths[1].empty();
}

} // namespace rangedb
