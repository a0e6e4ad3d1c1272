// The workbench window on a large database (issue 3's targets): time to the first rows,
// time to the aggregate-type counts and the full row count, jumps to random rows of the
// all-events table, the longest GUI-thread stall while scrolling top to bottom, and the
// resident memory afterwards.
//
//   bench_workbench --db DIR        a database made by `rangedb-cli generate` (opened read-only)
//   bench_workbench [--events N]    generates N events (default 200,000) into a temporary folder
//   bench_workbench --quick         20,000 events, fewer jumps and steps (the CI smoke)

#include "guibenchutil.h"
#include "databasedock.h"
#include "mainwindow.h"
#include "recordpage.h"
#include "recordtablemodel.h"

#include "rangedb/generator.h"
#include "rangedb/leveldbstore.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>

using namespace rangedb;
using namespace rangedb::bench;
using namespace rangedb::ui;

namespace {

void generate(const QString &path, std::uint64_t events)
{
    LevelDbOptions options;
    options.createIfMissing = true;
    auto store = LevelDbStore::open(path.toStdString(), options);
    require(store.ok(), "create the database");
    GeneratorOptions generatorOptions;
    generatorOptions.events = events;
    generatorOptions.streams = std::max<std::uint64_t>(10, events / 100);
    SampleGenerator generator(generatorOptions);
    for (auto batch = generator.nextBatch(100); !batch.empty(); batch = generator.nextBatch(100))
        require(store.value()->save(batch).ok(), "save generated events");
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("rangedb-workbench-bench"));
    QCommandLineParser parser;
    const QCommandLineOption dbOption(QStringLiteral("db"), QStringLiteral("An existing database (read-only)."),
                                      QStringLiteral("DIR"));
    const QCommandLineOption eventsOption(QStringLiteral("events"), QStringLiteral("Events to generate."),
                                          QStringLiteral("N"), QStringLiteral("200000"));
    const QCommandLineOption quickOption(QStringLiteral("quick"), QStringLiteral("A smoke run of seconds."));
    parser.addOptions({dbOption, eventsOption, quickOption});
    parser.addHelpOption();
    parser.process(app);
    const bool quick = parser.isSet(quickOption);

    QTemporaryDir temp;
    QString path = parser.value(dbOption);
    if (path.isEmpty()) {
        path = temp.filePath(QStringLiteral("db"));
        const std::uint64_t events = quick ? 20000 : parser.value(eventsOption).toULongLong();
        std::printf("generating %llu events...\n", static_cast<unsigned long long>(events));
        std::fflush(stdout);
        generate(path, events);
    }

    MainWindow window;
    window.setInteractive(false);
    window.resize(1400, 900);
    window.show();
    RecordPage *page = window.recordPage();
    RecordTableModel *model = page->model();
    DatabaseTreeModel *tree = window.databaseDock()->model();

    // 1. Open: first rows, type counts, full row count.
    QElapsedTimer clock;
    clock.start();
    double firstRows = -1, typeCounts = -1, rowCount = -1, opened = -1;
    QObject::connect(window.service(), &StoreService::opened, [&] { opened = double(clock.nsecsElapsed()) / 1e6; });
    QObject::connect(tree, &DatabaseTreeModel::countingFinished, [&] { typeCounts = double(clock.nsecsElapsed()) / 1e6; });
    window.openDatabase(OpenRequest{path, true, false, Serializer::Json});
    require(spinUntil(
                [&] {
                    if (firstRows < 0 && model->rowCount() > 0
                        && model->data(model->index(0, 0), RecordTableModel::LoadedRole).toBool())
                        firstRows = double(clock.nsecsElapsed()) / 1e6;
                    if (rowCount < 0 && window.service()->isOpen() && !model->isCounting() && model->rowCount() > 0)
                        rowCount = double(clock.nsecsElapsed()) / 1e6;
                    return firstRows >= 0 && typeCounts >= 0 && rowCount >= 0;
                },
                120000),
            "the window shows rows and finishes counting");
    const quint64 rows = model->totalRows();
    require(rows == tree->totalEvents(), "the table's row count equals the tree's total");

