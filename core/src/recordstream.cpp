#include "rangedb/recordstream.h"

#include "rangedb/codec.h"

#include "gojson.h"

#include <QIODevice>

#include <algorithm>
#include <cstring>

namespace rangedb {

namespace {

// Output is handed to the device, and input read from it, in pieces of this size.
constexpr std::size_t kChunkSize = 64 * 1024;
// The largest single record a reader accepts; beyond it memory would no longer be bounded.
constexpr std::size_t kMaxRecordSize = 64 * 1024 * 1024;

bool isJsonSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// How much to read when `pending` bytes do not yet hold a whole record: geometric growth,
// so a large record is re-parsed only a few times, but never past one byte beyond the
// record size limit, so memory stays bounded and the limit is what reports the error.
std::size_t growth(std::size_t pending)
{
    return std::min(std::max(kChunkSize, pending), kMaxRecordSize + 1 - std::min(pending, kMaxRecordSize));
}

} // namespace

const char *streamFormatName(StreamFormat format)
{
    switch (format) {
    case StreamFormat::JsonArray: return "json";
    case StreamFormat::Ndjson: return "ndjson";
    case StreamFormat::Msgpack: return "msgpack";
    }
    return "json";
}

Result<StreamFormat> parseStreamFormat(std::string_view name)
{
    if (name == "json")
        return StreamFormat::JsonArray;
    if (name == "ndjson")
        return StreamFormat::Ndjson;
    if (name == "msgpack")
        return StreamFormat::Msgpack;
    return Status::error(ErrorCode::InvalidArgument,
                         "unknown record stream format \"" + std::string(name)
                             + "\": expected json, ndjson or msgpack");
}

Result<StreamFormat> sniffStreamFormat(std::string_view head)
{
    std::size_t i = 0;
    while (i < head.size() && isJsonSpace(head[i]))
        ++i;
    if (i == head.size())
        return Status::error(ErrorCode::InvalidArgument, "cannot tell the record stream format of an empty input");
    const auto c = static_cast<unsigned char>(head[i]);
    if (c == '[')
        return StreamFormat::JsonArray;
    if (c == '{')
        return StreamFormat::Ndjson;
    // fixmap, map16, map32: a record map (0x89 for rangedb v0.12.0).
    if ((c >= 0x80 && c <= 0x8f) || c == 0xde || c == 0xdf)
        return StreamFormat::Msgpack;
    return Status::error(ErrorCode::InvalidArgument,
                         "cannot tell the record stream format: the input starts with neither '[', '{' "
                         "nor a msgpack map");
}

// ---- RecordWriter ----------------------------------------------------------------------

RecordWriter::RecordWriter(QIODevice *device, StreamFormat format) : m_device(device), m_format(format)
{
    m_buffer.reserve(kChunkSize + kChunkSize / 4);
}

// A writer dropped without finish() still hands over what it buffered, as rangedb's
// writer leaves whatever it wrote before an error; the closing bracket is not added.
RecordWriter::~RecordWriter()
{
    if (!m_buffer.empty())
        (void)flush();
}

Status RecordWriter::write(const Record &record, std::string_view rawJson)
{
    if (m_finished)
        return Status::error(ErrorCode::InvalidArgument, "record stream: write after finish");
    const std::size_t before = m_buffer.size();
    switch (m_format) {
    case StreamFormat::JsonArray:
    case StreamFormat::Ndjson:
        if (m_format == StreamFormat::JsonArray)
            m_buffer.push_back(m_records == 0 ? '[' : ',');
        else if (m_records > 0)
            m_buffer.push_back('\n');
        if (!rawJson.empty())
            m_buffer.append(rawJson);
        else
            codec::appendJson(m_buffer, record);
        break;
    case StreamFormat::Msgpack:
        if (Status s = codec::appendMsgpack(m_buffer, record); !s.ok())
            return s.withContext("record " + std::to_string(m_records + 1));
        break;
    }
    m_bytes += m_buffer.size() - before;
    ++m_records;
    if (m_buffer.size() >= kChunkSize)
        return flush();
    return {};
}

Status RecordWriter::finish()
{
    if (m_finished)
        return {};
    m_finished = true;
    if (m_format == StreamFormat::JsonArray) {
        const char *tail = m_records == 0 ? "[]" : "]";
        m_buffer.append(tail);
        m_bytes += std::strlen(tail);
    }
    return flush();
}

Status RecordWriter::flush()
{
    std::size_t done = 0;
    while (done < m_buffer.size()) {
        const qint64 n = m_device->write(m_buffer.data() + done, static_cast<qint64>(m_buffer.size() - done));
        if (n <= 0) {
            m_buffer.clear();
            return Status::error(ErrorCode::IoError,
                                 "record stream: write failed: " + m_device->errorString().toStdString());
        }
        done += static_cast<std::size_t>(n);
    }
    m_buffer.clear();
    return {};
}

// ---- RecordReader ----------------------------------------------------------------------

namespace {

// The bytes read from the device and not yet dropped. Grows while a record does not fit,
// shrinks between records (Impl::compact).
struct InputBuffer
{
    QIODevice *device = nullptr;
    std::string bytes;
    bool eof = false;

