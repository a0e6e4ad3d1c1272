#include "rangedb/transfer.h"

#include "rangedb/codec.h"
#include "savebatch.h"

#include <QFile>
#include <QSaveFile>

#include <map>
#include <unordered_map>
#include <unordered_set>

namespace rangedb {

namespace {

// Calls the callback at most every kProgressInterval. The clock is read every 256
// records only: a clock read per record would cost more than copying a record through.
class ProgressThrottle
{
public:
    explicit ProgressThrottle(const TransferProgressCallback &callback)
        : m_callback(callback), m_last(std::chrono::steady_clock::now())
    {
    }

    bool due()
    {
        if (!m_callback || (++m_ticks & 0xff) != 0)
            return false;
        const auto now = std::chrono::steady_clock::now();
        if (now - m_last < kProgressInterval)
            return false;
        m_last = now;
        return true;
    }
    void report(const TransferProgress &progress) const
    {
        if (m_callback)
            m_callback(progress);
    }

private:
    const TransferProgressCallback &m_callback;
    std::chrono::steady_clock::time_point m_last;
    std::uint64_t m_ticks = 0;
};

// The record as the input has it, for a message: JSON text up to ~120 bytes, msgpack as
// hex bytes.
std::string excerpt(std::string_view text, StreamFormat format)
{
    if (format != StreamFormat::Msgpack) {
        constexpr std::size_t kMax = 120;
        std::string out(text.substr(0, kMax));
        if (text.size() > kMax)
            out += "...";
        return out;
    }
    static constexpr char hex[] = "0123456789abcdef";
    constexpr std::size_t kMax = 32;
    std::string out;
    for (std::size_t i = 0; i < std::min(text.size(), kMax); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (i > 0)
            out.push_back(' ');
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xf]);
    }
    if (text.size() > kMax)
        out += " ...";
    return out;
}

// "<source>: record N (line L, column C): <problem>; the record: <excerpt>"
std::string describeProblem(const std::string &source, const RecordReader &reader, StreamFormat format,
                            const std::string &problem)
{
    const RecordReader::Position at = reader.recordPosition();
    std::string where = format == StreamFormat::Msgpack
        ? "byte " + std::to_string(at.byte)
        : "line " + std::to_string(at.line) + ", column " + std::to_string(at.column);
    return source + ": record " + std::to_string(reader.recordIndex()) + " (" + where + "): " + problem
        + "; the record: " + excerpt(reader.recordText(), format);
}

EventRecord toEventRecord(const Record &record)
{
    return EventRecord{record.aggregateType, record.aggregateId, record.eventType, record.data, record.metadata};
}

std::string sourceNameOf(const QString &path, const ImportOptions &options)
{
    return (options.sourceName.isEmpty() ? path : options.sourceName).toStdString();
}

Status openInput(QFile &file, const std::string &source)
{
    if (!file.open(QIODevice::ReadOnly))
        return Status::error(ErrorCode::IoError, "cannot read " + source + ": " + file.errorString().toStdString());
    return {};
}

// The format to read `file` with: the caller's, or sniffed. *empty as sniffFormat().
Result<StreamFormat> chooseFormat(QFile &file, std::optional<StreamFormat> format, const std::string &source,
                                  bool *empty)
{
    *empty = false;
    if (format) {
        *empty = file.size() == 0;
        return *format;
    }
    auto sniffed = sniffFormat(&file, empty);
    if (!sniffed.ok())
        return sniffed.status().withContext(source + ": cannot tell the format (choose one)");
    return sniffed;
}

// Pass 1: everything the store could refuse, checked while reading the whole input once.
class Analysis
{
public:
    Analysis(Store &store, ImportMode mode, std::string source, StreamFormat format, bool collectAll)
        : m_store(store), m_mode(mode), m_source(std::move(source)), m_format(format), m_collectAll(collectAll)
    {
        m_report.format = format;
    }

