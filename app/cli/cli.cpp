#include "commands.h"
#include "output.h"

#include <array>

namespace rangedb::cli {

int runCli(const QStringList &arguments)
{
    GlobalOptions options;
    QString command;
    QStringList commandArguments;
    if (auto exit = parseGlobalOptions(arguments, options, command, commandArguments))
        return *exit;

    using Command = int (*)(const GlobalOptions &, const QStringList &);
    struct Entry
    {
        const char *name;
        Command run;
    };
    static constexpr std::array<Entry, 10> kCommands = {{
        {"info", infoCommand},
        {"aggregate-types", aggregateTypesCommand},
        {"streams", streamsCommand},
        {"events", eventsCommand},
        {"check", checkCommand},
        {"save", saveCommand},
        {"import", importCommand},
        {"delete-stream", deleteStreamCommand},
        {"generate", generateCommand},
        {"serve", serveCommand},
    }};
    for (const Entry &entry : kCommands) {
        if (command == QLatin1String(entry.name))
            return entry.run(options, commandArguments);
    }
    return reportUsageError(QStringLiteral("unknown command \"%1\"").arg(command), topLevelUsage());
}

} // namespace rangedb::cli
