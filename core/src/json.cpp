#include "rangedb/json.h"

#include "gojson.h"

#include <rapidjson/error/error.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

namespace rangedb::gojson {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// 1: an ASCII byte Go escapes; 2: a byte that starts (or breaks) a multi-byte sequence.
constexpr std::array<std::uint8_t, 256> makeEscapeTable()
{
    std::array<std::uint8_t, 256> table{};
    for (int c = 0; c < 0x20; ++c)
        table[c] = 1;
    table['"'] = 1;
    table['\\'] = 1;
    table['<'] = 1;
    table['>'] = 1;
    table['&'] = 1;
    for (int c = 0x80; c < 0x100; ++c)
        table[c] = 2;
    return table;
}
constexpr auto kEscapeTable = makeEscapeTable();

// Length of the well-formed UTF-8 sequence at s[i] (Unicode table 3-7), 0 when it is not
// one. Go's decoder makes the same call and then replaces a single byte, so do we.
std::size_t utf8Length(std::string_view s, std::size_t i)
{
    const auto byte = [&](std::size_t k) -> unsigned {
        return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100u;
    };
    const unsigned c = byte(0);
    const auto cont = [](unsigned b) { return b >= 0x80 && b <= 0xbf; };
    if (c >= 0xc2 && c <= 0xdf)
        return cont(byte(1)) ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        const unsigned b1 = byte(1);
        const unsigned lo = c == 0xe0 ? 0xa0 : 0x80;
        const unsigned hi = c == 0xed ? 0x9f : 0xbf;
        return b1 >= lo && b1 <= hi && cont(byte(2)) ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        const unsigned b1 = byte(1);
        const unsigned lo = c == 0xf0 ? 0x90 : 0x80;
        const unsigned hi = c == 0xf4 ? 0x8f : 0xbf;
        return b1 >= lo && b1 <= hi && cont(byte(2)) && cont(byte(3)) ? 4 : 0;
    }
    return 0;
}

