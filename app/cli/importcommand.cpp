// import: records from a file or stdin, all or nothing (see the help text for the limit).
#include "commands.h"
#include "database.h"
#include "output.h"
#include "transfer.h"

#include <QFile>
#include <QTemporaryFile>

#include <cstdio>

namespace rangedb::cli {

namespace {

const char kImportHelp[] = R"(Imports records from FILE ("-": standard input) and prints
  {"imported":N,"streams":M}

Options:
  --format FORMAT   json (array), ndjson or msgpack. Default: guessed from the first
                    bytes ('[' JSON array, '{' NDJSON, a msgpack map header msgpack).
  --mode MODE       append (default): rangedb Save semantics; every record gets a new
                    global and stream sequence number, event ID and timestamp; one save
                    per run of consecutive records of the same stream.
                    restore: records keep their sequence numbers, event IDs and
                    timestamps; the database must be empty. All or nothing.

The whole input is read and checked before anything is written (decoding, aggregate
type and ID rules, numbers a msgpack database cannot hold), so a bad record leaves the
database as it was; the error names the record number and its line and column (JSON) or
byte offset (msgpack). Standard input is first copied to a temporary file for that.
In append mode the saves themselves are separate writes: should one fail after the
check (a full disk, say), the records of the earlier saves stay, and the error says
which records were appended. A restore is one atomic write.
)";

} // namespace

int importCommand(const GlobalOptions &options, const QStringList &arguments)
{
    CommandLine cl(QStringLiteral("import [--format json|ndjson|msgpack] [--mode append|restore] FILE|-"),
                   QString::fromUtf8(kImportHelp));
    cl.addValueOption(QStringLiteral("format"), QStringLiteral("FORMAT"));
    cl.addValueOption(QStringLiteral("mode"), QStringLiteral("MODE"));
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
    QFile input(inputName);
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
        input.setFileName(spool.fileName());
    }
    if (!input.open(QIODevice::ReadOnly))
        return reportError(QStringLiteral("cannot read %1: %2").arg(sourceName, input.errorString()));

    bool empty = false;
    if (!format) {
        auto sniffed = sniffFormat(&input, &empty);
        if (!sniffed.ok())
            return reportError(sniffed.status().withContext(sourceName.toStdString()
                                                            + ": cannot tell the format (use --format)"));
        format = *sniffed;
    }

    auto store = openDatabase(options, Access::Write);
    if (!store.ok())
        return reportError(store.status());
    if (Status s = refuseReadOnly(**store, "import"); !s.ok())
        return reportError(s);

    ImportSummary summary;
    if (!empty) {
        auto checked = validateInput(&input, *format, sourceName, mode, (*store)->serializer());
        if (!checked.ok())
            return reportError(checked.status().withContext("import: nothing was written"));
        if (!input.seek(0))
            return reportError(QStringLiteral("cannot re-read %1: %2").arg(sourceName, input.errorString()));
        auto imported = mode == ImportMode::Append
            ? appendRecords(**store, &input, *format, sourceName)
            : restoreRecords(**store, &input, *format, sourceName);
        if (!imported.ok())
            return reportError(imported.status().withContext("import"));
        summary = *imported;
    }

    JsonObject result;
    result.add("imported", summary.records).add("streams", summary.streams);
    return printResult(result);
}

} // namespace rangedb::cli
