#pragma once

#include "cliargs.h"

#include <QStringList>

// One function per command: parses the command's own arguments, does the work, prints the
// result on stdout or one error line on stderr, and returns the exit code (output.h).
namespace rangedb::cli {

int runCli(const QStringList &arguments); // arguments without the program name

int infoCommand(const GlobalOptions &options, const QStringList &arguments);
int aggregateTypesCommand(const GlobalOptions &options, const QStringList &arguments);
int streamsCommand(const GlobalOptions &options, const QStringList &arguments);
int checkCommand(const GlobalOptions &options, const QStringList &arguments);
int eventsCommand(const GlobalOptions &options, const QStringList &arguments);
int saveCommand(const GlobalOptions &options, const QStringList &arguments);
int deleteStreamCommand(const GlobalOptions &options, const QStringList &arguments);
int generateCommand(const GlobalOptions &options, const QStringList &arguments);
int importCommand(const GlobalOptions &options, const QStringList &arguments);
int serveCommand(const GlobalOptions &options, const QStringList &arguments);

} // namespace rangedb::cli