void appendAsciiEscape(std::string &out, unsigned char c)
{
    switch (c) {
    case '"': out.append("\\\""); return;
    case '\\': out.append("\\\\"); return;
    case '\n': out.append("\\n"); return;
    case '\r': out.append("\\r"); return;
    case '\t': out.append("\\t"); return;
    default: break;
    }
    const char escape[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
    out.append(escape, 6);
}

bool isHexLower(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

} // namespace

void appendEscaped(std::string &out, std::string_view s)
{
    const char *data = s.data();
    const std::size_t n = s.size();
    std::size_t start = 0;
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = static_cast<unsigned char>(data[i]);
        const std::uint8_t kind = kEscapeTable[c];
        if (kind == 0) {
            ++i;
            continue;
        }
        if (kind == 1) {
            out.append(data + start, i - start);
            appendAsciiEscape(out, c);
            start = ++i;
            continue;
        }
        const std::size_t len = utf8Length(s, i);
        if (len == 0) {
            out.append(data + start, i - start);
            out.append("\\ufffd");
            start = ++i;
            continue;
        }
        // U+2028 and U+2029 (E2 80 A8/A9) break JavaScript string literals; Go escapes them.
        if (len == 3 && c == 0xe2 && static_cast<unsigned char>(data[i + 1]) == 0x80
            && (static_cast<unsigned char>(data[i + 2]) & 0xfe) == 0xa8) {
            out.append(data + start, i - start);
            out.append(static_cast<unsigned char>(data[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029");
            i += 3;
            start = i;
            continue;
        }
        i += len;
    }
    out.append(data + start, n - start);
}

// RapidJSON decodes "\udc00" (a lone low surrogate) to the bytes ED B0 80, which are not
// UTF-8. Go's decoder reads the same escape as U+FFFD; raw input never holds these bytes
// because the parser validated it, so any we see came from an escape.
void assignUnescaped(std::string &out, const char *s, std::size_t n)
{
    if (std::memchr(s, 0xed, n) == nullptr) {
        out.assign(s, n);
        return;
    }
    out.clear();
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == 0xed && i + 2 < n && static_cast<unsigned char>(s[i + 1]) >= 0xa0) {
            out.append("\xef\xbf\xbd");
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
}

namespace {

// Bytes that end a run of plain bytes, outside strings (quote, whitespace, non-ASCII) and
// inside them (quote, backslash, <>&, non-ASCII). The runs between them are skipped by a
// tight loop; that is most of the text.
constexpr std::array<bool, 256> makeStopTable(bool inString)
{
    std::array<bool, 256> table{};
    table['"'] = true;
    for (int c = 0x80; c < 0x100; ++c)
        table[c] = true;
    if (inString) {
        table['\\'] = true;
        table['<'] = true;
        table['>'] = true;
        table['&'] = true;
    } else {
        table[' '] = true;
        table['\t'] = true;
        table['\n'] = true;
        table['\r'] = true;
    }
    return table;
}
constexpr auto kStopOutside = makeStopTable(false);
constexpr auto kStopInside = makeStopTable(true);

// Whether the escape at s[i] ('\\' then at least one byte) is one Go writes.
bool isGoEscape(std::string_view s, std::size_t i)
{
    const char e = i + 1 < s.size() ? s[i + 1] : '\0';
    if (e == '"' || e == '\\' || e == 'n' || e == 'r' || e == 't')
        return true;
    if (e != 'u')
        return false;
    const std::string_view hex = s.substr(i + 2, 4);
    if (hex == "003c" || hex == "003e" || hex == "0026" || hex == "2028" || hex == "2029")
        return true;
    // Only control characters other than \n \r \t, in lowercase hex.
    if (hex.size() != 4 || hex[0] != '0' || hex[1] != '0' || (hex[2] != '0' && hex[2] != '1') || !isHexLower(hex[3]))
        return false;
    return !(hex[2] == '0' && (hex[3] == '9' || hex[3] == 'a' || hex[3] == 'd'));
}

} // namespace

std::size_t scanText(std::string_view s, bool *normalized)
{
    const auto *data = reinterpret_cast<const unsigned char *>(s.data());
    const std::size_t n = s.size();
    bool inString = false;
    bool norm = true;
    std::size_t i = 0;
    for (;;) {
        const auto &stop = inString ? kStopInside : kStopOutside;
        while (i < n && !stop[data[i]])
            ++i;
        if (i >= n)
            break;
        const unsigned char c = data[i];
        if (c == '"') {
            inString = !inString;
            ++i;
        } else if (c >= 0x80) {
            const std::size_t len = utf8Length(s, i);
            if (len == 0) {
                if (normalized != nullptr)
                    *normalized = false;
                return i;
            }
            // U+2028 and U+2029 (E2 80 A8/A9) are escaped by Go.
            if (len == 3 && c == 0xe2 && data[i + 1] == 0x80 && (data[i + 2] & 0xfe) == 0xa8)
                norm = false;
            i += len;
        } else if (c == '\\') {
            if (norm && !isGoEscape(s, i))
                norm = false;
            // Skip the escaped byte so that \" does not end the string; the hex digits of
            // \uXXXX are plain bytes anyway.
            i += 2;
        } else {
            // <>& inside a string, whitespace outside one.
            norm = false;
            ++i;
        }
    }
    if (normalized != nullptr)
        *normalized = norm;
    return std::string_view::npos;
}

bool isNormalized(std::string_view validJson)
{
    bool normalized = false;
    return scanText(validJson, &normalized) == std::string_view::npos && normalized;
}

std::string describePosition(std::string_view text, std::size_t offset, TextOrigin origin)
{
    const json::TextPosition pos = json::positionOf(text, offset);
    const int line = origin.line + pos.line - 1;
    const int column = pos.line == 1 ? origin.column + pos.column - 1 : pos.column;
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + " (byte "
        + std::to_string(origin.byte + std::min(offset, text.size())) + ")";
}

std::string snippet(std::string_view text, std::size_t offset, std::size_t maxBytes)
{
    if (offset >= text.size())
        return "end of input";
    std::string_view part = text.substr(offset, maxBytes);
    // Do not cut a UTF-8 sequence in half: the quote would show a replacement character.
    if (offset + part.size() < text.size()) {
        std::size_t end = part.size();
        while (end > 0 && (static_cast<unsigned char>(part[end - 1]) & 0xc0) == 0x80)
            --end;
        if (end > 0 && static_cast<unsigned char>(part[end - 1]) >= 0xc0)
            --end;
        if (end > 0)
            part = part.substr(0, end);
    }
    std::string out = json::quoted(part);
    if (offset + part.size() < text.size())
        out.insert(out.size() - 1, "...");
    return out;
}

std::string describeParseError(rapidjson::ParseErrorCode code, bool atEnd)
{
    using namespace rapidjson;
    if (atEnd && code != kParseErrorNone && code != kParseErrorTermination)
        return "unexpected end of input";
    switch (code) {
    case kParseErrorNone: return "no error";
    case kParseErrorDocumentEmpty: return "unexpected end of input";
    case kParseErrorDocumentRootNotSingular: return "unexpected text after the value";
    case kParseErrorValueInvalid: return "invalid value";
    case kParseErrorObjectMissName: return "expected a quoted member name";
    case kParseErrorObjectMissColon: return "expected a ':' after the member name";
    case kParseErrorObjectMissCommaOrCurlyBracket: return "missing a comma or '}'";
    case kParseErrorArrayMissCommaOrSquareBracket: return "missing a comma or ']'";
    case kParseErrorStringUnicodeEscapeInvalidHex: return "bad hex digits in a \\u escape";
    case kParseErrorStringUnicodeSurrogateInvalid:
        return "a \\u escape of a UTF-16 high surrogate without its low surrogate";
    // RapidJSON also reports a raw control character in a string this way.
    case kParseErrorStringEscapeInvalid: return "invalid escape sequence or unescaped control character in a string";
    case kParseErrorStringMissQuotationMark: return "missing the closing quote of a string";
    case kParseErrorStringInvalidEncoding: return "invalid UTF-8 in a string";
    case kParseErrorNumberTooBig: return "number beyond the range of a double";
    case kParseErrorNumberMissFraction: return "missing digits after the decimal point";
    case kParseErrorNumberMissExponent: return "missing digits in the exponent";
    case kParseErrorTermination: return "parsing stopped";
    case kParseErrorUnspecificSyntaxError: return "syntax error";
    }
    return "syntax error";
}

void appendUnsigned(std::string &out, std::uint64_t value)
{
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

void appendSigned(std::string &out, std::int64_t value)
{
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

namespace {

// Go writes "1e-07" as "1e-7" (encoding/json trims a leading exponent zero) but keeps
// "1e+21" and three-digit exponents as they are.
void appendTrimmedExponent(std::string &out, char *buf, std::size_t n)
{
    if (n >= 4 && buf[n - 4] == 'e' && buf[n - 3] == '-' && buf[n - 2] == '0') {
        buf[n - 2] = buf[n - 1];
        --n;
    }
    out.append(buf, n);
}

} // namespace

namespace {

// Go's strconv 'f' format with the shortest round-trip digits. std::to_chars in fixed
// notation prints the exact binary value of large numbers (12345678901234567168), while
// Go pads the shortest digits with zeros (12345678901234567000), so we place the digits
// of the scientific form ourselves.
void appendShortestFixed(std::string &out, const char *sci, std::size_t n)
{
    std::size_t i = 0;
    if (sci[0] == '-') {
        out.push_back('-');
        ++i;
    }
    std::string digits;
    for (; i < n && sci[i] != 'e'; ++i) {
        if (sci[i] != '.')
            digits.push_back(sci[i]);
    }
    int exponent = 0;
    if (i < n) {
        const char *e = sci + i + 1;
        if (*e == '+')
            ++e;
        std::from_chars(e, sci + n, exponent);
    }
    if (digits == "0") {
        out.push_back('0');
        return;
    }
    if (exponent >= 0) {
        const std::size_t intDigits = static_cast<std::size_t>(exponent) + 1;
        if (digits.size() <= intDigits) {
            out += digits;
            out.append(intDigits - digits.size(), '0');
        } else {
            out.append(digits, 0, intDigits);
            out.push_back('.');
            out.append(digits, intDigits, std::string::npos);
        }
    } else {
        out.append("0.");
        out.append(static_cast<std::size_t>(-exponent - 1), '0');
        out += digits;
    }
}

template<typename Float>
void appendGoFloat(std::string &out, Float value, bool exponentForm)
{
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    const std::size_t n = static_cast<std::size_t>(r.ptr - buf);
    if (exponentForm)
        appendTrimmedExponent(out, buf, n);
    else
        appendShortestFixed(out, buf, n);
}

} // namespace

void appendFloat64(std::string &out, double value)
{
    const double magnitude = std::fabs(value);
    appendGoFloat(out, value, magnitude != 0 && (magnitude < 1e-6 || magnitude >= 1e21));
}

void appendFloat32(std::string &out, float value)
{
    const float magnitude = std::fabs(value);
    appendGoFloat(out, value, magnitude != 0 && (magnitude < 1e-6f || magnitude >= 1e21f));
}

void appendBase64(std::string &out, std::string_view bytes)
{
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const auto *p = reinterpret_cast<const unsigned char *>(bytes.data());
    const std::size_t n = bytes.size();
    out.reserve(out.size() + (n + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        const unsigned v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
        const char quad[4] = {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63],
                              kAlphabet[v & 63]};
        out.append(quad, 4);
    }
    if (i + 1 == n) {
        const unsigned v = p[i] << 16;
        const char quad[4] = {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], '=', '='};
        out.append(quad, 4);
    } else if (i + 2 == n) {
        const unsigned v = (p[i] << 16) | (p[i + 1] << 8);
        const char quad[4] = {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63],
                              '='};
        out.append(quad, 4);
    }
}

bool parseNumber(std::string_view literal, Number &number, std::string &why)
{
    const char *first = literal.data();
    const char *last = first + literal.size();
    const bool isInteger = literal.find_first_of(".eE") == std::string_view::npos;
    // "-0" is how Go writes the float64 -0.0; reading it as the integer 0 would lose the
    // sign on a msgpack -> JSON -> msgpack trip, so it stays a float.
    if (isInteger && literal == "-0") {
        number.kind = Number::Double;
        number.d = -0.0;
        return true;
    }
    if (isInteger) {
        const bool negative = !literal.empty() && literal.front() == '-';
        if (negative) {
            std::int64_t v = 0;
            const auto r = std::from_chars(first, last, v);
            if (r.ec == std::errc() && r.ptr == last) {
                number.kind = Number::Int64;
                number.i = v;
                return true;
            }
        } else {
            std::uint64_t v = 0;
            const auto r = std::from_chars(first, last, v);
            if (r.ec == std::errc() && r.ptr == last) {
                if (v <= static_cast<std::uint64_t>(INT64_MAX)) {
                    number.kind = Number::Int64;
                    number.i = static_cast<std::int64_t>(v);
                } else {
                    number.kind = Number::Uint64;
                    number.u = v;
                }
                return true;
            }
        }
        // Go writes a float64 of magnitude in [2^63, 1e21) as a long integer
        // ("50000000000000000000"). When the literal is exactly that spelling of a
        // double, it is that double; any other integer this large would lose digits.
        double d = 0;
        const auto asDouble = std::from_chars(first, last, d);
        if (asDouble.ec == std::errc() && asDouble.ptr == last) {
            std::string spelled;
            appendFloat64(spelled, d);
            if (spelled == literal) {
                number.kind = Number::Double;
                number.d = d;
                return true;
            }
        }
        why = "integer " + std::string(literal)
            + (negative ? " is below -9223372036854775808" : " is above 18446744073709551615");
        return false;
    }
    double d = 0;
    const auto r = std::from_chars(first, last, d);
    if (r.ptr != last) {
        why = "invalid number " + std::string(literal);
        return false;
    }
    if (r.ec == std::errc::result_out_of_range) {
        // Tell underflow (a tiny value, which rounds to zero as Go's ParseFloat does)
        // from overflow by the decimal magnitude of the first significant digit.
        std::string_view digits = literal;
        const bool negative = !digits.empty() && digits.front() == '-';
        if (negative)
            digits.remove_prefix(1);
        const std::size_t ePos = digits.find_first_of("eE");
        long long exponent = 0;
        if (ePos != std::string_view::npos) {
            std::string_view e = digits.substr(ePos + 1);
            if (!e.empty() && e.front() == '+')
                e.remove_prefix(1);
            if (std::from_chars(e.data(), e.data() + e.size(), exponent).ec != std::errc())
                exponent = (!e.empty() && e.front() == '-') ? -(1LL << 40) : (1LL << 40);
            digits = digits.substr(0, ePos);
        }
        const std::size_t dot = digits.find('.');
        const std::size_t firstSignificant = digits.find_first_not_of("0.");
        long long magnitude = 0;
        if (firstSignificant != std::string_view::npos) {
            const long long intDigits = static_cast<long long>(dot == std::string_view::npos ? digits.size() : dot);
            magnitude = intDigits - static_cast<long long>(firstSignificant) + exponent;
            if (dot != std::string_view::npos && firstSignificant > dot)
                magnitude += 1;
        }
        if (magnitude > 0) {
            why = "number " + std::string(literal) + " is beyond the range of a double";
            return false;
        }
        d = negative ? -0.0 : 0.0;
    } else if (r.ec != std::errc()) {
        why = "invalid number " + std::string(literal);
        return false;
    }
    number.kind = Number::Double;
    number.d = d;
    return true;
}

bool DepthGuard::enter()
{
    if (depth >= json::kMaxDepth) {
        tooDeep = true;
        return false;
    }
    ++depth;
    return true;
}

std::string tooDeepMessage()
{
    return "nesting deeper than " + std::to_string(json::kMaxDepth) + " levels";
}

} // namespace rangedb::gojson

namespace rangedb::json {

namespace {

using gojson::DepthGuard;
using rapidjson::SizeType;

void appendStringValue(std::string &out, const char *s, SizeType n)
{
    out.push_back('"');
    if (std::memchr(s, 0xed, n) == nullptr) {
        gojson::appendEscaped(out, std::string_view(s, n));
    } else {
        std::string fixed;
        gojson::assignUnescaped(fixed, s, n);
        gojson::appendEscaped(out, fixed);
    }
    out.push_back('"');
}

// Writes the SAX events back as text: compact (indent 0) or indented like Go's
// MarshalIndent. Number literals are copied, strings re-escaped the Go way.
class TextWriter : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TextWriter>
{
public:
    TextWriter(std::string &out, int indent) : m_out(out), m_indent(indent) {}

    DepthGuard guard;

    bool Null() { return scalar("null", 4); }
    bool Bool(bool b) { return b ? scalar("true", 4) : scalar("false", 5); }
    bool RawNumber(const char *s, SizeType n, bool) { return scalar(s, n); }
    bool String(const char *s, SizeType n, bool)
    {
        beforeValue();
        appendStringValue(m_out, s, n);
        return true;
    }
    bool Key(const char *s, SizeType n, bool)
    {
        beforeValue();
        appendStringValue(m_out, s, n);
        m_out.push_back(':');
        if (m_indent > 0)
            m_out.push_back(' ');
        m_afterKey = true;
        return true;
    }
    bool StartObject() { return open('{'); }
    bool EndObject(SizeType) { return close('}'); }
    bool StartArray() { return open('['); }
    bool EndArray(SizeType) { return close(']'); }
    // Never called with kParseNumbersAsStringsFlag; the base class would route them here.
    bool Default() { return false; }

private:
    bool scalar(const char *s, std::size_t n)
    {
        beforeValue();
        m_out.append(s, n);
        return true;
    }
    bool open(char c)
    {
        if (!guard.enter())
            return false;
        beforeValue();
        m_out.push_back(c);
        m_empty.push_back(true);
        return true;
    }
    bool close(char c)
    {
        guard.leave();
        const bool wasEmpty = m_empty.back();
        m_empty.pop_back();
        if (!wasEmpty)
            newline();
        m_out.push_back(c);
        return true;
    }
    void beforeValue()
    {
        if (m_afterKey) {
            m_afterKey = false;
            return;
        }
        if (m_empty.empty())
            return;
        if (m_empty.back())
            m_empty.back() = false;
        else
            m_out.push_back(',');
        newline();
    }
    void newline()
    {
        if (m_indent <= 0)
            return;
        m_out.push_back('\n');
        m_out.append(m_empty.size() * static_cast<std::size_t>(m_indent), ' ');
    }

    std::string &m_out;
    int m_indent;
    std::vector<bool> m_empty;
    bool m_afterKey = false;
};

// Parses exactly one value of `text` into `handler`; on failure returns the DecodeError
// with position, prefixed by `what`.
template<typename Handler>
Status parseOne(std::string_view text, Handler &handler, std::string_view what)
{
    const std::size_t badUtf8 = gojson::scanText(text, nullptr);
    rapidjson::Reader reader;
    rapidjson::MemoryStream stream(text.data(), text.size());
    const rapidjson::ParseResult result = reader.Parse<gojson::kParseFlagsTrustedUtf8>(stream, handler);
    std::size_t offset = 0;
    std::string message;
    if (badUtf8 != std::string_view::npos && (!result.IsError() || badUtf8 < result.Offset())) {
        offset = badUtf8;
        message = "invalid UTF-8 in a string";
    } else if (result.IsError()) {
        offset = result.Offset();
        if (handler.guard.tooDeep)
            message = gojson::tooDeepMessage();
        else
            message = gojson::describeParseError(result.Code(), offset >= text.size());
    } else {
        offset = stream.Tell();
        while (offset < text.size()
               && (text[offset] == ' ' || text[offset] == '\t' || text[offset] == '\n'
                   || text[offset] == '\r'))
            ++offset;
        if (offset == text.size())
            return {};
        message = "unexpected text after the value";
    }
    std::string full;
    if (!what.empty()) {
        full.append(what);
        full.append(": ");
    }
    full += gojson::describePosition(text, offset) + ": " + message;
    return Status::error(ErrorCode::DecodeError, std::move(full));
}

// Exact decimal value of a number literal as "<sign><digits>e<exponent>" with no leading
// or trailing zeros in the digits, so equal values give equal strings.
std::string canonicalNumber(std::string_view literal)
{
    bool negative = false;
    if (!literal.empty() && literal.front() == '-') {
        negative = true;
        literal.remove_prefix(1);
    }
    long long exponent = 0;
    const std::size_t ePos = literal.find_first_of("eE");
    if (ePos != std::string_view::npos) {
        std::string_view e = literal.substr(ePos + 1);
        if (!e.empty() && e.front() == '+')
            e.remove_prefix(1);
        if (std::from_chars(e.data(), e.data() + e.size(), exponent).ec != std::errc())
            exponent = (!e.empty() && e.front() == '-') ? -(1LL << 40) : (1LL << 40);
        literal = literal.substr(0, ePos);
    }
    std::string digits;
    digits.reserve(literal.size());
    const std::size_t dot = literal.find('.');
    for (char c : literal) {
        if (c != '.')
            digits.push_back(c);
    }
    if (dot != std::string_view::npos)
        exponent -= static_cast<long long>(literal.size() - dot - 1);
    const std::size_t firstNonZero = digits.find_first_not_of('0');
    if (firstNonZero == std::string::npos)
        return "0";
    digits.erase(0, firstNonZero);
    while (digits.back() == '0') {
        digits.pop_back();
        ++exponent;
    }
    return (negative ? "-" : "") + digits + "e" + std::to_string(exponent);
}

// Builds a canonical text of a value with object members sorted by key (the last of
// duplicate keys wins, as with Go maps) and exact canonical numbers. Iterative: one frame
// per open container.
class CanonicalBuilder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, CanonicalBuilder>
{
public:
    DepthGuard guard;
    std::string result;

    bool Null() { return emit("null"); }
    bool Bool(bool b) { return emit(b ? "true" : "false"); }
    bool RawNumber(const char *s, SizeType n, bool) { return emit(canonicalNumber({s, n})); }
    bool String(const char *s, SizeType n, bool)
    {
        std::string text;
        appendStringValue(text, s, n);
        return emit(std::move(text));
    }
    bool Key(const char *s, SizeType n, bool)
    {
        m_stack.back().key.assign(s, n);
        return true;
    }
    bool StartObject() { return open(true); }
    bool StartArray() { return open(false); }
    bool EndObject(SizeType)
    {
        Frame frame = std::move(m_stack.back());
        m_stack.pop_back();
        guard.leave();
        std::stable_sort(frame.members.begin(), frame.members.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
        std::string text = "{";
        for (std::size_t i = 0; i < frame.members.size(); ++i) {
            if (i + 1 < frame.members.size() && frame.members[i + 1].first == frame.members[i].first)
                continue;
            if (text.size() > 1)
                text.push_back(',');
            appendStringValue(text, frame.members[i].first.data(), frame.members[i].first.size());
            text.push_back(':');
            text += frame.members[i].second;
        }
        text.push_back('}');
        return emit(std::move(text));
    }
    bool EndArray(SizeType)
    {
        Frame frame = std::move(m_stack.back());
        m_stack.pop_back();
        guard.leave();
        std::string text = "[";
        for (std::size_t i = 0; i < frame.members.size(); ++i) {
            if (i > 0)
                text.push_back(',');
            text += frame.members[i].second;
        }
        text.push_back(']');
        return emit(std::move(text));
    }
    bool Default() { return false; }

private:
    struct Frame
    {
        bool isObject = false;
        std::string key;
        std::vector<std::pair<std::string, std::string>> members;
    };

    bool open(bool isObject)
    {
        if (!guard.enter())
            return false;
        m_stack.push_back(Frame{isObject, {}, {}});
        return true;
    }
    bool emit(std::string value)
    {
        if (m_stack.empty())
            result = std::move(value);
        else
            m_stack.back().members.emplace_back(std::move(m_stack.back().key), std::move(value));
        return true;
    }

    std::vector<Frame> m_stack;
};

} // namespace

Result<std::string> normalize(std::string_view text, std::string_view what)
{
    std::string out;
    out.reserve(text.size());
    TextWriter writer(out, 0);
    Status status = parseOne(text, writer, what);
    if (!status.ok())
        return status;
    return out;
}

void appendQuoted(std::string &out, std::string_view utf8)
{
    out.push_back('"');
    gojson::appendEscaped(out, utf8);
    out.push_back('"');
}

std::string quoted(std::string_view utf8)
{
    std::string out;
    out.reserve(utf8.size() + 2);
    appendQuoted(out, utf8);
    return out;
}

bool equal(std::string_view a, std::string_view b)
{
    CanonicalBuilder left;
    CanonicalBuilder right;
    if (!parseOne(a, left, {}).ok() || !parseOne(b, right, {}).ok())
        return false;
    return left.result == right.result;
}

Result<std::string> pretty(std::string_view text, int indent)
{
    std::string out;
    out.reserve(text.size() * 2);
    TextWriter writer(out, std::max(indent, 0));
    Status status = parseOne(text, writer, {});
    if (!status.ok())
        return status;
    return out;
}

TextPosition positionOf(std::string_view text, std::size_t offset)
{
    offset = std::min(offset, text.size());
    TextPosition pos;
    std::size_t lineStart = 0;
    const char *data = text.data();
    for (;;) {
        const void *nl = std::memchr(data + lineStart, '\n', offset - lineStart);
        if (nl == nullptr)
            break;
        lineStart = static_cast<std::size_t>(static_cast<const char *>(nl) - data) + 1;
        ++pos.line;
    }
    pos.column = static_cast<int>(offset - lineStart) + 1;
    return pos;
}

} // namespace rangedb::json
