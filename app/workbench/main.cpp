#include "livedock.h"
#include "mainwindow.h"
#include "servecontrol.h"

#include "rangedb/paths.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QTimer>

#include <cstdio>
#include <optional>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    rangedb::setApplicationIdentity();
    QApplication::setApplicationDisplayName(QStringLiteral("RangeDB Workbench"));
    QApplication::setDesktopFileName(QStringLiteral("io.github.rangedb_workbench.RangeDBWorkbench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Browse, watch and edit rangedb (v0.12.0) event stores."));
    parser.addHelpOption();
    const QCommandLineOption readOnly(QStringLiteral("read-only"),
                                      QStringLiteral("Open without writing a byte into the database folder."));
    parser.addOption(readOnly);
    const QCommandLineOption serve(QStringLiteral("serve"),
                                   QStringLiteral("Serve the database on 127.0.0.1:PORT (rangedb's HTTP and "
                                                  "WebSocket APIs) once it is open."),
                                   QStringLiteral("PORT"));
    parser.addOption(serve);
    const QCommandLineOption live(QStringLiteral("live"),
                                  QStringLiteral("Open a Live pane following all events once the database is open."));
    parser.addOption(live);
    parser.addPositionalArgument(QStringLiteral("DIR"),
                                 QStringLiteral("The database folder. Default: the embedded database, %1.")
                                     .arg(QDir::toNativeSeparators(rangedb::defaultDatabasePath())),
                                 QStringLiteral("[DIR]"));
    parser.process(app);
    if (parser.positionalArguments().size() > 1)
        parser.showHelp(2);
    std::optional<quint16> servePort;
    if (parser.isSet(serve)) {
        bool ok = false;
        const uint port = parser.value(serve).toUInt(&ok);
        if (!ok || port > 65535) {
            std::fprintf(stderr, "rangedb-workbench: --serve: \"%s\" is not a port number (0 to 65535)\n",
                         qPrintable(parser.value(serve)));
            return 2;
        }
        servePort = quint16(port);
    }

    rangedb::ui::MainWindow window;
    window.show();
    const bool isDefault = parser.positionalArguments().isEmpty();
    rangedb::ui::OpenRequest request;
    request.path = isDefault ? rangedb::defaultDatabasePath() : parser.positionalArguments().front();
    request.readOnly = parser.isSet(readOnly);
    // The embedded database is created on first use; a folder named by the user never is.
    request.create = isDefault && !request.readOnly;
    if (servePort) {
        // Once, for the database opened here; a failure is told in the window and on stderr.
        QObject::connect(
            window.service(), &rangedb::ui::StoreService::opened, &window,
            [&window, port = *servePort] {
                const rangedb::Status status = window.serveControl()->serve(port);
                if (status.ok())
                    std::fprintf(stdout, "Serving %s/api/\n", qPrintable(window.service()->serverUrl().toString()));
                else
                    std::fprintf(stderr, "rangedb-workbench: --serve: %s\n", status.message().c_str());
                std::fflush(stdout);
            },
            Qt::SingleShotConnection);
    }
    if (parser.isSet(live)) {
        QObject::connect(
            window.service(), &rangedb::ui::StoreService::opened, &window,
            [&window] { window.newLivePane()->follow({}); }, Qt::SingleShotConnection);
    }
    window.openDatabase(request, isDefault);
    return QApplication::exec();
}
