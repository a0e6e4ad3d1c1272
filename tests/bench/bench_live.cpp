// The Live pane keeping up (issue 5): a writer thread saves events into a LevelDB store at
// a fixed rate while a MainWindow (offscreen) with a Live pane follows all events, and the
// window's own table and tree follow too. Reports events shown (and dropped under the
// pane's row limit, and missed) against events appended, the GUI event-loop latency (a
// 1 ms timer: max and p99 of its gaps), resident memory before and after, and the append
// rate achieved.
//
//   bench_live [--rate N] [--seconds S] [--max-rows R] [--initial N]
//       defaults: 50,000 events/s for 30 s, 10,000 rows kept, 20,000 events before
//   bench_live --quick      20,000 events/s for 3 s (the CI smoke)

#include "guibenchutil.h"
#include "livedock.h"
#include "mainwindow.h"

#include "rangedb/leveldbstore.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

using namespace rangedb;
using namespace rangedb::bench;
using namespace rangedb::ui;

namespace {


// Events of `streams` streams in turn, `perSave` to a save, as an application would write.
class Writer
{
public:
    Writer(std::shared_ptr<Store> store, std::uint64_t streams) : m_store(std::move(store)), m_streams(streams) {}

    // Saves `count` events (one stream) and returns how many were saved.
    std::uint64_t save(std::uint64_t count)
    {
        const std::uint64_t stream = m_saves++ % m_streams;
        m_batch.clear();
        for (std::uint64_t i = 0; i < count; ++i) {
            EventRecord e;
            e.aggregateType = stream % 3 == 0 ? "order" : stream % 3 == 1 ? "account" : "sensor";
            e.aggregateId = "s" + std::to_string(stream);
            e.eventType = stream % 3 == 0 ? "OrderPlaced" : stream % 3 == 1 ? "FundsDeposited" : "TemperatureRead";
            e.data = "{\"n\":" + std::to_string(m_written + i) + ",\"amount\":" + std::to_string((m_written + i) % 997)
                + ",\"note\":\"live benchmark\"}";
            m_batch.push_back(std::move(e));
        }
        auto saved = m_store->save(m_batch);
        require(saved.ok(), "a save succeeds");
        m_written += count;
        return count;
    }
    std::uint64_t written() const { return m_written; }

private:
    std::shared_ptr<Store> m_store;
    std::uint64_t m_streams;
    std::uint64_t m_saves = 0;
    std::uint64_t m_written = 0;
    std::vector<EventRecord> m_batch;
};

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("rangedb-workbench-bench"));
    QCommandLineParser parser;
    const QCommandLineOption rateOption(QStringLiteral("rate"), QStringLiteral("Events appended per second."),
                                        QStringLiteral("N"), QStringLiteral("50000"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"), QStringLiteral("How long to append."),
                                           QStringLiteral("S"), QStringLiteral("30"));
    const QCommandLineOption maxRowsOption(QStringLiteral("max-rows"), QStringLiteral("Rows the pane keeps."),
                                           QStringLiteral("R"), QString::number(LiveModel::kDefaultMaxRows));
    const QCommandLineOption initialOption(QStringLiteral("initial"),
                                           QStringLiteral("Events in the store before (the pane catches up on them)."),
                                           QStringLiteral("N"), QStringLiteral("20000"));
    const QCommandLineOption quickOption(QStringLiteral("quick"), QStringLiteral("A smoke run of seconds."));
    parser.addOptions({rateOption, secondsOption, maxRowsOption, initialOption, quickOption});
    parser.addHelpOption();
    parser.process(app);
    const bool quick = parser.isSet(quickOption);
    const double rate = quick ? 20000 : parser.value(rateOption).toDouble();
    const double seconds = quick ? 3 : parser.value(secondsOption).toDouble();
    const int maxRows = parser.value(maxRowsOption).toInt();
    const std::uint64_t initial = quick ? 5000 : parser.value(initialOption).toULongLong();
    require(rate > 0 && seconds > 0 && maxRows > 0, "positive --rate, --seconds and --max-rows");

    QTemporaryDir temp;
    const QString path = temp.filePath(QStringLiteral("db"));
    LevelDbOptions options;
    options.createIfMissing = true;
    auto opened = LevelDbStore::open(path.toStdString(), options);
    require(opened.ok(), "create the database");
    std::shared_ptr<Store> store(std::move(opened).value().release());
    Writer writer(store, 1000);
    while (writer.written() < initial)
        writer.save(std::min<std::uint64_t>(100, initial - writer.written()));

    MainWindow window;
    window.setInteractive(false);
    window.resize(1400, 900);
    window.show();
    window.service()->adopt(store, path);
    LiveDock *pane = window.newLivePane();
    LiveModel *model = pane->model();
    QSignalSpy started(pane, &LiveDock::followStarted);
    model->setMaxRows(maxRows);
    pane->follow({{}, LiveOptions::Start::Beginning, 0});
    require(spinUntil([&] { return started.count() > 0 && model->receivedRecords() >= initial; }, 60000),
            "the pane catches up on the events already stored");
    // Settle, then measure.
    spinUntil([] { return false; }, 500);
    const double rssStart = procStatusMiB("VmRSS:");
    QSignalSpy inserted(model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy resets(model, &QAbstractItemModel::modelReset);

    std::atomic<bool> writing{true};
    std::atomic<std::uint64_t> appended{0};
    double writeSeconds = 0;
    LatencyProbe probe;
    probe.start();
    std::thread thread([&] {
        // Paced: by each millisecond, the events due by then are saved, 100 to a save.
        const auto start = Clock::now();
        for (;;) {
            const double elapsed = secondsSince(start);
            if (elapsed >= seconds)
                break;
            const auto due = std::uint64_t(rate * elapsed);
            while (appended.load() < due) {
                const std::uint64_t n = std::min<std::uint64_t>(100, due - appended.load());
                appended += writer.save(n);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        writeSeconds = secondsSince(start);
        writing = false;
    });
    // The window runs its event loop as it would for a user; the report line every 5 s.
    QElapsedTimer clock;
    clock.start();
    qint64 nextReport = 5000;
    spinUntil(
        [&] {
            if (clock.elapsed() >= nextReport) {
                std::printf("  %5.1f s: %llu appended, %llu received by the pane, %d rows shown, %.1f MiB resident\n",
                            double(clock.elapsed()) / 1000, static_cast<unsigned long long>(appended.load()),
                            static_cast<unsigned long long>(model->receivedRecords()), model->rowCount(),
                            procStatusMiB("VmRSS:"));
                std::fflush(stdout);
                nextReport += 5000;
            }
            return !writing.load();
        },
        int(seconds * 1000) + 120000);
    thread.join();
    const std::uint64_t total = initial + appended.load();
    const bool caughtUp = spinUntil([&] { return model->receivedRecords() + model->missedRecords() >= total; }, 60000);
    probe.stop();
    const double rssEnd = procStatusMiB("VmRSS:");
    const double rssPeak = procStatusMiB("VmHWM:");

    require(caughtUp, "the pane receives every appended event");
    require(model->receivedRecords() == total, "no event received twice");
    require(model->missedRecords() == 0, "no event missed");
    require(model->receivedRecords() == model->keptRows() + model->droppedRows() + model->pendingRows(),
            "every received event is shown or counted as dropped");
    require(model->keptRows() == std::min<quint64>(total, quint64(maxRows)), "the pane keeps its row limit");
    require(resets.count() == 0, "no model reset while tailing");
    // The rows kept are the newest, without gap or duplicate.
    const int rows = model->rowCount();
    for (int row = 0; row < rows; ++row) {
        require(model->rowAt(row)->record.globalSequenceNumber == total - quint64(rows) + quint64(row) + 1,
                "rows are the newest events, in order, without gap or duplicate");
    }

    const double achieved = double(appended.load()) / writeSeconds;
    const auto &gaps = probe.gaps();
    const double stallMax = *std::max_element(gaps.begin(), gaps.end());
    const double stallP99 = percentile(gaps, 0.99);
    std::printf("\nlive pane following %.0f events/s for %.1f s (row limit %d, %llu events before)\n", rate,
                writeSeconds, maxRows, static_cast<unsigned long long>(initial));
    std::printf("  %-44s %10.0f events/s (%llu events)\n", "append rate achieved", achieved,
                static_cast<unsigned long long>(appended.load()));
    std::printf("  %-44s %10llu of %llu (%llu shown now, %llu dropped under the row limit, %llu missed)\n",
                "events received by the pane", static_cast<unsigned long long>(model->receivedRecords()),
                static_cast<unsigned long long>(total), static_cast<unsigned long long>(model->keptRows()),
                static_cast<unsigned long long>(model->droppedRows()),
                static_cast<unsigned long long>(model->missedRecords()));
    std::printf("  %-44s %10lld inserts, %lld removals, %.0f events per insert\n", "model updates",
                static_cast<long long>(inserted.count()), static_cast<long long>(removed.count()),
                inserted.count() ? double(appended.load()) / double(inserted.count()) : 0.0);
    std::printf("  %-44s %10.2f ms max, %.2f ms p99   (target 50)\n", "GUI event-loop latency", stallMax, stallP99);
    std::printf("  %-44s %10.1f MiB at start, %.1f MiB at end, %.1f MiB peak\n", "resident memory", rssStart, rssEnd,
                rssPeak);
    std::printf("{\"bench\":\"live\",\"rate\":%.0f,\"seconds\":%.1f,\"maxRows\":%d,\"appended\":%llu,\"achievedRate\":%.0f,"
                "\"received\":%llu,\"dropped\":%llu,\"missed\":%llu,\"inserts\":%lld,\"stallMaxMs\":%.2f,"
                "\"stallP99Ms\":%.2f,\"rssStartMiB\":%.1f,\"rssEndMiB\":%.1f,\"peakRssMiB\":%.1f}\n",
                rate, writeSeconds, maxRows, static_cast<unsigned long long>(appended.load()), achieved,
                static_cast<unsigned long long>(model->receivedRecords()),
                static_cast<unsigned long long>(model->droppedRows()),
                static_cast<unsigned long long>(model->missedRecords()), static_cast<long long>(inserted.count()),
                stallMax, stallP99, rssStart, rssEnd, rssPeak);
    return 0;
}