    // 2. Jumps to random rows of the all-events table (each: scroll there, wait for the row).
    QTableView *view = page->view();
    std::vector<double> jumps;
    const int jumpCount = quick ? 30 : 200;
    QRandomGenerator random(42);
    for (int i = 0; i < jumpCount; ++i) {
        const int row = i == 0 ? int(rows - 1) : int(random.bounded(quint64(rows)));
        QElapsedTimer jump;
        jump.start();
        view->scrollTo(model->index(row, 0), QAbstractItemView::PositionAtCenter);
        require(spinUntil([&] { return model->data(model->index(row, 0), RecordTableModel::LoadedRole).toBool(); },
                          10000),
                "a jumped-to row loads");
        jumps.push_back(double(jump.nsecsElapsed()) / 1e6);
        require(model->rowAt(row) && model->rowAt(row)->record.globalSequenceNumber > 0, "the row holds a record");
    }

    // 3. Scroll from top to bottom: page by page for a while, then in big strides, as a
    //    user dragging the scroll bar does; a 1 ms timer measures how long the loop stalls.
    QScrollBar *bar = view->verticalScrollBar();
    bar->setValue(0);
    LatencyProbe probe;
    probe.start();
    const int pageSteps = quick ? 100 : 1000;
    const int strides = quick ? 200 : 2000;
    int step = 0;
    bool scrolled = false;
    QTimer stepper;
    stepper.setInterval(4);
    QObject::connect(&stepper, &QTimer::timeout, [&] {
        if (step < pageSteps)
            bar->setValue(bar->value() + bar->pageStep());
        else if (step < pageSteps + strides)
            bar->setValue(int(qint64(bar->maximum()) * (step - pageSteps + 1) / strides));
        else {
            stepper.stop();
            scrolled = true;
        }
        ++step;
    });
    QElapsedTimer scrollClock;
    scrollClock.start();
    stepper.start();
    require(spinUntil([&] { return scrolled; }, 600000), "scrolling finishes");
    const int lastRow = int(rows - 1);
    require(spinUntil([&] { return model->data(model->index(lastRow, 0), RecordTableModel::LoadedRole).toBool(); }, 10000),
            "the last row shows at the bottom");
    const double scrollSeconds = double(scrollClock.nsecsElapsed()) / 1e9;
    probe.stop();
    require(bar->value() == bar->maximum(), "the view reached the bottom");

    const double rss = procStatusMiB("VmRSS:");
    const double peak = procStatusMiB("VmHWM:");
    const double anon = procStatusMiB("RssAnon:");
    const double fileBacked = procStatusMiB("RssFile:");

    std::printf("\nworkbench on %llu events (%s)\n", static_cast<unsigned long long>(rows), qPrintable(path));
    std::printf("  %-44s %10.1f ms\n", "LevelDB open (part of the next)", opened);
    std::printf("  %-44s %10.1f ms   (target 300)\n", "first rows visible after open", firstRows);
    std::printf("  %-44s %10.1f ms   (target 5000)\n", "aggregate-type counts complete", typeCounts);
    std::printf("  %-44s %10.1f ms\n", "all-events row count complete", rowCount);
    std::printf("  %-44s %10.2f ms p50, %.2f p99, %.2f max   (target 50)\n", "jump to a random row",
                percentile(jumps, 0.5), percentile(jumps, 0.99), *std::max_element(jumps.begin(), jumps.end()));
    std::printf("  %-44s %10.2f ms max, %.2f p99 over %.1f s, %d steps   (target 50)\n",
                "GUI stall while scrolling top to bottom", *std::max_element(probe.gaps().begin(), probe.gaps().end()),
                percentile(probe.gaps(), 0.99), scrollSeconds, step - 1);
    std::printf("  %-44s %10.1f MiB now, %.1f MiB peak   (target 300)\n", "resident memory after browsing", rss, peak);
    std::printf("  %-44s %10.1f MiB anonymous, %.1f MiB file-backed\n", "  of which", anon, fileBacked);
    std::printf("{\"bench\":\"workbench\",\"events\":%llu,\"firstRowsMs\":%.1f,\"typeCountsMs\":%.1f,\"rowCountMs\":%.1f,"
                "\"jumpP50Ms\":%.2f,\"jumpMaxMs\":%.2f,\"scrollStallMaxMs\":%.2f,\"rssMiB\":%.1f,\"peakRssMiB\":%.1f,\"anonRssMiB\":%.1f}\n",
                static_cast<unsigned long long>(rows), firstRows, typeCounts, rowCount, percentile(jumps, 0.5),
                *std::max_element(jumps.begin(), jumps.end()),
                *std::max_element(probe.gaps().begin(), probe.gaps().end()), rss, peak, anon);
    return 0;
}
