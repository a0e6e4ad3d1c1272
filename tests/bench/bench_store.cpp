// bench_store: LevelDbStore saves, reads and exports on 20,000 and 100,000 events in
// 1,000 streams of 10 aggregate types (rangedb's benchmark event shape), each next to its
// floor, plain LevelDB doing the same key and value work. No arguments: the full run;
// --quick: a smoke run of a few seconds.

#include "benchutil.h"
#include "rawleveldb.h"

#include "rangedb/leveldbstore.h"
#include "rangedb/recordstream.h"

#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>

#include <memory>

using namespace rangedb;
using namespace rangedb::bench;

namespace {

struct Settings
{
    bool quick = false;
    int writeRepetitions = 5;
    int readRepetitions = 5;
    std::uint64_t durableEvents = 2000;
};

std::unique_ptr<LevelDbStore> openStore(const QString &path, bool durable = false)
{
    LevelDbOptions options;
    options.createIfMissing = true;
    options.durable = durable;
    auto store = LevelDbStore::open(QFile::encodeName(path).toStdString(), options);
    require(store.ok(), "open store: " + store.status().message());
    return std::move(store).value();
}

// Saves `count` events, `perCall` per save, event batch b going to stream b % streams.
void saveEvents(Store &store, const Workload &workload, std::uint64_t count, std::size_t perCall)
{
    std::vector<EventRecord> records;
    std::uint64_t last = 0;
    for (std::uint64_t first = 0; first < count; first += perCall) {
        records.clear();
        const std::uint64_t stream = workload.streamOf(first / perCall);
        for (std::uint64_t i = first; i < std::min<std::uint64_t>(first + perCall, count); ++i)
            records.push_back(workload.event(stream, i));
        auto saved = store.save(records);
        require(saved.ok(), "save: " + saved.status().message());
        last = saved->lastGlobalSequenceNumber;
    }
    require(last == count, "saved " + std::to_string(last) + " of " + std::to_string(count));
}

std::uint64_t drain(RecordIterator &it, std::uint64_t *bytes = nullptr)
{
    std::uint64_t records = 0;
    std::uint64_t size = 0;
    while (it.next()) {
        ++records;
        size += it.record()->data.size();
    }
    require(it.error().ok(), "iterator: " + it.error().message());
    if (bytes)
        *bytes = size;
    return records;
}

// The CLI's export loop (app/cli/transfer.cpp): canonical JSON values are copied through.
std::uint64_t exportAll(Store &store, QIODevice *device, StreamFormat format)
{
    auto it = store.events(0);
    RecordWriter writer(device, format);
    const bool json = format != StreamFormat::Msgpack;
    while (it->next()) {
        const Status s = writer.write(*it->record(), json && it->rawIsCanonicalJson() ? it->rawValue()
                                                                                    : std::string_view());
        require(s.ok(), "export write: " + s.message());
    }
    require(it->error().ok(), "export read: " + it->error().message());
    require(writer.finish().ok(), "export finish");
    return writer.recordsWritten();
}

void runSize(Report &report, const Settings &settings, std::uint64_t events)
{
    const Workload workload;
    const std::string n = std::to_string(events);
    const double eventCount = double(events);
    report.section(n + " events, " + std::to_string(workload.streams) + " streams of 10 aggregate types");

    // ---- writes ----------------------------------------------------------------------
    std::unique_ptr<QTemporaryDir> dir;
    const auto freshDir = [&] { dir = std::make_unique<QTemporaryDir>(); require(dir->isValid(), "temp dir"); };

    const double rawOne = medianSeconds(settings.writeRepetitions, freshDir, [&] {
        RawLevelDb raw(QFile::encodeName(dir->path()).toStdString());
        raw.writeEvents(workload, events, 1, false);
    });
    report.row(n + ".floor.write1", "floor: raw LevelDB, 4 keys, 1 event per WriteBatch", eventCount, rawOne);
    const double rawTen = medianSeconds(settings.writeRepetitions, freshDir, [&] {
        RawLevelDb raw(QFile::encodeName(dir->path()).toStdString());
        raw.writeEvents(workload, events, 10, false);
    });
    report.row(n + ".floor.write10", "floor: raw LevelDB, 10 events per WriteBatch", eventCount, rawTen);
    const std::uint64_t durable = std::min(settings.durableEvents, events);
    const double rawSync = medianSeconds(settings.writeRepetitions, freshDir, [&] {
        RawLevelDb raw(QFile::encodeName(dir->path()).toStdString());
        raw.writeEvents(workload, durable, 1, true);
    });
    report.row(n + ".floor.write1sync", "floor: raw LevelDB, 1 event per WriteBatch, sync (" + std::to_string(durable)
                   + ")",
               double(durable), rawSync);

    const double saveOne = medianSeconds(settings.writeRepetitions, freshDir, [&] {
        auto store = openStore(dir->path());
        saveEvents(*store, workload, events, 1);
    });
    report.row(n + ".save1", "save, 1 event per call", eventCount, saveOne, "events", eventCount / rawOne);
    const double saveTen = medianSeconds(settings.writeRepetitions, freshDir, [&] {
        auto store = openStore(dir->path());
        saveEvents(*store, workload, events, 10);
    });
    report.row(n + ".save10", "save, 10 events per call (vs 10 per batch)", eventCount, saveTen, "events",
               eventCount / rawTen);
    const double saveDurable = medianSeconds(settings.writeRepetitions, freshDir, [&] {
        auto store = openStore(dir->path(), true);
        saveEvents(*store, workload, durable, 1);
    });
    report.row(n + ".save1durable", "save, 1 event per call, --durable (" + std::to_string(durable) + ")",
               double(durable), saveDurable, "events", double(durable) / rawSync);

    // ---- reads on one database filled by 1-per-call saves --------------------------------
    freshDir();
    const std::string path = QFile::encodeName(dir->path()).toStdString();
    {
        auto store = openStore(dir->path());
        saveEvents(*store, workload, events, 1);
    }
    const std::string oneStream = streamName(workload.typeOfStream(0), workload.idOfStream(0));
    const std::uint64_t perStream = events / workload.streams;
    const std::string oneType = Workload::aggregateType(3);
    double rawScanDiscard = 0;
    double rawScanFile = 0;
    double rawStream = 0;
    double rawType = 0;
    double rawScanDecode = 0;
    double rawStreamDecode = 0;
    {
        RawLevelDb raw(path);
        rawScanDiscard = medianSeconds(settings.readRepetitions, {}, [&] {
            DiscardDevice sink;
            require(raw.scanIndex("$all$!", &sink) == events, "raw scan count");
        });
        QTemporaryDir out;
        rawScanFile = medianSeconds(settings.readRepetitions, {}, [&] {
            QFile file(out.filePath(QStringLiteral("raw.ndjson")));
            require(file.open(QIODevice::WriteOnly | QIODevice::Truncate), "open raw sink");
            require(raw.scanIndex("$all$!", &file) == events, "raw scan count");
        });
        rawStream = medianSeconds(settings.readRepetitions, {}, [&] {
            for (int i = 0; i < 1000; ++i)
                require(raw.scanStream(oneStream) == perStream, "raw stream count");
        });
        rawScanDecode = medianSeconds(settings.readRepetitions, {}, [&] {
            DiscardDevice sink;
            require(raw.scanIndex("$all$!", &sink, true) == events, "raw scan count");
        });
        rawStreamDecode = medianSeconds(settings.readRepetitions, {}, [&] {
            for (int i = 0; i < 1000; ++i)
                require(raw.scanStream(oneStream, true) == perStream, "raw stream count");
        });
        rawType = medianSeconds(settings.readRepetitions, {}, [&] {
            DiscardDevice sink;
            require(raw.scanIndex("$" + oneType + "$!", &sink) == events / 10, "raw type count");
        });
    }
    report.row(n + ".floor.scan", "floor: raw scan $all$! + Get, to a discarding device", eventCount, rawScanDiscard);
    report.row(n + ".floor.scanFile", "floor: raw scan $all$! + Get, to a file", eventCount, rawScanFile);
    report.row(n + ".floor.stream", "floor: raw scan of one " + std::to_string(perStream) + "-event stream x1000",
               1000, rawStream, "streams");
    report.row(n + ".floor.scanDecode", "floor: raw scan $all$! + Get + codec::decode", eventCount, rawScanDecode);
    report.row(n + ".floor.streamDecode",
               "floor: raw scan of one " + std::to_string(perStream) + "-event stream + decode x1000", 1000,
               rawStreamDecode, "streams");
    report.row(n + ".floor.type", "floor: raw scan $" + oneType + "$! + Get (1 type of 10)", eventCount / 10,
               rawType);

    auto store = openStore(dir->path());
    const double readAll = medianSeconds(settings.readRepetitions, {}, [&] {
        auto it = store->events(0);
        require(drain(*it) == events, "events(0) count");
    });
    report.row(n + ".readAll", "read all events (events(0))", eventCount, readAll, "events",
               eventCount / rawScanDiscard);
    report.row(n + ".readAllVsDecode", "  the same, vs the floor with decode", eventCount, readAll, "events",
               eventCount / rawScanDecode);
    const double readStream = medianSeconds(settings.readRepetitions, {}, [&] {
        for (int i = 0; i < 1000; ++i) {
            auto it = store->eventsByStream(0, oneStream);
            require(drain(*it) == perStream, "eventsByStream count");
        }
    });
    report.row(n + ".readStream", "read one " + std::to_string(perStream) + "-event stream x1000", 1000, readStream,
               "streams", 1000 / rawStream);
    report.row(n + ".readStreamVsDecode", "  the same, vs the floor with decode", 1000, readStream, "streams",
               1000 / rawStreamDecode);
    const double readType = medianSeconds(settings.readRepetitions, {}, [&] {
        auto it = store->eventsByAggregateTypes(0, {oneType});
        require(drain(*it) == events / 10, "eventsByAggregateTypes count");
    });
    report.row(n + ".readType", "events of one aggregate type of 10", eventCount / 10, readType, "events",
               eventCount / 10 / rawType);

    // Global-order reads keep a cursor on each of up to 1,024 interleaved streams; with
    // 10,000 streams saved round robin every record is a Get again, as before the cursors.
    {
        Workload wide;
        wide.streams = 10000;
        QTemporaryDir wideDir;
        require(wideDir.isValid(), "temp dir");
        {
            auto wideStore = openStore(wideDir.path());
            saveEvents(*wideStore, wide, events, 1);
        }
        double rawWide = 0;
        {
            RawLevelDb raw(QFile::encodeName(wideDir.path()).toStdString());
            rawWide = medianSeconds(settings.readRepetitions, {}, [&] {
                DiscardDevice sink;
                require(raw.scanIndex("$all$!", &sink) == events, "raw scan count");
            });
        }
        report.row(n + ".floor.scanWide", "floor: raw scan $all$! + Get, 10,000 streams", eventCount, rawWide);
        auto wideStore = openStore(wideDir.path());
        const double readWide = medianSeconds(settings.readRepetitions, {}, [&] {
            auto it = wideStore->events(0);
            require(drain(*it) == events, "events(0) count");
        });
        report.row(n + ".readAllWide", "read all events, 10,000 streams round robin", eventCount, readWide, "events",
                   eventCount / rawWide);
    }

    for (const StreamFormat format : {StreamFormat::JsonArray, StreamFormat::Ndjson, StreamFormat::Msgpack}) {
        const std::string name = streamFormatName(format);
        const double toDiscard = medianSeconds(settings.readRepetitions, {}, [&] {
            DiscardDevice sink;
            require(exportAll(*store, &sink, format) == events, "export count");
        });
        report.row(n + ".export." + name, "export " + name + " to a discarding device", eventCount, toDiscard,
                   "events", eventCount / rawScanDiscard);
        QTemporaryDir out;
        const double toFile = medianSeconds(settings.readRepetitions, {}, [&] {
            QFile file(out.filePath(QStringLiteral("export")));
            require(file.open(QIODevice::WriteOnly | QIODevice::Truncate), "open export file");
            require(exportAll(*store, &file, format) == events, "export count");
        });
        report.row(n + ".exportFile." + name, "export " + name + " to a file", eventCount, toFile, "events",
                   eventCount / rawScanFile);
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    Settings settings;
    settings.quick = quickMode();
    std::vector<std::uint64_t> sizes = {20000, 100000};
    if (settings.quick) {
        settings.writeRepetitions = 1;
        settings.readRepetitions = 1;
        settings.durableEvents = 200;
        sizes = {5000};
    }
    Report report("bench_store");
    std::printf("bench_store: LevelDbStore against raw LevelDB (median of %d write / %d read repetitions)%s\n",
                settings.writeRepetitions, settings.readRepetitions, settings.quick ? " [quick]" : "");
    std::printf("vs floor = store rate / floor rate (1.00x: no overhead; 0.50x: half the floor's speed)\n");
    for (const std::uint64_t size : sizes)
        runSize(report, settings, size);
    report.finish(settings.quick);
    return 0;
}
