#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace rangedb {

// The kinds of failure the core reports. Each is something a caller can act on; the
// message of a Status says what and where (key, file, record index, line and column).
enum class ErrorCode {
    Ok = 0,
    InvalidArgument,          // a bad argument: empty or forbidden aggregate type, bad stream name
    MissingEvents,            // save with no records ("missing events")
    UnmatchedAggregateType,   // records of one save have different aggregate types
    UnmatchedAggregateId,     // records of one save have different aggregate IDs
    UnexpectedSequenceNumber, // optimistic save/delete: expected != actual
    StreamNotFound,           // "stream not found"
    Cancelled,                // the stop token fired ("context canceled")
    DatabaseLocked,           // another process (or another handle) holds the LevelDB LOCK
    ReadOnly,                 // a write on a store opened read-only
    NotADatabase,             // the folder is missing or holds no LevelDB database
    Corruption,               // LevelDB reports corruption, or an index points nowhere
    DecodeError,              // a stored value or an input file does not decode
    EncodeError,              // a value cannot be encoded (e.g. a number msgpack cannot hold)
    IoError,                  // file system trouble
    NotFound,                 // an index entry whose record is missing ("leveldb: not found")
};

const char *errorCodeName(ErrorCode code);

// A Status is Ok or an error with a code and a message. Cheap to copy when Ok.
class [[nodiscard]] Status
{
public:
    Status() = default;

    static Status error(ErrorCode code, std::string message);
    // "unexpected sequence number: <expected>, actual: <actual>", as rangedb words it.
    static Status unexpectedSequenceNumber(std::uint64_t expected, std::uint64_t actual);
    static Status streamNotFound() { return error(ErrorCode::StreamNotFound, "stream not found"); }
    static Status cancelled() { return error(ErrorCode::Cancelled, "context canceled"); }

    bool ok() const { return m_code == ErrorCode::Ok; }
    ErrorCode code() const { return m_code; }
    const std::string &message() const { return m_message; }
    // Only meaningful for UnexpectedSequenceNumber.
    std::uint64_t expectedSequenceNumber() const { return m_expected; }
    std::uint64_t actualSequenceNumber() const { return m_actual; }

    // "OK" or the message.
    std::string toString() const { return ok() ? std::string("OK") : m_message; }

    // The same error with "<prefix>: " in front of the message.
    Status withContext(const std::string &prefix) const;

    friend bool operator==(const Status &a, const Status &b)
    {
        return a.m_code == b.m_code && a.m_message == b.m_message;
    }

private:
    ErrorCode m_code = ErrorCode::Ok;
    std::string m_message;
    std::uint64_t m_expected = 0;
    std::uint64_t m_actual = 0;
};

// A value or the Status that explains why there is none.
template<typename T>
class [[nodiscard]] Result
{
public:
    Result(T value) : m_value(std::move(value)) {}
    Result(Status status) : m_value(std::move(status)) {}

    bool ok() const { return m_value.index() == 0; }
    const T &value() const & { return std::get<0>(m_value); }
    T &value() & { return std::get<0>(m_value); }
    T &&value() && { return std::get<0>(std::move(m_value)); }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &value(); }

    Status status() const { return ok() ? Status() : std::get<1>(m_value); }

private:
    std::variant<T, Status> m_value;
};

} // namespace rangedb