    // Appends up to `want` bytes from the device; false at the end of the input.
    bool readMore(std::size_t want = kChunkSize)
    {
        if (eof)
            return false;
        const std::size_t old = bytes.size();
        bytes.resize(old + want);
        const qint64 n = device->read(bytes.data() + old, static_cast<qint64>(want));
        bytes.resize(old + static_cast<std::size_t>(std::max<qint64>(n, 0)));
        if (n <= 0) {
            eof = true;
            return false;
        }
        return true;
    }
};

} // namespace

class RecordReader::Impl
{
public:
    Impl(QIODevice *device, StreamFormat format, QString sourceName)
        : m_format(format), m_source(sourceName.isEmpty() ? std::string("input") : sourceName.toStdString())
    {
        m_input.device = device;
    }

    // Reads the next record into `record`; false at the end or on error (then `status`).
    bool next(Record &record, std::uint64_t number, Status &status);

    std::uint64_t bytesRead() const { return m_bufferOffset + m_pos; }
    RecordReader::Position recordPosition() const { return m_recordPosition; }
    std::string_view recordText() const
    {
        if (m_recordBegin + m_recordLength > m_buf.size())
            return {};
        return std::string_view(m_buf).substr(m_recordBegin, m_recordLength);
    }

private:
    bool nextJson(Record &record, Status &status);
    bool nextMsgpack(Record &record, Status &status);
    bool parseJsonRecord(Record &record, Status &status);

    // Skips whitespace, reading more as needed; the next byte, or -1 at the end of input.
    int skipSpace();
    void advanceTo(std::size_t pos);
    void compact();
    gojson::TextOrigin origin() const { return {m_line, m_column, bytesRead()}; }
    Status error(const std::string &message) const;
    std::string here() const;

