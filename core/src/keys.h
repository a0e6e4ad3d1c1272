#pragma once

// rangedb v0.12.0's LevelDB key layout (core/FORMAT.md, "Keys"). Private to the core.

#include <cstdint>
#include <string>
#include <string_view>

namespace rangedb::keys {

inline constexpr std::string_view kGlobalSequence = "$gsn$";
inline constexpr std::string_view kAllEventsPrefix = "$all$!";

inline void appendBigEndian64(std::string &out, std::uint64_t value)
{
    char bytes[8];
    for (int i = 7; i >= 0; --i) {
        bytes[i] = char(value & 0xff);
        value >>= 8;
    }
    out.append(bytes, 8);
}

inline std::uint64_t readBigEndian64(std::string_view bytes)
{
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8 && i < bytes.size(); ++i)
        value = (value << 8) | std::uint8_t(bytes[i]);
    return value;
}

inline std::string bigEndian64(std::uint64_t value)
{
    std::string out;
    appendBigEndian64(out, value);
    return out;
}

// "<stream>!" — every record key of the stream starts with it.
inline std::string streamPrefix(std::string_view stream)
{
    std::string key;
    key.reserve(stream.size() + 9);
    key.append(stream);
    key.push_back('!');
    return key;
}

inline std::string streamKey(std::string_view stream, std::uint64_t streamSequence)
{
    std::string key = streamPrefix(stream);
    appendBigEndian64(key, streamSequence);
    return key;
}

inline std::string aggregateTypePrefix(std::string_view aggregateType)
{
    std::string key;
    key.reserve(aggregateType.size() + 11);
    key.push_back('$');
    key.append(aggregateType);
    key.append("$!");
    return key;
}

inline std::string aggregateTypeKey(std::string_view aggregateType, std::uint64_t globalSequence)
{
    std::string key = aggregateTypePrefix(aggregateType);
    appendBigEndian64(key, globalSequence);
    return key;
}

inline std::string allEventsKey(std::uint64_t globalSequence)
{
    std::string key(kAllEventsPrefix);
    appendBigEndian64(key, globalSequence);
    return key;
}

// True when `key` is `prefix` followed by exactly 8 bytes: an entry of that prefix and
// not of a longer name that happens to share it (thing!A vs thing!A!x).
inline bool isExactEntry(std::string_view key, std::string_view prefix)
{
    return key.size() == prefix.size() + 8 && key.substr(0, prefix.size()) == prefix;
}

// A printable form of a key for messages: bytes outside 0x20..0x7e as \xHH.
inline std::string printable(std::string_view key)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(key.size() + 16);
    for (unsigned char c : key) {
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            out.push_back(char(c));
        } else if (c == '\\') {
            out.append("\\\\");
        } else {
            out.append("\\x");
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xf]);
        }
    }
    return out;
}

} // namespace rangedb::keys
