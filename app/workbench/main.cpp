#include "mainwindow.h"

#include "rangedb/paths.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QTimer>

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
    parser.addPositionalArgument(QStringLiteral("DIR"),
                                 QStringLiteral("The database folder. Default: the embedded database, %1.")
                                     .arg(QDir::toNativeSeparators(rangedb::defaultDatabasePath())),
                                 QStringLiteral("[DIR]"));
    parser.process(app);
    if (parser.positionalArguments().size() > 1)
        parser.showHelp(2);

    rangedb::ui::MainWindow window;
    window.show();
    const bool isDefault = parser.positionalArguments().isEmpty();
    rangedb::ui::OpenRequest request;
    request.path = isDefault ? rangedb::defaultDatabasePath() : parser.positionalArguments().front();
    request.readOnly = parser.isSet(readOnly);
    // The embedded database is created on first use; a folder named by the user never is.
    request.create = isDefault && !request.readOnly;
    window.openDatabase(request, isDefault);
    return QApplication::exec();
}
