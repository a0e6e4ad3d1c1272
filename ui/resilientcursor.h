#pragma once

#include "rangedb/store.h"

#include <QString>

#include <stop_token>

namespace rangedb::ui {

// One row of a record table: a record, or the error that kept it from decoding.
struct RecordRow
{
    Record record; // on error: only the sequence number that locates it (and for a stream, its names)
    QString error;
    bool isError() const { return !error.isEmpty(); }
};

// The sequence number rows of `scope` are ordered by: global, or stream for a stream scope.
std::uint64_t sequenceOf(const Scope &scope, const Record &record);

// Walks a scope like scopeEvents(), but steps over records that fail to decode (or whose
// index entry points nowhere) and yields them as error rows, so that one bad value does not
// hide the rest of a table. The bad record's sequence number is found by probing: an
// iterator started past it succeeds, one started at or before it fails. Use on workers.
class ResilientCursor
{
public:
    ResilientCursor(Store &store, Scope scope, std::uint64_t from, std::stop_token stop);

    // False at the end or on a fatal error (see error()).
    bool next(RecordRow &row);
    const Status &error() const { return m_error; }

private:
    bool take(RecordRow &row, const Record &record);

    Store &m_store;
    Scope m_scope;
    std::uint64_t m_from;
    std::stop_token m_stop;
    RecordIteratorPtr m_it;
    std::uint64_t m_last = 0;
    bool m_haveLast = false;
    Status m_error;
};

} // namespace rangedb::ui
