#pragma once

// Export and import of records between a Store and a record stream file. Written so that
// they can move into the core unchanged (they print nothing and return Status values);
// the CLI is their only user for now.

#include "rangedb/recordstream.h"
#include "rangedb/store.h"

#include <QString>

#include <cstdint>
#include <stop_token>

class QIODevice;

namespace rangedb::cli {

struct ExportSummary
{
    std::uint64_t records = 0;
    std::uint64_t bytes = 0;
};

// Writes every record of `records` to `device` (open for writing) in `format`, then the
// closing framing. Records the store holds as canonical JSON are copied through without
// re-encoding when the output is JSON or NDJSON. Stops at the first error: the iterator's
// or the device's. The device then holds a partial stream; callers writing to a file use
// QSaveFile and discard it.
Result<ExportSummary> exportRecords(RecordIterator &records, QIODevice *device, StreamFormat format);

// Reads the first bytes of `device` without consuming them and guesses the format.
// An input that is empty or only whitespace yields nullopt-like Ok with *empty = true.
Result<StreamFormat> sniffFormat(QIODevice *device, bool *empty);

enum class ImportMode {
    Append,  // rangedb Save semantics: new numbers, event IDs and timestamps
    Restore, // records keep their numbers, IDs and timestamps; the store must be empty
};

struct ImportSummary
{
    std::uint64_t records = 0;
    std::uint64_t streams = 0;
};

// Pass 1 of an import: reads all of `device` and checks everything the store could
// refuse (the encoding; in append mode the aggregate type and ID rules; values the store's
// serializer cannot hold), so that pass 2 can only fail on I/O. Errors name the source,
// the record number and, for decode errors, line and column or byte offset.
Result<ImportSummary> validateInput(QIODevice *device, StreamFormat format, const QString &sourceName,
                                    ImportMode mode, Serializer storeSerializer);

// Append mode, pass 2: one save per run of consecutive records of one stream (long runs
// are split every kMaxRecordsPerSave records). On a failed save the records of the
// earlier saves stay; the error says how many landed.
inline constexpr std::size_t kMaxRecordsPerSave = 10000;
Result<ImportSummary> appendRecords(Store &store, QIODevice *device, StreamFormat format,
                                    const QString &sourceName, std::stop_token stop = {});

// Restore mode, pass 2: Store::restore over the records of `device`; all or nothing.
Result<ImportSummary> restoreRecords(Store &store, QIODevice *device, StreamFormat format,
                                     const QString &sourceName, std::stop_token stop = {});

} // namespace rangedb::cli