    InputBuffer m_input;
    std::string &m_buf = m_input.bytes;
    StreamFormat m_format;
    std::string m_source;
    std::uint64_t m_number = 0;
    std::size_t m_pos = 0;             // consumed bytes of m_buf
    std::uint64_t m_bufferOffset = 0;  // input offset of m_buf[0]
    int m_line = 1;                    // position of m_pos in the input
    int m_column = 1;
    RecordReader::Position m_recordPosition; // of the record returned last
    std::size_t m_recordBegin = 0;           // its bytes in m_buf (kept until the next compact)
    std::size_t m_recordLength = 0;
    bool m_arrayOpen = false;
    bool m_done = false;
};

int RecordReader::Impl::skipSpace()
{
    for (;;) {
        while (m_pos < m_buf.size()) {
            const char c = m_buf[m_pos];
            if (!isJsonSpace(c))
                return static_cast<unsigned char>(c);
            if (c == '\n') {
                ++m_line;
                m_column = 1;
            } else {
                ++m_column;
            }
            ++m_pos;
        }
        compact();
        if (!m_input.readMore())
            return -1;
    }
}

void RecordReader::Impl::advanceTo(std::size_t pos)
{
    const char *data = m_buf.data();
    std::size_t lineStart = std::string::npos;
    for (std::size_t i = m_pos; i < pos;) {
        const void *nl = std::memchr(data + i, '\n', pos - i);
        if (nl == nullptr)
            break;
        i = static_cast<std::size_t>(static_cast<const char *>(nl) - data) + 1;
        ++m_line;
        lineStart = i;
    }
    if (lineStart == std::string::npos)
        m_column += static_cast<int>(pos - m_pos);
    else
        m_column = static_cast<int>(pos - lineStart) + 1;
    m_pos = pos;
}

// Drops consumed bytes between records so the buffer holds about one chunk.
void RecordReader::Impl::compact()
{
    if (m_pos == 0 || (m_pos < kChunkSize && m_pos < m_buf.size()))
        return;
    m_buf.erase(0, m_pos);
    m_bufferOffset += m_pos;
    m_pos = 0;
}

Status RecordReader::Impl::error(const std::string &message) const
{
    return Status::error(ErrorCode::DecodeError,
                         m_source + ": record " + std::to_string(m_number) + ": " + message);
}

std::string RecordReader::Impl::here() const
{
    return "line " + std::to_string(m_line) + ", column " + std::to_string(m_column) + " (byte "
        + std::to_string(bytesRead()) + ")";
}

bool RecordReader::Impl::next(Record &record, std::uint64_t number, Status &status)
{
    if (m_done)
        return false;
    m_number = number;
    const bool got = m_format == StreamFormat::Msgpack ? nextMsgpack(record, status) : nextJson(record, status);
    if (!got)
        m_done = true;
    return got;
}

bool RecordReader::Impl::nextJson(Record &record, Status &status)
{
    int c = skipSpace();
    if (m_format == StreamFormat::Ndjson) {
        if (c < 0)
            return false; // clean end (also of an empty input)
        return parseJsonRecord(record, status);
    }

    if (!m_arrayOpen) {
        if (c < 0)
            return false; // an empty input holds no records, as in rangedb
        if (c != '[') {
            status = error("expected '[' to start a JSON array, found "
                           + gojson::snippet(std::string_view(m_buf).substr(m_pos), 0) + " at " + here());
            return false;
        }
        advanceTo(m_pos + 1);
        m_arrayOpen = true;
        c = skipSpace();
    } else if (c == ',') {
        advanceTo(m_pos + 1);
        c = skipSpace();
        if (c == ']') {
            status = error("expected a record after ',', found ']' at " + here());
            return false;
        }
    } else if (c >= 0 && c != ']') {
        status = error("expected ',' or ']' after the previous record, found "
                       + gojson::snippet(std::string_view(m_buf).substr(m_pos), 0) + " at " + here());
        return false;
    }
    if (c < 0) {
        status = error("unexpected end of input: the JSON array has no closing ']' at " + here());
        return false;
    }
    if (c == ']') {
        advanceTo(m_pos + 1);
        // We check what follows the array; rangedb does not (core/FORMAT.md).
        if (skipSpace() >= 0) {
            status = error("unexpected text after the closing ']', "
                           + gojson::snippet(std::string_view(m_buf).substr(m_pos), 0) + " at " + here());
        }
        return false;
    }
    return parseJsonRecord(record, status);
}

// The record is decoded straight from the buffer. When the buffer ends inside it, more
// input is read (geometrically, so a large record is re-parsed only a few times) and the
// record is decoded again from its start.
bool RecordReader::Impl::parseJsonRecord(Record &record, Status &status)
{
    compact();
    const gojson::TextOrigin start = origin();
    for (;;) {
        const std::string_view view = std::string_view(m_buf).substr(m_pos);
        std::size_t consumed = 0;
        bool truncated = false;
        Status s = codec::detail::decodeJsonAt(view, record, nullptr, start, &consumed, &truncated);
        if (s.ok()) {
            m_recordPosition = {start.byte, start.line, start.column};
            m_recordBegin = m_pos;
            m_recordLength = consumed;
            advanceTo(m_pos + consumed);
            return true;
        }
        if (!truncated || m_input.eof) {
            status = error(s.message());
            return false;
        }
        if (view.size() > kMaxRecordSize) {
            status = error("larger than " + std::to_string(kMaxRecordSize / (1024 * 1024)) + " MiB (starting at "
                           + here() + ")");
            return false;
        }
        m_input.readMore(growth(view.size()));
    }
}

bool RecordReader::Impl::nextMsgpack(Record &record, Status &status)
{
    compact();
    if (m_pos == m_buf.size() && !m_input.readMore())
        return false; // a clean end at a record boundary
    for (;;) {
        const std::string_view view = std::string_view(m_buf).substr(m_pos);
        std::size_t consumed = 0;
        bool truncated = false;
        Status s = codec::detail::decodeMsgpackAt(view, record, &consumed, bytesRead(), &truncated);
        if (s.ok()) {
            m_recordPosition = {bytesRead(), 0, 0};
            m_recordBegin = m_pos;
            m_recordLength = consumed;
            m_pos += consumed;
            return true;
        }
        if (!truncated || m_input.eof) {
            status = error(s.message());
            return false;
        }
        if (view.size() > kMaxRecordSize) {
            status = error("larger than " + std::to_string(kMaxRecordSize / (1024 * 1024))
                           + " MiB (starting at byte " + std::to_string(bytesRead()) + ")");
            return false;
        }
        m_input.readMore(growth(view.size()));
    }
}

RecordReader::RecordReader(QIODevice *device, StreamFormat format, QString sourceName)
    : m_impl(std::make_unique<Impl>(device, format, std::move(sourceName)))
{
}

RecordReader::~RecordReader() = default;

bool RecordReader::next()
{
    if (!m_status.ok())
        return false;
    Status status;
    const bool got = m_impl->next(m_record, m_index + 1, status);
    if (!status.ok()) {
        m_status = status;
        return false;
    }
    if (got)
        ++m_index;
    return got;
}

std::uint64_t RecordReader::bytesRead() const
{
    return m_impl->bytesRead();
}

RecordReader::Position RecordReader::recordPosition() const
{
    return m_impl->recordPosition();
}

std::string_view RecordReader::recordText() const
{
    return m_impl->recordText();
}

} // namespace rangedb
