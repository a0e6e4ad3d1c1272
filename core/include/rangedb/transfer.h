#pragma once

// Export and import of records between a Store and a record stream file (core/FORMAT.md,
// "Record streams"): what the CLI's `events --output` and `import` run, and what the
// window's export and import dialogs run on a worker thread. Nothing here shows anything;
// every function returns a Status naming the file, the record number and where in the
// file, with the offending text.
//
// Thread-safety: the functions keep no shared state; each call is used by one thread.
// Progress callbacks run on the calling thread, at most every kProgressInterval (plus one
// final call), so a UI can show records, bytes, rate and time left; they must not call
// back into the same transfer.

#include "rangedb/recordstream.h"
#include "rangedb/store.h"

#include <QString>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

class QIODevice;

namespace rangedb {

struct TransferProgress
{
    std::uint64_t records = 0;    // records written (export) or read in this pass (import)
    std::uint64_t bytes = 0;      // bytes written (export) or read of the input (import)
    std::uint64_t totalBytes = 0; // import: the input's size; export: 0 (not known ahead)
    int pass = 1;                 // import: 1 = checking the input, 2 = writing; export: 1
};
using TransferProgressCallback = std::function<void(const TransferProgress &)>;
inline constexpr std::chrono::milliseconds kProgressInterval{50};

// ---- Export ---------------------------------------------------------------------------

struct ExportSummary
{
    std::uint64_t records = 0;
    std::uint64_t bytes = 0;
};

// Writes every record of `records` to `device` (open for writing) in `format`, with
// rangedb's framing. The caller picks the scope by the iterator: Store::events(),
// eventsByAggregateTypes(), eventsByStream(), or makeVectorIterator() over selected rows.
// Records the store holds as canonical JSON are copied through byte for byte when the
// output is JSON or NDJSON. Stops at the first error (the iterator's, the device's) or
// with Cancelled when `stop` fires; the device then holds a partial stream.
Result<ExportSummary> exportRecords(RecordIterator &records, QIODevice *device, StreamFormat format,
                                    std::stop_token stop = {}, const TransferProgressCallback &progress = {});

// As exportRecords(), into the file `path`, atomically (QSaveFile): the file appears, or
// replaces the one there, only when the whole export succeeded. A failed or cancelled
// export leaves no file, or the previous file untouched. IoError names the path.
Result<ExportSummary> exportToFile(RecordIterator &records, const QString &path, StreamFormat format,
                                   std::stop_token stop = {}, const TransferProgressCallback &progress = {});

// ---- Import ---------------------------------------------------------------------------

// Looks at the first bytes of `device` without consuming them and guesses the format
// ('[' JSON array, '{' NDJSON, a msgpack map header msgpack). *empty is set when the
// input is empty or whitespace only (then the result is NDJSON, which reads as no records).
Result<StreamFormat> sniffFormat(QIODevice *device, bool *empty);

enum class ImportMode {
    Append,  // rangedb Save semantics: new numbers, event IDs and timestamps
    Restore, // records keep their numbers, event IDs and timestamps; the store must be empty
};

// One save per run of consecutive records of one stream, split every this many records.
inline constexpr std::size_t kMaxRecordsPerSave = 10000;

struct ImportOptions
{
    std::optional<StreamFormat> format; // nullopt: sniffed from the file
    ImportMode mode = ImportMode::Append;
    QString sourceName;                 // how messages name the input; default: the path
    std::stop_token stop;
    TransferProgressCallback progress;
};

struct ImportReport
{
    StreamFormat format = StreamFormat::Ndjson;
    std::uint64_t records = 0;
    std::uint64_t streams = 0;         // distinct streams in the input
    std::uint64_t streamsCreated = 0;  // not in the store before
    std::uint64_t streamsExtended = 0; // in the store already (append mode; a conflict in restore mode)
    std::vector<AggregateTypeInfo> eventsByAggregateType; // sorted by name
    // The global sequence numbers the records get (append: predicted; 0, 0 when none).
    std::uint64_t firstGlobalSequenceNumber = 0;
    std::uint64_t lastGlobalSequenceNumber = 0;
    // What makes (or would make) the import fail, each naming the record and where it is.
    // A dry run lists up to kMaxConflicts of them; conflictCount counts them all.
    std::vector<std::string> conflicts;
    std::uint64_t conflictCount = 0;
};
inline constexpr std::size_t kMaxConflicts = 100;

// Reads the whole input and reports what an import would do, writing nothing: streams
// created or extended, events per aggregate type, and the conflicts (restore into a
// non-empty store, global sequence numbers already used or not increasing, streams not
// numbered 1, 2, 3, names save() refuses, numbers a msgpack store cannot hold). A file
// that does not decode is an error (DecodeError), not a report. Memory grows with the
// number of distinct streams, not records.
Result<ImportReport> dryRunImport(Store &store, const QString &path, const ImportOptions &options = {});

// Imports the file, all or nothing. Pass 1 is the dry run: any conflict fails the import
// with that conflict's message (InvalidArgument, or the DecodeError of a bad file) before
// anything is written. Pass 2 writes: append mode through Store::saveMany() (one save per
// run of one stream's records, kept in order), restore mode through Store::restore(); if
// pass 2 fails or is cancelled, the store removes what it wrote and is exactly as before.
// Returns the pass 1 report.
Result<ImportReport> importFile(Store &store, const QString &path, const ImportOptions &options = {});

struct ImportPreview
{
    StreamFormat format = StreamFormat::Ndjson;
    // The first records as they would be stored: data and metadata normalized (and as a
    // msgpack store reads them back). In append mode with a store, the numbers they would
    // get; the event ID and timestamp are assigned when saved (empty, 0).
    std::vector<Record> records;
    // Problems in those records, or the decode error that ended the preview early.
    std::vector<std::string> problems;
    bool complete = false; // the input holds no records besides these
};

// Reads at most `count` records of the file at `path`. `store` (optional) makes the
// preview exact for that store: its serializer, its stream heads and counter.
Result<ImportPreview> previewImport(const QString &path, std::optional<StreamFormat> format, std::size_t count,
                                    ImportMode mode = ImportMode::Append, Store *store = nullptr);

} // namespace rangedb
