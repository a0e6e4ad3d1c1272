// bench_growth: does a save get slower as the store grows? The rate of 1-event saves in
// windows of 10,000 saves at 20,000, 100,000, 500,000 and 1,000,000 events (filled in
// between by saves of 100 events per call), next to plain LevelDB doing the same writes
// at the same sizes. No arguments: the full run; --quick: a smoke run.

#include "benchutil.h"
#include "rawleveldb.h"

#include "rangedb/leveldbstore.h"

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>

using namespace rangedb;
using namespace rangedb::bench;

namespace {

// Saves continuing the numbering across calls, batch b going to stream b % streams.
class StoreWriter
{
public:
    StoreWriter(Store &store, const Workload &workload) : m_store(store), m_workload(workload) {}

    void write(std::uint64_t count, std::size_t perCall)
    {
        std::vector<EventRecord> records;
        const std::uint64_t end = m_events + count;
        while (m_events < end) {
            records.clear();
            const std::uint64_t stream = m_workload.streamOf(m_batches++);
            const std::uint64_t inCall = std::min<std::uint64_t>(perCall, end - m_events);
            for (std::uint64_t i = 0; i < inCall; ++i)
                records.push_back(m_workload.event(stream, m_events++));
            auto saved = m_store.save(records);
            require(saved.ok(), "save: " + saved.status().message());
            m_lastGsn = saved->lastGlobalSequenceNumber;
        }
        require(m_lastGsn == end, "saved " + std::to_string(m_lastGsn) + " of " + std::to_string(end));
    }
    std::uint64_t events() const { return m_events; }

private:
    Store &m_store;
    const Workload &m_workload;
    std::uint64_t m_events = 0;
    std::uint64_t m_batches = 0;
    std::uint64_t m_lastGsn = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const bool quick = quickMode();
    const std::vector<std::uint64_t> sizes = quick ? std::vector<std::uint64_t>{2000, 10000}
                                                   : std::vector<std::uint64_t>{20000, 100000, 500000, 1000000};
    const std::uint64_t window = quick ? 2000 : 10000;
    const Workload workload;
    Report report("bench_growth");
    std::printf("bench_growth: 1-event saves in windows of %llu (5 slices, median) as the store grows "
                "(fill: 100 events per save)%s\n",
                static_cast<unsigned long long>(window), quick ? " [quick]" : "");

    QTemporaryDir storeDir;
    QTemporaryDir rawDir;
    require(storeDir.isValid() && rawDir.isValid(), "temp dirs");

    LevelDbOptions options;
    options.createIfMissing = true;
    auto opened = LevelDbStore::open(QFile::encodeName(storeDir.path()).toStdString(), options);
    require(opened.ok(), "open: " + opened.status().message());
    auto store = std::move(opened).value();
    StoreWriter storeWriter(*store, workload);
    RawLevelDb raw(QFile::encodeName(rawDir.path()).toStdString());
    RawWriter rawWriter(raw, workload);

    report.section("save rate by store size");
    for (const std::uint64_t size : sizes) {
        // Fill both to `size` events (untimed but reported), then time the window.
        const std::uint64_t filled = size > storeWriter.events() ? size - storeWriter.events() : 0;
        const auto fillStart = Clock::now();
        if (storeWriter.events() < size)
            storeWriter.write(size - storeWriter.events(), 100);
        const double fillSeconds = secondsSince(fillStart);
        if (rawWriter.lastGlobalSequenceNumber() < size)
            rawWriter.write(size - rawWriter.lastGlobalSequenceNumber(), 100, false);

        const std::string at = std::to_string(size);
        // Five alternating slices of window/5 saves, raw then store, median of each:
        // a background compaction or a neighbour's burst then hits one slice, not a side.
        const std::uint64_t slice = window / 5;
        std::vector<double> rawTimes;
        std::vector<double> storeTimes;
        for (int i = 0; i < 5; ++i) {
            auto start = Clock::now();
            rawWriter.write(slice, 1, false);
            rawTimes.push_back(secondsSince(start));
            start = Clock::now();
            storeWriter.write(slice, 1);
            storeTimes.push_back(secondsSince(start));
        }
        const double rawSeconds = median(rawTimes) * 5;
        const double storeSeconds = median(storeTimes) * 5;
        report.row("at" + at + ".floor.write1", "floor: raw LevelDB 1 event per batch, at " + at + " events",
                   double(window), rawSeconds);
        report.row("at" + at + ".save1", "save, 1 event per call, at " + at + " events", double(window),
                   storeSeconds, "events", double(window) / rawSeconds);
        report.note("(filled to " + at + " with 100-event saves at "
                    + std::to_string(std::uint64_t(double(filled) / std::max(fillSeconds, 1e-9))) + " events/s)");
    }
    const auto total = store->totalEvents();
    require(total.ok() && *total == storeWriter.events(), "total events after growth");
    report.finish(quick);
    return 0;
}
