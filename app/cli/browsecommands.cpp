// The read-only summaries: info, aggregate-types, streams, check.
#include "commands.h"
#include "database.h"
#include "output.h"

#include "rangedb/json.h"

#include <QDir>

namespace rangedb::cli {

int infoCommand(const GlobalOptions &options, const QStringList &arguments)
{
    CommandLine cl(QStringLiteral("info"),
                   QStringLiteral("Prints one JSON object about the database:\n"
                                  "  {\"path\",\"serializer\",\"globalSequenceNumber\",\"totalEvents\","
                                  "\"aggregateTypes\",\"streams\"}\n"
                                  "globalSequenceNumber is the last one handed out ($gsn$); deleted streams "
                                  "leave it where it was,\nso it can exceed totalEvents.\n"));
    if (auto exit = cl.parse(arguments, 0, 0))
        return *exit;
    auto store = openDatabase(options, Access::Read);
    if (!store.ok())
        return reportError(store.status());

    auto gsn = (*store)->lastGlobalSequenceNumber();
    if (!gsn.ok())
        return reportError(gsn.status());
    auto total = (*store)->totalEvents();
    if (!total.ok())
        return reportError(total.status());
    auto types = (*store)->aggregateTypes();
    if (!types.ok())
        return reportError(types.status());
    auto streams = (*store)->streams({});
    if (!streams.ok())
        return reportError(streams.status());

    JsonObject result;
    result.add("path", QDir(databasePath(options)).absolutePath().toStdString())
        .add("serializer", serializerName((*store)->serializer()))
        .add("globalSequenceNumber", *gsn)
        .add("totalEvents", *total)
        .add("aggregateTypes", static_cast<std::uint64_t>(types->size()))
        .add("streams", static_cast<std::uint64_t>(streams->size()));
    return printResult(result);
}

int aggregateTypesCommand(const GlobalOptions &options, const QStringList &arguments)
{
    CommandLine cl(QStringLiteral("aggregate-types"),
                   QStringLiteral("Prints one line per aggregate type, sorted by name (bytewise):\n"
                                  "  {\"aggregateType\":\"account\",\"totalEvents\":18}\n"));
    if (auto exit = cl.parse(arguments, 0, 0))
        return *exit;
    auto store = openDatabase(options, Access::Read);
    if (!store.ok())
        return reportError(store.status());
    auto types = (*store)->aggregateTypes();
    if (!types.ok())
        return reportError(types.status());

    StandardOutput out;
    JsonLines lines(out);
    for (const AggregateTypeInfo &type : *types) {
        JsonObject line;
        line.add("aggregateType", type.aggregateType).add("totalEvents", type.totalEvents);
        if (Status s = lines.add(line); !s.ok())
            return reportError(s);
    }
    const Status finished = lines.finish();
    return finished.ok() ? ExitOk : reportError(finished);
}

int streamsCommand(const GlobalOptions &options, const QStringList &arguments)
{
    CommandLine cl(QStringLiteral("streams [--aggregate-type TYPE]"),
                   QStringLiteral("Prints one line per stream, sorted by stream name:\n"
                                  "  {\"streamName\":\"account!acct-1\",\"aggregateType\":\"account\","
                                  "\"aggregateID\":\"acct-1\",\"totalEvents\":9}\n\n"
                                  "Options:\n"
                                  "  --aggregate-type TYPE   Only the streams of this aggregate type.\n"));
    cl.addValueOption(QStringLiteral("aggregate-type"), QStringLiteral("TYPE"));
    if (auto exit = cl.parse(arguments, 0, 0))
        return *exit;
    const std::string type = cl.value(QStringLiteral("aggregate-type")).toStdString();
    if (cl.isSet(QStringLiteral("aggregate-type")) && type.empty())
        return cl.usageError(QStringLiteral("--aggregate-type needs a name"));

    auto store = openDatabase(options, Access::Read);
    if (!store.ok())
        return reportError(store.status());
    auto streams = (*store)->streams(type);
    if (!streams.ok())
        return reportError(streams.status());

    StandardOutput out;
    JsonLines lines(out);
    for (const StreamInfo &stream : *streams) {
        JsonObject line;
        line.add("streamName", stream.streamName)
            .add("aggregateType", stream.aggregateType)
            .add("aggregateID", stream.aggregateId)
            .add("totalEvents", stream.totalEvents);
        if (Status s = lines.add(line); !s.ok())
            return reportError(s);
    }
    const Status finished = lines.finish();
    return finished.ok() ? ExitOk : reportError(finished);
}

int checkCommand(const GlobalOptions &options, const QStringList &arguments)
{
    CommandLine cl(QStringLiteral("check"),
                   QStringLiteral("Checks that every index entry resolves, every record is indexed under\n"
                                  "$all$ and its aggregate type, stream sequence numbers run 1..n and $gsn$\n"
                                  "is at least every global sequence number. Prints one JSON object:\n"
                                  "  {\"consistent\",\"records\",\"allEventsEntries\",\"aggregateTypeEntries\","
                                  "\"streams\",\n   \"globalSequenceNumber\",\"problems\":[...]}\n"
                                  "Exit code 0 only when the database is consistent, else 1.\n"));
    if (auto exit = cl.parse(arguments, 0, 0))
        return *exit;
    auto store = openDatabase(options, Access::Read);
    if (!store.ok())
        return reportError(store.status());
    auto report = (*store)->check();
    if (!report.ok())
        return reportError(report.status());

    std::string problems = "[";
    for (const std::string &problem : report->problems) {
        if (problems.size() > 1)
            problems.push_back(',');
        json::appendQuoted(problems, problem);
    }
    problems.push_back(']');
    JsonObject result;
    result.addBool("consistent", report->consistent)
        .add("records", report->records)
        .add("allEventsEntries", report->allEventsEntries)
        .add("aggregateTypeEntries", report->aggregateTypeEntries)
        .add("streams", report->streams)
        .add("globalSequenceNumber", report->globalSequenceNumber)
        .addRaw("problems", problems);
    StandardOutput out;
    if (Status s = out.write(result.text() + '\n'); !s.ok())
        return reportError(s);
    if (!report->consistent) {
        return reportError(QStringLiteral("the database is not consistent: %1 problem(s), the first: %2")
                               .arg(report->problems.size())
                               .arg(report->problems.empty() ? QStringLiteral("(none listed)")
                                                             : QString::fromStdString(report->problems.front())));
    }
    return ExitOk;
}

} // namespace rangedb::cli
