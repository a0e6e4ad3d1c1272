// import: records from a file or stdin, all or nothing (see the help text for the limit).
#include "commands.h"
#include "database.h"
#include "output.h"

#include "rangedb/json.h"
#include "rangedb/transfer.h"

#include <QFile>
#include <QTemporaryFile>

#include <cstdio>

namespace rangedb::cli {

namespace {

const char kImportHelp[] = R"(Imports records from FILE ("-": standard input) and prints
  {"imported":N,"streams":M}
or, with --dry-run, what an import would do (nothing is written):
  {"dryRun":true,"records":N,"streams":M,"streamsCreated":C,"streamsExtended":E,
   "firstGlobalSequenceNumber":F,"lastGlobalSequenceNumber":L,"conflicts":K,
   "eventsByAggregateType":{"type":n,...},"conflictList":["...",...]}
(exit code 1 when there are conflicts).

Options:
  --format FORMAT   json (array), ndjson or msgpack. Default: guessed from the first
                    bytes ('[' JSON array, '{' NDJSON, a msgpack map header msgpack).
  --mode MODE       append (default): rangedb Save semantics; every record gets a new
                    global and stream sequence number, event ID and timestamp; one save
                    per run of consecutive records of the same stream.
                    restore: records keep their sequence numbers, event IDs and
                    timestamps; the database must be empty.
  --dry-run         Check the input and report; write nothing.

All or nothing, in both modes. The whole input is read and checked before anything is
written (decoding, aggregate type and ID rules, sequence numbers for a restore, numbers a
msgpack database cannot hold): a bad record leaves the database as it was, and the
error names the record number, its line and column (JSON) or byte offset (msgpack), and
quotes it. Should writing still fail (a full disk, say), what was written is removed
again. Standard input is first copied to a temporary file for the two passes.
)";

} // namespace

int importCommand(const GlobalOptions &options, const QStringList &arguments)
{
    CommandLine cl(QStringLiteral("import [--format json|ndjson|msgpack] [--mode append|restore] [--dry-run] FILE|-"),
                   QString::fromUtf8(kImportHelp));
    cl.addValueOption(QStringLiteral("format"), QStringLiteral("FORMAT"));
    cl.addValueOption(QStringLiteral("mode"), QStringLiteral("MODE"));
    cl.addFlag(QStringLiteral("dry-run"));
    if (auto exit = cl.parse(arguments, 1, 1))
        return *exit;

    ImportMode mode = ImportMode::Append;
    const QString modeName = cl.value(QStringLiteral("mode"));
    if (modeName == QLatin1String("restore"))
        mode = ImportMode::Restore;
    else if (cl.isSet(QStringLiteral("mode")) && modeName != QLatin1String("append"))
        return cl.usageError(QStringLiteral("unknown mode \"%1\" (expected append or restore)").arg(modeName));

    std::optional<StreamFormat> format;
    if (cl.isSet(QStringLiteral("format"))) {
        auto parsed = parseStreamFormat(cl.value(QStringLiteral("format")).toStdString());
        if (!parsed.ok())
            return cl.usageError(QStringLiteral("unknown format \"%1\" (expected json, ndjson or msgpack)")
                                     .arg(cl.value(QStringLiteral("format"))));
        format = *parsed;
    }

    // Two passes need to read the input twice: standard input goes to a temporary file.
    const QString inputName = cl.positional().constFirst();
    const bool fromStdin = inputName == QLatin1String("-");
    const QString sourceName = fromStdin ? QStringLiteral("<stdin>") : inputName;
    QTemporaryFile spool;
    if (fromStdin) {
        QFile in;
        if (!spool.open() || !in.open(fileno(stdin), QIODevice::ReadOnly, QFileDevice::DontCloseHandle))
            return reportError(QStringLiteral("cannot buffer standard input: %1").arg(spool.errorString()));
        QByteArray chunk;
        while (!(chunk = in.read(1 << 20)).isEmpty()) {
            if (spool.write(chunk) != chunk.size())
                return reportError(QStringLiteral("cannot buffer standard input: %1").arg(spool.errorString()));
        }
        if (!spool.flush() || !spool.seek(0))
            return reportError(QStringLiteral("cannot buffer standard input: %1").arg(spool.errorString()));
    }

    auto store = openDatabase(options, Access::Write);
    if (!store.ok())
        return reportError(store.status());
    if (Status s = refuseReadOnly(**store, "import"); !s.ok())
        return reportError(s);

    ImportOptions importOptions;
    importOptions.format = format;
    importOptions.mode = mode;
    importOptions.sourceName = sourceName;
    const QString path = fromStdin ? spool.fileName() : inputName;
    if (cl.isSet(QStringLiteral("dry-run"))) {
        auto report = dryRunImport(**store, path, importOptions);
        if (!report.ok())
            return reportError(report.status().withContext("import --dry-run"));
        JsonObject byType;
        for (const AggregateTypeInfo &type : report->eventsByAggregateType)
            byType.add(type.aggregateType, type.totalEvents);
        std::string conflicts = "[";
        for (const std::string &conflict : report->conflicts) {
            if (conflicts.size() > 1)
                conflicts += ',';
            json::appendQuoted(conflicts, conflict);
        }
        conflicts += ']';
        JsonObject result;
        result.addBool("dryRun", true)
            .add("records", report->records)
            .add("streams", report->streams)
            .add("streamsCreated", report->streamsCreated)
            .add("streamsExtended", report->streamsExtended)
            .add("firstGlobalSequenceNumber", report->firstGlobalSequenceNumber)
            .add("lastGlobalSequenceNumber", report->lastGlobalSequenceNumber)
            .add("conflicts", report->conflictCount)
            .addRaw("eventsByAggregateType", byType.text())
            .addRaw("conflictList", conflicts);
        const int exit = printResult(result);
        return exit == ExitOk && report->conflictCount > 0 ? ExitError : exit;
    }

    auto imported = importFile(**store, path, importOptions);
    if (!imported.ok())
        return reportError(imported.status().withContext("import"));
    const ImportReport &summary = imported.value();

    JsonObject result;
    result.add("imported", summary.records).add("streams", summary.streams);
    return printResult(result);
}

} // namespace rangedb::cli
