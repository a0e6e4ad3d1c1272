// bench_rangedb: rangedb v0.12.0's own benchmark workloads (reference section 7), ported:
// Save and OptimisticSave N at a time, the queries on 10,000 events, the record
// serializers and the record io-streams. No arguments: the full run; --quick: a smoke run.
//
// One difference from rangedb: its io-stream write benchmark builds its input iterator
// once, so only its first iteration writes N records; here every iteration writes N.

#include "benchutil.h"

#include "rangedb/codec.h"
#include "rangedb/leveldbstore.h"
#include "rangedb/recordstream.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFile>
#include <QTemporaryDir>

using namespace rangedb;
using namespace rangedb::bench;

namespace {

std::unique_ptr<LevelDbStore> openStore(const QString &path)
{
    LevelDbOptions options;
    options.createIfMissing = true;
    auto store = LevelDbStore::open(QFile::encodeName(path).toStdString(), options);
    require(store.ok(), "open store: " + store.status().message());
    return std::move(store).value();
}

EventRecord thingWasDone(const std::string &id, std::uint64_t number)
{
    EventRecord e;
    e.aggregateType = "thing";
    e.aggregateId = id;
    e.eventType = "ThingWasDone";
    e.data = "{\"id\":\"" + id + "\",\"number\":" + std::to_string(number) + "}";
    return e;
}

// google/uuid's String() form: 36 characters with hyphens, as rangedb's query benchmark uses.
std::string hyphenatedUuid(std::uint64_t n)
{
    const std::string hex = Workload::hexId(n);
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-"
        + hex.substr(20, 12);
}

// rangedb's serializer benchmark record.
Record benchmarkRecord(std::uint64_t sequence = 1)
{
    Record r;
    r.aggregateType = "thing";
    r.aggregateId = "c2077176843a49189ae0d746eb131e05";
    r.globalSequenceNumber = sequence;
    r.streamSequenceNumber = sequence;
    r.insertTimestamp = 0;
    r.eventId = "0899fed048964c2f9c398d7ef623f0c7";
    r.eventType = "ThingWasDone";
    r.data = "{\"id\":\"c2077176843a49189ae0d746eb131e05\",\"number\":100}";
    return r;
}

void saveBenchmarks(Report &report, bool quick, int repetitions)
{
    report.section("Store: Save / OptimisticSave N at a time (one growing stream, fresh store per run)");
    const std::string id = "eb4b1c61fa344272a61e039cc4247258";
    for (const std::size_t n : {1, 5, 10, 50}) {
        std::vector<EventRecord> records;
        for (std::size_t i = 0; i < n; ++i)
            records.push_back(thingWasDone(id, i));
        const std::uint64_t calls = std::max<std::uint64_t>((quick ? 2000 : 20000) / n, 200);
        std::unique_ptr<QTemporaryDir> dir;
        std::unique_ptr<LevelDbStore> store;
        const auto fresh = [&] {
            store.reset();
            dir = std::make_unique<QTemporaryDir>();
            store = openStore(dir->path());
        };
        const double save = medianSeconds(repetitions, fresh, [&] {
            for (std::uint64_t c = 0; c < calls; ++c) {
                auto saved = store->save(records);
                require(saved.ok() && saved->lastStreamSequenceNumber == (c + 1) * n, "save");
            }
        });
        report.row("save" + std::to_string(n), "Save " + std::to_string(n) + " at a time", double(calls), save,
                   "calls");
        const double optimistic = medianSeconds(repetitions, fresh, [&] {
            for (std::uint64_t c = 0; c < calls; ++c) {
                auto saved = store->optimisticSave(c * n, records);
                require(saved.ok() && saved->lastStreamSequenceNumber == (c + 1) * n, "optimistic save");
            }
        });
        report.row("optimisticSave" + std::to_string(n), "Optimistic Save " + std::to_string(n) + " at a time",
                   double(calls), optimistic, "calls");
        store.reset();
    }
}

void queryBenchmarks(Report &report, bool quick, int repetitions)
{
    report.section("Store: Queries on 10,000 events (1,000 streams x 10)");
    QTemporaryDir dir;
    auto store = openStore(dir.path());
    std::string lastStream;
    for (std::uint64_t s = 0; s < 1000; ++s) {
        const std::string id = hyphenatedUuid(s);
        std::vector<EventRecord> records;
        for (std::uint64_t number = 0; number < 10; ++number)
            records.push_back(thingWasDone(id, number));
        require(store->save(records).ok(), "preload");
        lastStream = streamName("thing", id);
    }
    const int loops = quick ? 20 : 500;
    const auto count = [](RecordIteratorPtr it) {
        std::uint64_t n = 0;
        while (it->next())
            ++n;
        require(it->error().ok(), "iterator: " + it->error().message());
        return n;
    };
    double t = medianSeconds(repetitions, {}, [&] {
        for (int i = 0; i < loops; ++i)
            require(count(store->events(9001)) == 1000, "Events(9001) yields 1000");
    });
    report.row("queries.events", "Events(9001) -> 1,000 records", loops, t, "queries");
    t = medianSeconds(repetitions, {}, [&] {
        for (int i = 0; i < loops; ++i)
            require(count(store->eventsByAggregateTypes(9001, {"thing"})) == 1000, "EventsByAggregateTypes");
    });
    report.row("queries.eventsByAggregateTypes", "EventsByAggregateTypes(9001, thing) -> 1,000", loops, t,
               "queries");
    const int streamLoops = loops * 40;
    t = medianSeconds(repetitions, {}, [&] {
        for (int i = 0; i < streamLoops; ++i)
            require(count(store->eventsByStream(0, lastStream)) == 10, "EventsByStream yields 10");
    });
    report.row("queries.eventsByStream", "EventsByStream(last stream) -> 10", streamLoops, t, "queries");
    t = medianSeconds(repetitions, {}, [&] {
        for (int i = 0; i < streamLoops; ++i) {
            auto total = store->totalEventsInStream(lastStream);
            require(total.ok() && *total == 10, "TotalEventsInStream = 10");
        }
    });
    report.row("queries.totalEventsInStream", "TotalEventsInStream(last stream) = 10", streamLoops, t, "queries");
}

void serializerBenchmarks(Report &report, bool quick, int repetitions)
{
    report.section("Serializer: the benchmark record");
    const Record record = benchmarkRecord();
    const int loops = quick ? 20000 : 500000;
    const std::string json = codec::toJson(record);
    std::string msgpack;
    require(codec::appendMsgpack(msgpack, record).ok(), "msgpack encode");

    std::string out;
    double t = medianSeconds(repetitions, {}, [&] {
        for (int i = 0; i < loops; ++i) {
            out.clear();
            codec::appendJson(out, record);
        }
    });
    require(out == json, "json serialize");
    report.row("serializer.json.serialize", "json Serialize", loops, t, "records");
    Record decoded;
    t = medianSeconds(repetitions, {}, [&] {
        for (int i = 0; i < loops; ++i)
            require(codec::decodeJson(json, decoded).ok(), "json deserialize");
    });
    require(decoded == record, "json round trip");
    report.row("serializer.json.deserialize", "json Deserialize", loops, t, "records");
    t = medianSeconds(repetitions, {}, [&] {
        for (int i = 0; i < loops; ++i) {
            out.clear();
            require(codec::appendMsgpack(out, record).ok(), "msgpack serialize");
        }
    });
    require(out == msgpack, "msgpack serialize");
    report.row("serializer.msgpack.serialize", "msgpack Serialize", loops, t, "records");
    decoded = Record();
    t = medianSeconds(repetitions, {}, [&] {
        for (int i = 0; i < loops; ++i)
            require(codec::decodeMsgpack(msgpack, decoded).ok(), "msgpack deserialize");
    });
    require(decoded == record, "msgpack round trip");
    report.row("serializer.msgpack.deserialize", "msgpack Deserialize", loops, t, "records");
}

void ioStreamBenchmarks(Report &report, bool quick, int repetitions)
{
    for (const StreamFormat format : {StreamFormat::JsonArray, StreamFormat::Ndjson, StreamFormat::Msgpack}) {
        const std::string name = streamFormatName(format);
        report.section("Io-stream " + name + ": Read / Write N records");
        for (const std::uint64_t n : {1, 10, 100, 1000}) {
            std::vector<Record> records;
            for (std::uint64_t i = 1; i <= n; ++i)
                records.push_back(benchmarkRecord(i));
            const std::uint64_t loops = std::max<std::uint64_t>((quick ? 20000 : 400000) / n, 20);

            QByteArray written;
            double t = medianSeconds(repetitions, {}, [&] {
                for (std::uint64_t l = 0; l < loops; ++l) {
                    // A fresh input every iteration (rangedb's reuses an exhausted one).
                    auto it = makeVectorIterator(records);
                    DiscardDevice sink;
                    RecordWriter writer(&sink, format);
                    while (it->next())
                        require(writer.write(*it->record()).ok(), "io-stream write");
                    require(writer.finish().ok() && writer.recordsWritten() == n, "io-stream wrote N");
                }
            });
            report.row("iostream." + name + ".write" + std::to_string(n), "Write " + std::to_string(n) + " records",
                       double(loops), t, "calls");

            {
                QBuffer buffer(&written);
                buffer.open(QIODevice::WriteOnly);
                RecordWriter writer(&buffer, format);
                for (const Record &r : records)
                    require(writer.write(r).ok(), "prepare");
                require(writer.finish().ok(), "prepare finish");
            }
            t = medianSeconds(repetitions, {}, [&] {
                for (std::uint64_t l = 0; l < loops; ++l) {
                    QBuffer buffer(&written);
                    buffer.open(QIODevice::ReadOnly);
                    RecordReader reader(&buffer, format);
                    std::uint64_t count = 0;
                    while (reader.next())
                        ++count;
                    require(reader.status().ok() && count == n, "io-stream read N");
                }
            });
            report.row("iostream." + name + ".read" + std::to_string(n), "Read " + std::to_string(n) + " records",
                       double(loops), t, "calls");
        }
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const bool quick = quickMode();
    const int repetitions = quick ? 1 : 3;
    Report report("bench_rangedb");
    std::printf("bench_rangedb: rangedb v0.12.0's benchmark workloads on LevelDbStore and the codecs "
                "(median of %d)%s\n",
                repetitions, quick ? " [quick]" : "");
    saveBenchmarks(report, quick, repetitions);
    queryBenchmarks(report, quick, repetitions);
    serializerBenchmarks(report, quick, repetitions);
    ioStreamBenchmarks(report, quick, repetitions);
    report.finish(quick);
    return 0;
}
