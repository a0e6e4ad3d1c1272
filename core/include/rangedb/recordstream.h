#pragma once

#include "rangedb/record.h"
#include "rangedb/status.h"

#include <QString>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

class QIODevice;

// The bulk formats of rangedb's record io-streams (core/FORMAT.md, "Record streams"):
// a JSON array, NDJSON, and a msgpack concatenation. Read and written incrementally, in
// constant memory whatever the size. A reader or writer is used by one thread at a time.
namespace rangedb {

enum class StreamFormat { JsonArray, Ndjson, Msgpack };

const char *streamFormatName(StreamFormat format);             // "json", "ndjson", "msgpack"
Result<StreamFormat> parseStreamFormat(std::string_view name); // the inverse
// Guesses the format from the first bytes of a file: '[' -> JSON array, '{' -> NDJSON,
// 0x89 (or another msgpack map header) -> msgpack. Whitespace is skipped.
Result<StreamFormat> sniffStreamFormat(std::string_view head);

// Writes records to a QIODevice that is open for writing. rangedb's framing: JSON array
// "[" rec "," rec "]" with no whitespace; NDJSON records joined by "\n" with no trailing
// newline; msgpack records back to back.
class RecordWriter
{
public:
    RecordWriter(QIODevice *device, StreamFormat format);
    ~RecordWriter();
    RecordWriter(const RecordWriter &) = delete;
    RecordWriter &operator=(const RecordWriter &) = delete;

    // Writes one record. `rawJson`, when given, must be the record's canonical JSON
    // (codec::decodeJson said canonical); JSON and NDJSON output then copies it through.
    Status write(const Record &record, std::string_view rawJson = {});
    // Writes the closing bracket (JSON array) and flushes. Call once, after the last write.
    Status finish();

    std::uint64_t recordsWritten() const { return m_records; }
    std::uint64_t bytesWritten() const { return m_bytes; }

private:
    Status flush();

    QIODevice *m_device;
    StreamFormat m_format;
    std::string m_buffer;
    std::uint64_t m_records = 0;
    std::uint64_t m_bytes = 0;
    bool m_finished = false;
};

// Reads records from a QIODevice open for reading, one at a time:
//   while (reader.next()) use(reader.record());
//   if (!reader.status().ok()) ...
// Errors are DecodeError and name the source, the record number (1-based), and the line
// and column (JSON, NDJSON) or byte offset (msgpack), and quote the offending text.
// An empty input holds no records and is not an error (as in rangedb).
class RecordReader
{
public:
    RecordReader(QIODevice *device, StreamFormat format, QString sourceName = {});
    ~RecordReader();
    RecordReader(const RecordReader &) = delete;
    RecordReader &operator=(const RecordReader &) = delete;

    bool next();
    const Record &record() const { return m_record; }
    const Status &status() const { return m_status; }
    // Number of records returned so far.
    std::uint64_t recordIndex() const { return m_index; }
    // Bytes of input consumed so far (for progress).
    std::uint64_t bytesRead() const;

    // Where the record next() returned last begins in the input: its byte offset, and
    // for JSON and NDJSON its line and column (both 0 for msgpack).
    struct Position
    {
        std::uint64_t byte = 0;
        int line = 0;
        int column = 0;
    };
    Position recordPosition() const;
    // That record's bytes as they are in the input; valid until the next call of next().
    std::string_view recordText() const;

private:
    class Impl;
    std::unique_ptr<Impl> m_impl;
    Record m_record;
    Status m_status;
    std::uint64_t m_index = 0;
};

} // namespace rangedb