    Result<ImportReport> run(QFile &file, const ImportOptions &options)
    {
        auto last = m_store.lastGlobalSequenceNumber();
        if (!last.ok())
            return last.status();
        m_storeLast = last.value();
        if (m_mode == ImportMode::Restore && m_storeLast != 0) {
            conflict("restore needs an empty database; this one has handed out global sequence numbers up to "
                     + std::to_string(m_storeLast));
            if (!m_collectAll)
                return failure();
        }

        RecordReader reader(&file, m_format, QString::fromStdString(m_source));
        ProgressThrottle throttle(options.progress);
        const std::uint64_t total = std::uint64_t(std::max<qint64>(file.size(), 0));
        std::map<std::string, std::uint64_t> byType;
        std::string scratch;
        detail::RestoreChecker checker;
        std::uint64_t previousGlobal = 0;
        while (reader.next()) {
            if (options.stop.stop_requested())
                return Status::cancelled();
            Record record = reader.record();
            ++m_report.records;
            ++byType[record.aggregateType];
            std::string stream = record.streamName();
            if (m_mode == ImportMode::Append) {
                if (Status s = validateAggregateType(record.aggregateType); !s.ok())
                    conflict(describeProblem(m_source, reader, m_format, s.message()));
                else if (Status t = validateAggregateId(record.aggregateId); !t.ok())
                    conflict(describeProblem(m_source, reader, m_format, t.message()));
            } else {
                // RestoreChecker keeps its own count; its message names the record number
                // that we name again, with the position, so only the reason is kept.
                if (Status s = checker.check(record); !s.ok()) {
                    std::string reason = s.message();
                    if (reason.starts_with(checker.label()))
                        reason.erase(0, checker.label().size());
                    if (reason.starts_with(": "))
                        reason.erase(0, 2);
                    conflict(describeProblem(m_source, reader, m_format, reason));
                }
                if (m_storeLast != 0 && record.globalSequenceNumber <= m_storeLast
                    && record.globalSequenceNumber > previousGlobal) {
                    conflict(describeProblem(m_source, reader, m_format,
                                             "global sequence number " + std::to_string(record.globalSequenceNumber)
                                                 + " is already used in the database"));
                }
                if (m_report.firstGlobalSequenceNumber == 0)
                    m_report.firstGlobalSequenceNumber = record.globalSequenceNumber;
                m_report.lastGlobalSequenceNumber = record.globalSequenceNumber;
                previousGlobal = record.globalSequenceNumber;
            }
            if (m_store.serializer() == Serializer::Msgpack) {
                // What a JSON record can hold and a msgpack store cannot: numbers beyond
                // 64 bits or beyond double range.
                scratch.clear();
                if (Status s = codec::appendMsgpack(scratch, record); !s.ok())
                    conflict(describeProblem(m_source, reader, m_format, s.message()));
            }
            if (!m_collectAll && m_report.conflictCount > 0)
                return failure();
            m_streams.insert(std::move(stream));
            if (throttle.due())
                throttle.report({reader.recordIndex(), reader.bytesRead(), total, 1});
        }
        if (!reader.status().ok())
            return reader.status();
        throttle.report({reader.recordIndex(), reader.bytesRead(), total, 1});

        for (auto &[type, count] : byType)
            m_report.eventsByAggregateType.push_back({type, count});
        m_report.streams = m_streams.size();
        if (Status s = countStreams(options.stop); !s.ok())
            return s;
        if (m_mode == ImportMode::Append && m_report.records > 0) {
            m_report.firstGlobalSequenceNumber = m_storeLast + 1;
            m_report.lastGlobalSequenceNumber = m_storeLast + m_report.records;
        }
        if (!m_collectAll && m_report.conflictCount > 0)
            return failure();
        return std::move(m_report);
    }

private:
    Status countStreams(const std::stop_token &stop)
    {
        // An empty store has no streams: no need to ask for each one.
        const bool empty = m_storeLast == 0;
        for (const std::string &stream : m_streams) {
            std::uint64_t length = 0;
            if (!empty) {
                auto total = m_store.totalEventsInStream(stream, stop);
                if (!total.ok())
                    return total.status();
                length = total.value();
            }
            if (length == 0) {
                ++m_report.streamsCreated;
                continue;
            }
            ++m_report.streamsExtended;
            if (m_mode == ImportMode::Restore)
                conflict(m_source + ": stream " + stream + " already holds " + std::to_string(length) + " events");
        }
        return {};
    }

    void conflict(std::string text)
    {
        if (m_report.conflictCount++ < kMaxConflicts)
            m_report.conflicts.push_back(std::move(text));
    }
    Status failure() const { return Status::error(ErrorCode::InvalidArgument, m_report.conflicts.front()); }

    Store &m_store;
    const ImportMode m_mode;
    const std::string m_source;
    const StreamFormat m_format;
    const bool m_collectAll;
    std::uint64_t m_storeLast = 0;
    ImportReport m_report;
    std::unordered_set<std::string> m_streams;
};

// Pass 2 of an append: runs of one stream's consecutive records, one save each.
class ReaderSaveSource final : public SaveSource
{
public:
    ReaderSaveSource(RecordReader &reader, const TransferProgressCallback &progress, std::uint64_t totalBytes)
        : m_reader(reader), m_throttle(progress), m_total(totalBytes)
    {
    }

