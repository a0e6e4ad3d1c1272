// The commands that write: save, delete-stream, generate.
#include "commands.h"
#include "database.h"
#include "output.h"

#include "rangedb/generator.h"

#include <QElapsedTimer>

#include <cstdio>
#include <unistd.h>

namespace rangedb::cli {

int saveCommand(const GlobalOptions &options, const QStringList &arguments)
{
    CommandLine cl(QStringLiteral("save --aggregate-type TYPE --aggregate-id ID --event-type TYPE "
                                  "[--data JSON] [--metadata JSON] [--expected-stream-sequence N]"),
                   QStringLiteral(
                       "Appends one event to the stream TYPE!ID and prints\n"
                       "  {\"globalSequenceNumber\":N,\"streamSequenceNumber\":N}\n\n"
                       "Options:\n"
                       "  --aggregate-type TYPE           Required. Not empty, not \"all\", no leading '$', no '!'.\n"
                       "  --aggregate-id ID               Required. Not empty, no '!'.\n"
                       "  --event-type TYPE               Required.\n"
                       "  --data JSON                     The event data (default null).\n"
                       "  --metadata JSON                 The metadata (default null).\n"
                       "  --expected-stream-sequence N    Save only if the stream holds exactly N events\n"
                       "                                  (0: a new stream); else exit code 3.\n"));
    cl.addValueOption(QStringLiteral("aggregate-type"), QStringLiteral("TYPE"));
    cl.addValueOption(QStringLiteral("aggregate-id"), QStringLiteral("ID"));
    cl.addValueOption(QStringLiteral("event-type"), QStringLiteral("TYPE"));
    cl.addValueOption(QStringLiteral("data"), QStringLiteral("JSON"));
    cl.addValueOption(QStringLiteral("metadata"), QStringLiteral("JSON"));
    cl.addValueOption(QStringLiteral("expected-stream-sequence"), QStringLiteral("N"));
    if (auto exit = cl.parse(arguments, 0, 0))
        return *exit;
    for (const char *required : {"aggregate-type", "aggregate-id", "event-type"}) {
        if (!cl.isSet(QLatin1String(required)))
            return cl.usageError(QStringLiteral("missing --%1").arg(QLatin1String(required)));
    }
    const auto expected = cl.number(QStringLiteral("expected-stream-sequence"), 0);
    if (!expected)
        return ExitUsage;

    EventRecord record;
    record.aggregateType = cl.value(QStringLiteral("aggregate-type")).toStdString();
    record.aggregateId = cl.value(QStringLiteral("aggregate-id")).toStdString();
    record.eventType = cl.value(QStringLiteral("event-type")).toStdString();
    if (cl.isSet(QStringLiteral("data")))
        record.data = cl.value(QStringLiteral("data")).toStdString();
    if (cl.isSet(QStringLiteral("metadata")))
        record.metadata = cl.value(QStringLiteral("metadata")).toStdString();
    // Refuse bad names before the database is created or opened.
    if (Status s = validateAggregateType(record.aggregateType); !s.ok())
        return reportError(s);
    if (Status s = validateAggregateId(record.aggregateId); !s.ok())
        return reportError(s);

    auto store = openDatabase(options, Access::Write);
    if (!store.ok())
        return reportError(store.status());
    if (Status s = refuseReadOnly(**store, "save"); !s.ok())
        return reportError(s);

    const std::span<const EventRecord> records(&record, 1);
    auto saved = cl.isSet(QStringLiteral("expected-stream-sequence"))
        ? (*store)->optimisticSave(*expected, records)
        : (*store)->save(records);
    if (!saved.ok())
        return reportError(saved.status());
    JsonObject result;
    result.add("globalSequenceNumber", saved->lastGlobalSequenceNumber)
        .add("streamSequenceNumber", saved->lastStreamSequenceNumber);
    return printResult(result);
}

int deleteStreamCommand(const GlobalOptions &options, const QStringList &arguments)
{
    CommandLine cl(QStringLiteral("delete-stream STREAM --expected-stream-sequence N"),
                   QStringLiteral("Deletes the stream STREAM (\"type!id\") if it holds exactly N events, and prints\n"
                                  "  {\"deleted\":N,\"streamName\":\"type!id\"}\n"
                                  "The global sequence number is not lowered.\n"
                                  "Exit code 3 when the stream holds another number of events, 4 when it "
                                  "does not exist.\n"));
    cl.addValueOption(QStringLiteral("expected-stream-sequence"), QStringLiteral("N"));
    if (auto exit = cl.parse(arguments, 1, 1))
        return *exit;
    if (!cl.isSet(QStringLiteral("expected-stream-sequence")))
        return cl.usageError(QStringLiteral("missing --expected-stream-sequence"));
    const auto expected = cl.number(QStringLiteral("expected-stream-sequence"), 0);
    if (!expected)
        return ExitUsage;
    const std::string stream = cl.positional().constFirst().toStdString();

    auto store = openDatabase(options, Access::Write);
    if (!store.ok())
        return reportError(store.status());
    if (Status s = refuseReadOnly(**store, "delete-stream"); !s.ok())
        return reportError(s);
    if (Status s = (*store)->optimisticDeleteStream(*expected, stream); !s.ok()) {
        if (s.code() == ErrorCode::StreamNotFound)
            return reportError(s.withContext("delete-stream " + stream));
        return reportError(s);
    }
    JsonObject result;
    result.add("deleted", *expected).add("streamName", stream);
    return printResult(result);
}

int generateCommand(const GlobalOptions &options, const QStringList &arguments)
{
    CommandLine cl(QStringLiteral("generate --events N [--aggregate-types K] [--streams S] [--batch B] [--seed X]"),
                   QStringLiteral(
                       "Appends N deterministic sample events (accounts, orders, sensors, ...; nested JSON\n"
                       "data of 100-500 bytes) and prints {\"generated\":N,\"globalSequenceNumber\":G}.\n"
                       "The same options give the same events (event IDs and timestamps excepted).\n\n"
                       "Options:\n"
                       "  --events N            Required: how many events.\n"
                       "  --aggregate-types K   How many of the 10 built-in aggregate types (default 10).\n"
                       "  --streams S           Spread the events over S streams (default 100).\n"
                       "  --batch B             At most B events per save (default 10).\n"
                       "  --seed X              The seed (default 1).\n"));
    cl.addValueOption(QStringLiteral("events"), QStringLiteral("N"));
    cl.addValueOption(QStringLiteral("aggregate-types"), QStringLiteral("K"));
    cl.addValueOption(QStringLiteral("streams"), QStringLiteral("S"));
    cl.addValueOption(QStringLiteral("batch"), QStringLiteral("B"));
    cl.addValueOption(QStringLiteral("seed"), QStringLiteral("X"));
    if (auto exit = cl.parse(arguments, 0, 0))
        return *exit;
    if (!cl.isSet(QStringLiteral("events")))
        return cl.usageError(QStringLiteral("missing --events"));
    const auto events = cl.number(QStringLiteral("events"), 0);
    const auto types = cl.number(QStringLiteral("aggregate-types"), 10);
    const auto streams = cl.number(QStringLiteral("streams"), 100);
    const auto batch = cl.number(QStringLiteral("batch"), 10);
    const auto seed = cl.number(QStringLiteral("seed"), 1);
    if (!events || !types || !streams || !batch || !seed)
        return ExitUsage;
    if (*types < 1 || *types > 10)
        return cl.usageError(QStringLiteral("--aggregate-types must be between 1 and 10"));
    if (*streams < 1 || *batch < 1)
        return cl.usageError(QStringLiteral("--streams and --batch must be at least 1"));

    auto store = openDatabase(options, Access::Write);
    if (!store.ok())
        return reportError(store.status());
    if (Status s = refuseReadOnly(**store, "generate"); !s.ok())
        return reportError(s);

    GeneratorOptions generatorOptions;
    generatorOptions.events = *events;
    generatorOptions.aggregateTypes = static_cast<int>(*types);
    generatorOptions.streams = *streams;
    generatorOptions.seed = *seed;
    SampleGenerator generator(generatorOptions);

    // Progress only for a person watching: never into a pipe or a log file.
    const bool showProgress = isatty(STDERR_FILENO) != 0;
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    std::uint64_t lastGsn = 0;
    for (;;) {
        const auto records = generator.nextBatch(static_cast<std::size_t>(*batch));
        if (records.empty())
            break;
        auto saved = (*store)->save(records);
        if (!saved.ok()) {
            return reportError(saved.status().withContext(
                "generate: after " + std::to_string(generator.produced() - records.size()) + " events"));
        }
        lastGsn = saved->lastGlobalSequenceNumber;
        if (showProgress && sinceProgress.elapsed() >= 2000) {
            std::fprintf(stderr, "\rgenerated %llu of %llu events",
                         static_cast<unsigned long long>(generator.produced()),
                         static_cast<unsigned long long>(*events));
            std::fflush(stderr);
            sinceProgress.restart();
        }
    }
    if (showProgress && *events > 0)
        std::fputs("\r\033[K", stderr);
    if (lastGsn == 0) {
        auto gsn = (*store)->lastGlobalSequenceNumber();
        if (!gsn.ok())
            return reportError(gsn.status());
        lastGsn = *gsn;
    }
    JsonObject result;
    result.add("generated", generator.produced()).add("globalSequenceNumber", lastGsn);
    return printResult(result);
}

} // namespace rangedb::cli
