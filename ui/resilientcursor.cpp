#include "resilientcursor.h"

namespace rangedb::ui {

namespace {

bool isRowLevelError(const Status &status)
{
    return status.code() == ErrorCode::DecodeError || status.code() == ErrorCode::NotFound;
}

} // namespace

std::uint64_t sequenceOf(const Scope &scope, const Record &record)
{
    return scope.kind == Scope::Kind::Stream ? record.streamSequenceNumber : record.globalSequenceNumber;
}

ResilientCursor::ResilientCursor(Store &store, Scope scope, std::uint64_t from, std::stop_token stop)
    : m_store(store), m_scope(std::move(scope)), m_from(from), m_stop(std::move(stop))
{
}

bool ResilientCursor::next(RecordRow &row)
{
    if (!m_error.ok())
        return false;
    if (!m_it) {
        m_it = scopeEvents(m_store, m_scope, m_from, m_stop);
    }
    if (m_it->next())
        return take(row, *m_it->record());
    const Status error = m_it->error();
    if (error.ok())
        return false;
    if (m_scope.kind == Scope::Kind::Stream && error.code() == ErrorCode::StreamNotFound)
        return false; // deleted meanwhile: an empty stream
    if (!isRowLevelError(error)) {
        m_error = error;
        return false;
    }
    const std::uint64_t low = m_haveLast ? m_last + 1 : m_from;
    std::uint64_t bad = low;
    if (m_scope.kind == Scope::Kind::Stream) {
        // Stream numbers run 1..n without gaps: the bad record is the next number.
        m_it.reset();
        m_from = bad + 1;
    } else {
        // probe(s) fails with this very error exactly when the first record at or after s
        // is the bad one: true for s in [low, bad], false above. Find the largest such s
        // (the message names the record's key, so a second bad record right after it
        // fails differently and is reported by the next call).
        auto failsTheSame = [&](std::uint64_t s) {
            auto probe = scopeEvents(m_store, m_scope, s, m_stop);
            return !probe->next() && probe->error() == error;
        };
        std::uint64_t lo = low, hi = low + 1, step = 1; // lo fails the same; is hi past it?
        for (;;) {
            if (m_stop.stop_requested()) {
                m_error = Status::cancelled();
                return false;
            }
            if (!failsTheSame(hi))
                break;
            lo = hi;
            step *= 2;
            hi = lo + step;
        }
        while (hi - lo > 1) { // lo fails the same, hi does not
            const std::uint64_t mid = lo + (hi - lo) / 2;
            if (failsTheSame(mid))
                lo = mid;
            else
                hi = mid;
        }
        bad = lo;
        m_it.reset();
        m_from = bad + 1;
    }
    row = RecordRow{};
    if (m_scope.kind == Scope::Kind::Stream) {
        row.record.streamSequenceNumber = bad;
        if (auto parts = parseStreamName(m_scope.stream); parts.ok()) {
            row.record.aggregateType = parts.value().first;
            row.record.aggregateId = parts.value().second;
        }
    } else {
        row.record.globalSequenceNumber = bad;
    }
    row.error = QString::fromStdString(error.message());
    m_last = bad;
    m_haveLast = true;
    return true;
}

bool ResilientCursor::take(RecordRow &row, const Record &record)
{
    row.record = record;
    row.error.clear();
    m_last = sequenceOf(m_scope, record);
    m_haveLast = true;
    return true;
}

} // namespace rangedb::ui
