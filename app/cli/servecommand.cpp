// serve: the database over rangedb's HTTP JSON and WebSocket APIs until SIGINT/SIGTERM.
#include "commands.h"
#include "database.h"
#include "output.h"

#include "rangedb/server.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace rangedb::cli {

namespace {

int g_signalPipe[2] = {-1, -1};

// Async-signal-safe: only write(2). The event loop reads the pipe and quits.
void onStopSignal(int signal)
{
    const char byte = char(signal);
    [[maybe_unused]] const auto written = ::write(g_signalPipe[1], &byte, 1);
}

} // namespace

int serveCommand(const GlobalOptions &options, const QStringList &arguments)
{
    CommandLine cl(QStringLiteral("serve [--port PORT] [--host ADDRESS] [--max-body-bytes N]"),
                   QStringLiteral(
                       "Serves the database over rangedb's HTTP JSON API (under /api/) and WebSocket API\n"
                       "(under /ws/) until SIGINT or SIGTERM, then stops cleanly. Prints one JSON line\n"
                       "when it listens:\n"
                       "  {\"url\":\"http://127.0.0.1:8080\",\"api\":\"http://127.0.0.1:8080/api\","
                       "\"webSocket\":\"ws://127.0.0.1:8080/ws\",\"readOnly\":false}\n"
                       "With --read-only, saves and deletes are refused with 403.\n\n"
                       "Options:\n"
                       "  --port PORT          TCP port (default 8080, rangedb's); 0 picks a free one.\n"
                       "  --host ADDRESS       Address to listen on (default 127.0.0.1, loopback only).\n"
                       "                       Anyone who can reach another address can read and write\n"
                       "                       the database: there is no authentication.\n"
                       "  --max-body-bytes N   Larger request bodies are refused with 413 (default 32 MiB).\n"));
    cl.addValueOption(QStringLiteral("port"), QStringLiteral("PORT"));
    cl.addValueOption(QStringLiteral("host"), QStringLiteral("ADDRESS"));
    cl.addValueOption(QStringLiteral("max-body-bytes"), QStringLiteral("N"));
    if (auto exit = cl.parse(arguments, 0, 0))
        return *exit;
    const auto port = cl.number(QStringLiteral("port"), 8080);
    if (!port)
        return ExitUsage;
    if (*port > 65535)
        return cl.usageError(QStringLiteral("--port must be at most 65535"));
    const auto maxBody = cl.number(QStringLiteral("max-body-bytes"), std::uint64_t(32) << 20);
    if (!maxBody)
        return ExitUsage;
    server::ServerOptions serverOptions;
    serverOptions.port = quint16(*port);
    serverOptions.maxRequestBodyBytes = qint64(std::min<std::uint64_t>(*maxBody, std::uint64_t(1) << 40));
    if (cl.isSet(QStringLiteral("host"))) {
        const QString host = cl.value(QStringLiteral("host"));
        if (!serverOptions.address.setAddress(host))
            return cl.usageError(QStringLiteral("--host expects an IP address, not \"%1\"").arg(host));
    }

    auto opened = openDatabase(options, Access::Write);
    if (!opened.ok())
        return reportError(opened.status());
    std::shared_ptr<Store> store = std::move(opened).value();

    if (::pipe(g_signalPipe) != 0)
        return reportError(QStringLiteral("cannot create the signal pipe"));
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, qApp, [] {
        char byte = 0;
        [[maybe_unused]] const auto got = ::read(g_signalPipe[0], &byte, 1);
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onStopSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);

    server::Server server(store, serverOptions);
    if (Status started = server.start(); !started.ok())
        return reportError(started);
    if (!serverOptions.address.isLoopback()) {
        std::fprintf(stderr,
                     "rangedb-cli: warning: listening on %s, which is not a loopback address: anyone who can "
                     "reach it can read and write the database\n",
                     qPrintable(serverOptions.address.toString()));
    }

    const QString url = server.url().toString();
    QString webSocket = url;
    webSocket.replace(0, 4, QStringLiteral("ws"));
    JsonObject line;
    line.add("url", url.toStdString())
        .add("api", QString(url + QStringLiteral("/api")).toStdString())
        .add("webSocket", QString(webSocket + QStringLiteral("/ws")).toStdString())
        .addBool("readOnly", store->isReadOnly());
    if (const int printed = printResult(line); printed != ExitOk)
        return printed;

    QCoreApplication::exec();
    server.stop();
    ::close(g_signalPipe[0]);
    ::close(g_signalPipe[1]);
    return ExitOk;
}

} // namespace rangedb::cli