    bool next(std::vector<EventRecord> &events) override
    {
        if (!m_hasPending && !readOne())
            return false;
        const std::string stream = m_pendingStream;
        do {
            events.push_back(std::move(m_pending));
            m_hasPending = false;
        } while (events.size() < kMaxRecordsPerSave && readOne() && m_pendingStream == stream);
        return true;
    }
    Status error() const override { return m_reader.status(); }
    void finish() const { m_throttle.report({m_reader.recordIndex(), m_reader.bytesRead(), m_total, 2}); }

private:
    bool readOne()
    {
        if (!m_reader.next())
            return false;
        const Record &record = m_reader.record();
        m_pending = toEventRecord(record);
        m_pendingStream = record.streamName();
        m_hasPending = true;
        if (m_throttle.due())
            m_throttle.report({m_reader.recordIndex(), m_reader.bytesRead(), m_total, 2});
        return true;
    }

    RecordReader &m_reader;
    ProgressThrottle m_throttle;
    const std::uint64_t m_total;
    EventRecord m_pending;
    std::string m_pendingStream;
    bool m_hasPending = false;
};

// Pass 2 of a restore: the reader as a RecordIterator for Store::restore().
class ReaderIterator final : public RecordIterator
{
public:
    ReaderIterator(RecordReader &reader, const TransferProgressCallback &progress, std::uint64_t totalBytes)
        : m_reader(reader), m_throttle(progress), m_total(totalBytes)
    {
    }

    bool next() override
    {
        if (m_done)
            return false;
        if (m_reader.next()) {
            if (m_throttle.due())
                m_throttle.report({m_reader.recordIndex(), m_reader.bytesRead(), m_total, 2});
            return true;
        }
        m_done = true;
        m_error = m_reader.status();
        return false;
    }
    const Record *record() const override { return m_done ? nullptr : &m_reader.record(); }
    const Status &error() const override { return m_error; }
    void finish() const { m_throttle.report({m_reader.recordIndex(), m_reader.bytesRead(), m_total, 2}); }

private:
    RecordReader &m_reader;
    ProgressThrottle m_throttle;
    const std::uint64_t m_total;
    Status m_error;
    bool m_done = false;
};

Result<ImportReport> analyse(Store &store, const QString &path, const ImportOptions &options, bool collectAll,
                             QFile &file, bool *empty)
{
    const std::string source = sourceNameOf(path, options);
    if (Status s = openInput(file, source); !s.ok())
        return s;
    auto format = chooseFormat(file, options.format, source, empty);
    if (!format.ok())
        return format.status();
    Analysis analysis(store, options.mode, source, format.value(), collectAll);
    return analysis.run(file, options);
}

} // namespace

// ---- Export ---------------------------------------------------------------------------

Result<ExportSummary> exportRecords(RecordIterator &records, QIODevice *device, StreamFormat format,
                                    std::stop_token stop, const TransferProgressCallback &progress)
{
    RecordWriter writer(device, format);
    ProgressThrottle throttle(progress);
    const bool json = format != StreamFormat::Msgpack;
    while (records.next()) {
        const std::string_view raw = json && records.rawIsCanonicalJson() ? records.rawValue() : std::string_view();
        if (Status s = writer.write(*records.record(), raw); !s.ok())
            return s;
        if (throttle.due()) {
            // Checked with the clock: a stop token read per record would cost as much.
            if (stop.stop_requested())
                return Status::cancelled();
            throttle.report({writer.recordsWritten(), writer.bytesWritten(), 0, 1});
        } else if ((writer.recordsWritten() & 0xff) == 0 && stop.stop_requested()) {
            return Status::cancelled();
        }
    }
    if (!records.error().ok())
        return records.error();
    if (stop.stop_requested())
        return Status::cancelled();
    if (Status s = writer.finish(); !s.ok())
        return s;
    throttle.report({writer.recordsWritten(), writer.bytesWritten(), 0, 1});
    return ExportSummary{writer.recordsWritten(), writer.bytesWritten()};
}

Result<ExportSummary> exportToFile(RecordIterator &records, const QString &path, StreamFormat format,
                                   std::stop_token stop, const TransferProgressCallback &progress)
{
    // QSaveFile writes beside the target and renames on commit: readers never see half an
    // export, and a failed one leaves any earlier file as it was.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        return Status::error(ErrorCode::IoError,
                             "cannot write " + path.toStdString() + ": " + file.errorString().toStdString());
    }
    auto exported = exportRecords(records, &file, format, std::move(stop), progress);
    if (!exported.ok()) {
        file.cancelWriting();
        return exported.status();
    }
    if (!file.commit()) {
        return Status::error(ErrorCode::IoError,
                             "cannot write " + path.toStdString() + ": " + file.errorString().toStdString());
    }
    return exported;
}

// ---- Import ---------------------------------------------------------------------------

Result<StreamFormat> sniffFormat(QIODevice *device, bool *empty)
{
    // Enough to get past any leading whitespace of a hand-edited file.
    const QByteArray head = device->peek(64 * 1024);
    *empty = head.trimmed().isEmpty() && device->bytesAvailable() <= head.size();
    if (head.trimmed().isEmpty())
        return StreamFormat::Ndjson;
    return sniffStreamFormat(std::string_view(head.constData(), static_cast<std::size_t>(head.size())));
}

