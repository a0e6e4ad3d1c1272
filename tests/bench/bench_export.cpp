// bench_export: rangedb::exportRecords (the engine behind `events --output` and the
// window's export) of a whole JSON store to NDJSON, next to a raw LevelDB scan of the
// same database ($all$ index walk + Get per record, values joined by '\n'), and the peak
// RSS, to show that memory stays constant whatever the size.
//
//   bench_export --quick                 20,000 generated events in a temporary folder
//   bench_export --db PATH --events N    PATH is generated with N events if it holds no
//                                        database; otherwise opened as it is (N is checked)
//   --writable                           open the store read-write (default: read-only)
//
// Both sides write to a discarding device, so the figures are the engine's, not the disk's.
// Run one size per process: the peak RSS (VmHWM) is the process's.
#include "benchutil.h"
#include "rawleveldb.h"

#include <rangedb/generator.h>
#include <rangedb/leveldbstore.h>
#include <rangedb/transfer.h>

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>

#include <cstdio>

using namespace rangedb;
using namespace rangedb::bench;

namespace {

// A field of /proc/self/status in MiB: VmHWM (peak resident set) or RssAnon (resident
// anonymous memory now: the heap, without the table files LevelDB maps into memory,
// which count in VmHWM but are page cache the kernel can drop).
double statusMiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').constFirst().toDouble() / 1024.0;
    }
    return 0;
}
double peakRssMiB()
{
    return statusMiB("VmHWM");
}

void generate(const std::string &path, std::uint64_t events)
{
    LevelDbOptions options;
    options.createIfMissing = true;
    auto store = LevelDbStore::open(path, options);
    require(store.ok(), "open for generate: " + store.status().message());
    GeneratorOptions generatorOptions;
    generatorOptions.events = events;
    SampleGenerator generator(generatorOptions);
    for (auto batch = generator.nextBatch(10); !batch.empty(); batch = generator.nextBatch(10))
        require((*store)->save(batch).ok(), "generate save");
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const bool quick = quickMode();
    const QStringList args = app.arguments();
    QTemporaryDir temp;
    std::string path;
    std::uint64_t events = 20000;
    if (quick || !args.contains(QStringLiteral("--db"))) {
        path = temp.filePath(QStringLiteral("db")).toStdString();
    } else {
        path = args.at(args.indexOf(QStringLiteral("--db")) + 1).toStdString();
    }
    if (const auto i = args.indexOf(QStringLiteral("--events")); i >= 0 && !quick)
        events = args.at(i + 1).toULongLong();
    if (!looksLikeDatabase(path)) {
        std::printf("generating %llu events in %s ...\n", static_cast<unsigned long long>(events), path.c_str());
        std::fflush(stdout);
        generate(path, events);
    }

    Report report("bench_export");
    report.section("export " + std::to_string(events) + " events of a JSON store to NDJSON (discarding device)");

    // The store, read-only as a viewer opens a database it must not change.
    double exportSeconds = 0;
    double rssAfterOpen = 0;
    double peakAnon = 0;
    std::uint64_t exportedBytes = 0;
    {
        LevelDbOptions options;
        options.readOnly = !args.contains(QStringLiteral("--writable"));
        auto store = LevelDbStore::open(path, options);
        require(store.ok(), "open: " + store.status().message());
        require((*store)->serializer() == Serializer::Json, "a JSON store");
        rssAfterOpen = peakRssMiB();
        DiscardDevice sink;
        std::uint64_t progressCalls = 0;
        const auto start = Clock::now();
        auto records = (*store)->events(0);
        auto exported = exportRecords(*records, &sink, StreamFormat::Ndjson, {},
                                      [&](const TransferProgress &) {
                                          // Sampled every ~50 ms: the peak of the heap during the export.
                                          if (++progressCalls % 4 == 1)
                                              peakAnon = std::max(peakAnon, statusMiB("RssAnon"));
                                      });
        peakAnon = std::max(peakAnon, statusMiB("RssAnon"));
        exportSeconds = secondsSince(start);
        require(exported.ok(), "export: " + exported.status().message());
        require(exported->records == events, "export count");
        require(std::uint64_t(sink.bytes()) == exported->bytes, "export bytes");
        require(progressCalls >= 1, "progress reported");
        exportedBytes = exported->bytes;
    }
    const double rssAfterExport = peakRssMiB();

    double rawSeconds = 0;
    {
        RawLevelDb raw(path);
        DiscardDevice sink;
        const auto start = Clock::now();
        const std::uint64_t scanned = raw.scanIndex("$all$!", &sink);
        rawSeconds = secondsSince(start);
        require(scanned == events, "raw count");
        // The same bytes: the export copies canonical JSON through.
        require(std::uint64_t(sink.bytes()) == exportedBytes, "raw bytes equal export bytes");
    }
    const double rawPerSecond = double(events) / rawSeconds;
    report.row("raw", "raw LevelDB scan ($all$ + Get), floor", double(events), rawSeconds);
    report.row("export", "exportRecords -> NDJSON", double(events), exportSeconds, "events", rawPerSecond);
    report.note("bytes: " + std::to_string(exportedBytes) + "; MiB/s export "
                + std::to_string(int(double(exportedBytes) / exportSeconds / (1 << 20))) + ", raw "
                + std::to_string(int(double(exportedBytes) / rawSeconds / (1 << 20))));
    char rss[128];
    std::snprintf(rss, sizeof rss, "peak RSS after opening: %.1f MiB; after the export: %.1f MiB; after both: %.1f MiB",
                  rssAfterOpen, rssAfterExport, peakRssMiB());
    report.note(rss);
    std::snprintf(rss, sizeof rss, "peak anonymous RSS during the export (heap, no mapped tables): %.1f MiB", peakAnon);
    report.note(rss);
    report.finish(quick);
    return 0;
}
