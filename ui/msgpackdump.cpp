#include "msgpackdump.h"

#include <rangedb/json.h>

#include <msgpack/object.hpp>
#include <msgpack/unpack.hpp>

#include <charconv>
#include <exception>
#include <string>

namespace rangedb::ui {

namespace {

constexpr int kMaxDepth = 100;
constexpr std::size_t kMaxHexBytes = 32;

std::string hexPreview(const char *data, std::size_t size)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    const std::size_t n = std::min(size, kMaxHexBytes);
    for (std::size_t i = 0; i < n; ++i) {
        const auto b = static_cast<unsigned char>(data[i]);
        if (i > 0)
            out.push_back(' ');
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 0xf]);
    }
    if (size > n)
        out += " ...";
    return out;
}

std::string shortestDouble(double d)
{
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, r.ptr);
}

std::string countText(std::size_t n, const char *one, const char *many)
{
    return std::to_string(n) + ' ' + (n == 1 ? one : many);
}

// One line per scalar and per container header; members as `"key": value`.
void render(std::string &out, const msgpack::object &o, int depth)
{
    switch (o.type) {
    case msgpack::type::NIL: out += "nil"; return;
    case msgpack::type::BOOLEAN: out += o.via.boolean ? "bool true" : "bool false"; return;
    case msgpack::type::POSITIVE_INTEGER: out += "uint " + std::to_string(o.via.u64); return;
    case msgpack::type::NEGATIVE_INTEGER: out += "int " + std::to_string(o.via.i64); return;
    case msgpack::type::FLOAT32: out += "float32 " + shortestDouble(o.via.f64); return;
    case msgpack::type::FLOAT64: out += "float64 " + shortestDouble(o.via.f64); return;
    case msgpack::type::STR: out += "str " + json::quoted(std::string_view(o.via.str.ptr, o.via.str.size)); return;
    case msgpack::type::BIN:
        out += "bin, " + countText(o.via.bin.size, "byte", "bytes");
        if (o.via.bin.size > 0)
            out += ": " + hexPreview(o.via.bin.ptr, o.via.bin.size);
        return;
    case msgpack::type::EXT:
        out += "ext type " + std::to_string(static_cast<int>(o.via.ext.type())) + ", "
            + countText(o.via.ext.size, "byte", "bytes");
        if (o.via.ext.size > 0)
            out += ": " + hexPreview(o.via.ext.data(), o.via.ext.size);
        return;
    case msgpack::type::ARRAY:
        out += "array, " + countText(o.via.array.size, "item", "items");
        if (depth >= kMaxDepth) {
            out += " (deeper levels not shown)";
            return;
        }
        for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
            out += '\n';
            out.append(static_cast<std::size_t>(depth + 1) * 2, ' ');
            render(out, o.via.array.ptr[i], depth + 1);
        }
        return;
    case msgpack::type::MAP:
        out += "map, " + countText(o.via.map.size, "entry", "entries");
        if (depth >= kMaxDepth) {
            out += " (deeper levels not shown)";
            return;
        }
        for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
            const msgpack::object_kv &kv = o.via.map.ptr[i];
            out += '\n';
            out.append(static_cast<std::size_t>(depth + 1) * 2, ' ');
            if (kv.key.type == msgpack::type::STR) {
                out += json::quoted(std::string_view(kv.key.via.str.ptr, kv.key.via.str.size));
            } else {
                out += '(';
                render(out, kv.key, kMaxDepth); // keys are scalars in practice
                out += ')';
            }
            out += ": ";
            render(out, kv.val, depth + 1);
        }
        return;
    }
    out += "unknown type";
}

} // namespace

QString msgpackDump(const QByteArray &bytes, const QStringList &labels)
{
    std::string out;
    std::size_t offset = 0;
    const auto size = static_cast<std::size_t>(bytes.size());
    for (int n = 0; offset < size; ++n) {
        const std::size_t start = offset;
        msgpack::object_handle handle;
        try {
            msgpack::unpack(handle, bytes.constData(), size, offset);
        } catch (const std::exception &e) {
            // msgpack-c throws insufficient_bytes for truncated input, parse_error etc.
            out += (out.empty() ? "" : "\n");
            out += "cannot decode the msgpack object at byte " + std::to_string(start) + ": " + e.what();
            break;
        }
        if (!out.empty())
            out += '\n';
        out += '#' + std::to_string(n + 1);
        if (n < labels.size())
            out += ' ' + labels[n].toStdString();
        out += " (byte " + std::to_string(start) + ", " + countText(offset - start, "byte", "bytes") + "): ";
        render(out, handle.get(), 0);
    }
    return QString::fromStdString(out);
}

} // namespace rangedb::ui
