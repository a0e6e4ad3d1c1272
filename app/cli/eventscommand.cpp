// events: export records to stdout or, atomically, to a file.
#include "commands.h"
#include "database.h"
#include "output.h"

#include "rangedb/transfer.h"

namespace rangedb::cli {

namespace {

const char kEventsHelp[] = R"(Writes records in global sequence order (or one stream in stream order), with
rangedb's framing: NDJSON joins records with "\n" (no trailing newline), a JSON array
has no whitespace, msgpack records follow each other. Records stored as JSON are
copied through byte for byte.

Options:
  --from-global N          Start at global sequence number N (0 and 1: from the start).
  --aggregate-type TYPE    Only events of this aggregate type; repeat for several
                           types (merged in global order).
  --stream NAME            Only the stream "type!id" (exactly that stream).
  --from-stream N          With --stream: start at stream sequence number N.
  --format FORMAT          ndjson (default), json or msgpack.
  --output FILE            Write to FILE instead of stdout. The file appears only when
                           the export succeeded; an existing file is replaced then, and
                           left untouched on failure.

Exit code 4 when --stream names a stream that does not exist.
)";

} // namespace

int eventsCommand(const GlobalOptions &options, const QStringList &arguments)
{
    CommandLine cl(QStringLiteral("events [--from-global N] [--aggregate-type TYPE]... "
                                  "[--stream NAME [--from-stream N]] [--format ndjson|json|msgpack] "
                                  "[--output FILE]"),
                   QString::fromUtf8(kEventsHelp));
    cl.addValueOption(QStringLiteral("from-global"), QStringLiteral("N"));
    cl.addValueOption(QStringLiteral("aggregate-type"), QStringLiteral("TYPE"));
    cl.addValueOption(QStringLiteral("stream"), QStringLiteral("NAME"));
    cl.addValueOption(QStringLiteral("from-stream"), QStringLiteral("N"));
    cl.addValueOption(QStringLiteral("format"), QStringLiteral("FORMAT"));
    cl.addValueOption(QStringLiteral("output"), QStringLiteral("FILE"));
    if (auto exit = cl.parse(arguments, 0, 0))
        return *exit;

    const auto fromGlobal = cl.number(QStringLiteral("from-global"), 0);
    const auto fromStream = cl.number(QStringLiteral("from-stream"), 0);
    if (!fromGlobal || !fromStream)
        return ExitUsage;
    const bool byStream = cl.isSet(QStringLiteral("stream"));
    const QStringList types = cl.values(QStringLiteral("aggregate-type"));
    if (byStream && (!types.isEmpty() || cl.isSet(QStringLiteral("from-global"))))
        return cl.usageError(QStringLiteral("--stream cannot be combined with --aggregate-type or --from-global"));
    if (!byStream && cl.isSet(QStringLiteral("from-stream")))
        return cl.usageError(QStringLiteral("--from-stream needs --stream"));

    StreamFormat format = StreamFormat::Ndjson;
    if (cl.isSet(QStringLiteral("format"))) {
        auto parsed = parseStreamFormat(cl.value(QStringLiteral("format")).toStdString());
        if (!parsed.ok())
            return cl.usageError(QStringLiteral("unknown format \"%1\" (expected ndjson, json or msgpack)")
                                     .arg(cl.value(QStringLiteral("format"))));
        format = *parsed;
    }
    const QString outputPath = cl.value(QStringLiteral("output"));
    if (cl.isSet(QStringLiteral("output")) && outputPath.isEmpty())
        return cl.usageError(QStringLiteral("--output needs a file name"));

    auto store = openDatabase(options, Access::Read);
    if (!store.ok())
        return reportError(store.status());

    RecordIteratorPtr records;
    if (byStream) {
        records = (*store)->eventsByStream(*fromStream, cl.value(QStringLiteral("stream")).toStdString());
    } else if (!types.isEmpty()) {
        std::vector<std::string> names;
        for (const QString &type : types)
            names.push_back(type.toStdString());
        records = (*store)->eventsByAggregateTypes(*fromGlobal, std::move(names));
    } else {
        records = (*store)->events(*fromGlobal);
    }

    const auto failed = [&](const Status &status) {
        if (status.code() == ErrorCode::StreamNotFound)
            return reportError(status.withContext("events --stream " + cl.value(QStringLiteral("stream")).toStdString()));
        return reportError(status);
    };
    if (outputPath.isEmpty()) {
        StandardOutput out;
        auto exported = exportRecords(*records, out.device(), format);
        return exported.ok() ? ExitOk : failed(exported.status());
    }

    // Atomic: the file appears only when the whole export succeeded.
    auto exported = exportToFile(*records, outputPath, format);
    if (!exported.ok())
        return failed(exported.status());
    return ExitOk;
}

} // namespace rangedb::cli
