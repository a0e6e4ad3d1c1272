#include "cliargs.h"

#include "output.h"

#include <cstdio>

namespace rangedb::cli {

namespace {

void printToStdout(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stdout);
    std::fflush(stdout);
}

const char kTopLevelHelp[] = R"(rangedb-cli - inspect and edit rangedb (v0.12.0) LevelDB event stores

Usage: rangedb-cli [--db DIR] [--read-only] [--durable] [--create-serializer json|msgpack]
                   COMMAND [ARGS...]

Global options:
  --db DIR                   The database folder. Default: the workbench's embedded
                             database, ~/.local/share/rangedb-workbench/default-db.
  --read-only                Open without writing a byte into the folder; write
                             commands fail.
  --durable                  Sync every write to disk before reporting success.
  --create-serializer FMT    Record encoding (json or msgpack) when a write command
                             creates a new database. Default: json (rangedb's default).
  -h, --help                 Show this help.

Read commands (never create or change a database; a folder without a database is an error):
  info              Summary of the database as one JSON object.
  aggregate-types   Aggregate types with event counts (NDJSON).
  streams           Streams with event counts (NDJSON).
  events            Export records as NDJSON, a JSON array or msgpack.
  check             Consistency report (JSON); exit 0 only when consistent.

Write commands (create the database when the folder holds none):
  save              Append one event to a stream.
  import            Import records from a file (append or restore).
  delete-stream     Delete a stream, optimistically.
  generate          Fill the database with deterministic sample events.

Serving (until SIGINT/SIGTERM; --read-only refuses writes with 403):
  serve             rangedb's HTTP JSON API (/api/) and WebSocket API (/ws/) on 127.0.0.1.

Run "rangedb-cli COMMAND --help" for a command's options.

Output is JSON or NDJSON on stdout; errors are one line "rangedb-cli: error: ..." on stderr.
Exit codes: 0 ok, 1 error, 2 usage error, 3 unexpected sequence number,
            4 stream not found, 5 database in use by another process.
)";

} // namespace

QString topLevelUsage()
{
    return QStringLiteral("rangedb-cli [--db DIR] [--read-only] [--durable] "
                          "[--create-serializer json|msgpack] COMMAND [ARGS...]");
}

std::optional<int> parseGlobalOptions(const QStringList &arguments, GlobalOptions &options, QString &command,
                                      QStringList &commandArguments)
{
    // By hand rather than with QCommandLineParser: global options end at the first word
    // that is not an option, and everything after belongs to the command.
    int i = 0;
    const auto valueOf = [&](const QString &name, QString &value) -> std::optional<int> {
        const QString &arg = arguments.at(i);
        const QString prefix = name + QLatin1Char('=');
        if (arg.startsWith(prefix)) {
            value = arg.mid(prefix.size());
            return std::nullopt;
        }
        if (i + 1 >= arguments.size())
            return reportUsageError(QStringLiteral("missing value for %1").arg(name), topLevelUsage());
        value = arguments.at(++i);
        return std::nullopt;
    };
    for (; i < arguments.size(); ++i) {
        const QString &arg = arguments.at(i);
        if (!arg.startsWith(QLatin1Char('-')) || arg == QLatin1String("-"))
            break;
        if (arg == QLatin1String("--")) {
            ++i;
            break;
        }
        if (arg == QLatin1String("-h") || arg == QLatin1String("--help")) {
            printToStdout(QString::fromUtf8(kTopLevelHelp));
            return ExitOk;
        }
        if (arg == QLatin1String("--read-only")) {
            options.readOnly = true;
        } else if (arg == QLatin1String("--durable")) {
            options.durable = true;
        } else if (arg == QLatin1String("--db") || arg.startsWith(QLatin1String("--db="))) {
            if (auto exit = valueOf(QStringLiteral("--db"), options.databasePath))
                return exit;
            if (options.databasePath.isEmpty())
                return reportUsageError(QStringLiteral("--db needs a folder"), topLevelUsage());
        } else if (arg == QLatin1String("--create-serializer")
                   || arg.startsWith(QLatin1String("--create-serializer="))) {
            QString name;
            if (auto exit = valueOf(QStringLiteral("--create-serializer"), name))
                return exit;
            if (name == QLatin1String("json"))
                options.createSerializer = Serializer::Json;
            else if (name == QLatin1String("msgpack"))
                options.createSerializer = Serializer::Msgpack;
            else
                return reportUsageError(
                    QStringLiteral("unknown serializer \"%1\" (expected json or msgpack)").arg(name),
                    topLevelUsage());
        } else {
            return reportUsageError(QStringLiteral("unknown option %1").arg(arg), topLevelUsage());
        }
    }
    if (i >= arguments.size())
        return reportUsageError(QStringLiteral("missing command"), topLevelUsage());
    command = arguments.at(i);
    commandArguments = arguments.mid(i + 1);
    return std::nullopt;
}

CommandLine::CommandLine(QString usage, QString help)
    : m_usage(std::move(usage))
    , m_help(std::move(help))
{
    m_parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    m_parser.addOption(QCommandLineOption(QStringList{QStringLiteral("h"), QStringLiteral("help")}));
}

void CommandLine::addValueOption(const QString &name, const QString &valueName)
{
    m_parser.addOption(QCommandLineOption(name, QString(), valueName));
}

void CommandLine::addFlag(const QString &name)
{
    m_parser.addOption(QCommandLineOption(name));
}

std::optional<int> CommandLine::parse(const QStringList &arguments, int minPositional, int maxPositional)
{
    // QCommandLineParser skips the first element as the program name.
    QStringList all{QStringLiteral("rangedb-cli")};
    all += arguments;
    if (!m_parser.parse(all))
        return usageError(m_parser.errorText());
    if (m_parser.isSet(QStringLiteral("help"))) {
        printToStdout(QStringLiteral("Usage: rangedb-cli [global options] ") + m_usage + QStringLiteral("\n\n")
                      + m_help);
        return ExitOk;
    }
    const auto count = m_parser.positionalArguments().size();
    if (count < minPositional)
        return usageError(QStringLiteral("missing argument"));
    if (count > maxPositional)
        return usageError(QStringLiteral("unexpected argument \"%1\"").arg(m_parser.positionalArguments().at(maxPositional)));
    return std::nullopt;
}

std::optional<std::uint64_t> CommandLine::number(const QString &name, std::uint64_t fallback)
{
    if (!m_parser.isSet(name))
        return fallback;
    const QString text = m_parser.value(name);
    bool ok = false;
    const qulonglong value = text.toULongLong(&ok, 10);
    if (!ok || text.startsWith(QLatin1Char('+')) || text.startsWith(QLatin1Char('-'))) {
        usageError(QStringLiteral("--%1 expects a non-negative integer, not \"%2\"").arg(name, text));
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(value);
}

int CommandLine::usageError(const QString &message) const
{
    return reportUsageError(message, QStringLiteral("rangedb-cli [global options] ") + m_usage);
}

} // namespace rangedb::cli