Result<ImportReport> dryRunImport(Store &store, const QString &path, const ImportOptions &options)
{
    QFile file(path);
    bool empty = false;
    return analyse(store, path, options, true, file, &empty);
}

Result<ImportReport> importFile(Store &store, const QString &path, const ImportOptions &options)
{
    if (store.isReadOnly())
        return Status::error(ErrorCode::ReadOnly, "import: the database is open read-only");
    QFile file(path);
    bool empty = false;
    auto report = analyse(store, path, options, false, file, &empty);
    if (!report.ok() || empty)
        return report;
    const std::string source = sourceNameOf(path, options);
    if (!file.seek(0))
        return Status::error(ErrorCode::IoError, "cannot re-read " + source + ": " + file.errorString().toStdString());

    RecordReader reader(&file, report->format, QString::fromStdString(source));
    const std::uint64_t total = std::uint64_t(std::max<qint64>(file.size(), 0));
    if (options.mode == ImportMode::Append) {
        ReaderSaveSource saves(reader, options.progress, total);
        auto saved = store.saveMany(saves, options.stop);
        if (!saved.ok())
            return saved.status().withContext(source + ": nothing was imported");
        saves.finish();
        if (saved->records != report->records) {
            // Pass 1 read the same bytes; a different count means the file changed, and
            // the store keeps what it saved: say so rather than hide it.
            return Status::error(ErrorCode::IoError, source + " changed while importing: " + std::to_string(saved->records)
                                                         + " records were imported, " + std::to_string(report->records)
                                                         + " were checked");
        }
        return report;
    }
    ReaderIterator records(reader, options.progress, total);
    if (Status s = store.restore(records, options.stop); !s.ok())
        return s.withContext(source + ": nothing was imported");
    records.finish();
    if (reader.recordIndex() != report->records) {
        return Status::error(ErrorCode::IoError, source + " changed while importing: "
                                                     + std::to_string(reader.recordIndex()) + " records were restored, "
                                                     + std::to_string(report->records) + " were checked");
    }
    return report;
}

Result<ImportPreview> previewImport(const QString &path, std::optional<StreamFormat> format, std::size_t count,
                                    ImportMode mode, Store *store)
{
    const std::string source = path.toStdString();
    QFile file(path);
    if (Status s = openInput(file, source); !s.ok())
        return s;
    bool empty = false;
    auto chosen = chooseFormat(file, format, source, &empty);
    if (!chosen.ok())
        return chosen.status();
    ImportPreview preview;
    preview.format = chosen.value();

    const Serializer serializer = store ? store->serializer() : Serializer::Json;
    std::uint64_t nextGlobal = 0;
    if (store && mode == ImportMode::Append) {
        auto last = store->lastGlobalSequenceNumber();
        if (!last.ok())
            return last.status();
        nextGlobal = last.value() + 1;
    }
    std::unordered_map<std::string, std::uint64_t> heads; // append: the stream's next number
    detail::RestoreChecker checker;
    RecordReader reader(&file, preview.format, path);
    std::string scratch;
    while (preview.records.size() < count && reader.next()) {
        Record record = reader.record();
        const auto problem = [&](const Status &s) {
            preview.problems.push_back(describeProblem(source, reader, preview.format, s.message()));
        };
        if (mode == ImportMode::Append) {
            if (Status s = validateAggregateType(record.aggregateType); !s.ok())
                problem(s);
            else if (Status t = validateAggregateId(record.aggregateId); !t.ok())
                problem(t);
            record.eventId.clear();
            record.insertTimestamp = 0;
            record.globalSequenceNumber = 0;
            record.streamSequenceNumber = 0;
            if (store) {
                const std::string stream = record.streamName();
                auto [it, inserted] = heads.try_emplace(stream, 0);
                if (inserted) {
                    auto head = store->totalEventsInStream(stream);
                    if (!head.ok())
                        return head.status();
                    it->second = head.value();
                }
                record.streamSequenceNumber = ++it->second;
                record.globalSequenceNumber = nextGlobal++;
            }
        } else if (Status s = checker.check(record); !s.ok()) {
            problem(s);
        }
        scratch.clear();
        if (Status s = detail::encodeForStorage(serializer, record, scratch); !s.ok())
            problem(s);
        preview.records.push_back(std::move(record));
    }
    if (!reader.status().ok()) {
        preview.problems.push_back(reader.status().message());
        return preview;
    }
    preview.complete = preview.records.size() < count || !reader.next();
    if (!reader.status().ok())
        preview.problems.push_back(reader.status().message());
    return preview;
}

} // namespace rangedb
