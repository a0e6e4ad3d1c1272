#include "commands.h"

#include "rangedb/paths.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    rangedb::setApplicationIdentity();
    return rangedb::cli::runCli(QCoreApplication::arguments().mid(1));
}
