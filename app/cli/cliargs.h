#pragma once

#include "rangedb/codec.h"

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace rangedb::cli {

// The options that come before the command name.
struct GlobalOptions
{
    QString databasePath; // empty: the embedded default database
    bool readOnly = false;
    bool durable = false;
    Serializer createSerializer = Serializer::Json;
};

// Splits `arguments` (without the program name) into global options, the command and the
// command's own arguments. Returns an exit code when it already handled everything
// (top-level --help: 0; a usage error: 2), or nullopt to run `command`.
std::optional<int> parseGlobalOptions(const QStringList &arguments, GlobalOptions &options, QString &command,
                                      QStringList &commandArguments);

QString topLevelUsage();

// One command's arguments over QCommandLineParser, with our own help text and exit codes:
// parse() prints the help (exit 0) or a usage error (exit 2) itself.
class CommandLine
{
public:
    // `usage` is the synopsis after "rangedb-cli", `help` the rest of --help.
    CommandLine(QString usage, QString help);

    void addValueOption(const QString &name, const QString &valueName);
    void addFlag(const QString &name);

    // nullopt when the command should run; otherwise the exit code to return.
    std::optional<int> parse(const QStringList &arguments, int minPositional, int maxPositional);

    bool isSet(const QString &name) const { return m_parser.isSet(name); }
    QString value(const QString &name) const { return m_parser.value(name); }
    QStringList values(const QString &name) const { return m_parser.values(name); }
    QStringList positional() const { return m_parser.positionalArguments(); }

    // The option as an unsigned 64-bit decimal number, `fallback` when absent; nullopt
    // after reporting a usage error when it is not a number.
    std::optional<std::uint64_t> number(const QString &name, std::uint64_t fallback);

    int usageError(const QString &message) const;
    const QString &usage() const { return m_usage; }

private:
    QCommandLineParser m_parser;
    QString m_usage;
    QString m_help;
};

} // namespace rangedb::cli
