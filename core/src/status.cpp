#include "rangedb/status.h"

namespace rangedb {

const char *errorCodeName(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Ok: return "ok";
    case ErrorCode::InvalidArgument: return "invalid argument";
    case ErrorCode::MissingEvents: return "missing events";
    case ErrorCode::UnmatchedAggregateType: return "unmatched aggregate type";
    case ErrorCode::UnmatchedAggregateId: return "unmatched aggregate ID";
    case ErrorCode::UnexpectedSequenceNumber: return "unexpected sequence number";
    case ErrorCode::StreamNotFound: return "stream not found";
    case ErrorCode::Cancelled: return "cancelled";
    case ErrorCode::DatabaseLocked: return "database locked";
    case ErrorCode::ReadOnly: return "read-only";
    case ErrorCode::NotADatabase: return "not a database";
    case ErrorCode::Corruption: return "corruption";
    case ErrorCode::DecodeError: return "decode error";
    case ErrorCode::EncodeError: return "encode error";
    case ErrorCode::IoError: return "I/O error";
    case ErrorCode::NotFound: return "not found";
    }
    return "unknown";
}

Status Status::error(ErrorCode code, std::string message)
{
    Status s;
    s.m_code = code;
    s.m_message = std::move(message);
    return s;
}

Status Status::unexpectedSequenceNumber(std::uint64_t expected, std::uint64_t actual)
{
    Status s = error(ErrorCode::UnexpectedSequenceNumber,
                     "unexpected sequence number: " + std::to_string(expected)
                         + ", actual: " + std::to_string(actual));
    s.m_expected = expected;
    s.m_actual = actual;
    return s;
}

Status Status::withContext(const std::string &prefix) const
{
    if (ok())
        return *this;
    Status s = *this;
    s.m_message = prefix + ": " + m_message;
    return s;
}

} // namespace rangedb
