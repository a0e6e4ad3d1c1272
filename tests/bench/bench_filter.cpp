// RecordFilter::matches over generated records in memory: plain words (raw text search),
// envelope conditions, and field conditions that parse data, next to a floor of one
// std::string::find over the data text. No store: this is the per-record cost a search adds.
// --quick: a smoke run of a few seconds.

#include "benchutil.h"

#include "rangedb/generator.h"
#include "rangedb/recordfilter.h"

#include <QCoreApplication>

#include <algorithm>

using namespace rangedb;
using namespace rangedb::bench;

namespace {

std::vector<Record> makeRecords(std::uint64_t count)
{
    GeneratorOptions options;
    options.events = count;
    options.streams = std::max<std::uint64_t>(1, count / 20);
    SampleGenerator generator(options);
    std::vector<Record> records;
    records.reserve(count);
    for (auto batch = generator.nextBatch(10); !batch.empty(); batch = generator.nextBatch(10)) {
        for (EventRecord &e : batch) {
            Record r;
            r.aggregateType = std::move(e.aggregateType);
            r.aggregateId = std::move(e.aggregateId);
            r.eventType = std::move(e.eventType);
            r.data = *json::normalize(e.data);
            r.metadata = *json::normalize(e.metadata);
            r.globalSequenceNumber = records.size() + 1;
            r.streamSequenceNumber = 1;
            r.insertTimestamp = 1700000000 + records.size();
            r.eventId = "0123456789abcdef0123456789abcdef";
            records.push_back(std::move(r));
        }
    }
    return records;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const bool quick = quickMode();
    const std::uint64_t count = quick ? 20000 : 500000;
    const int repetitions = quick ? 1 : 5;
    Report report("bench_filter");
    const std::vector<Record> records = makeRecords(count);
    require(records.size() == count, "generated records");
    std::size_t dataBytes = 0;
    for (const Record &r : records)
        dataBytes += r.data.size() + r.metadata.size();
    std::printf("%zu records, %.1f bytes of data+metadata on average%s\n", records.size(),
                double(dataBytes) / double(records.size()), quick ? " [quick]" : "");

    report.section("RecordFilter::matches, records in memory");
    std::size_t floorHits = 0;
    const double floorSeconds = medianSeconds(repetitions, [&] { floorHits = 0; }, [&] {
        for (const Record &r : records)
            floorHits += r.data.find("premium") != std::string::npos ? 1 : 0;
    });
    require(floorHits > 0 && floorHits < count, "floor found some records");
    const double floorRate = double(count) / floorSeconds;
    report.row("floor_find", "floor: std::string::find(\"premium\") in data", double(count), floorSeconds, "records");

    const std::size_t accountOpened = std::size_t(std::count_if(records.begin(), records.end(), [](const Record &r) {
        return r.eventType == "AccountWasOpened";
    }));
    const struct
    {
        const char *key;
        const char *query;
    } cases[] = {
        {"word_ascii", "premium"},
        {"word_unicode", "zürich"},
        {"envelope_eq", "eventType = AccountWasOpened"},
        {"field_nested_eq", "address.city = \"Zürich\""},
        {"field_array_ge", "items[0].qty >= 3"},
        {"field_absent_key", "exists(noSuchMember)"},
        {"field_or_word", "items[0].qty >= 3 or premium"},
    };
    for (const auto &c : cases) {
        const auto filter = RecordFilter::parse(c.query);
        require(filter.ok(), std::string("parse ") + c.query);
        std::size_t hits = 0;
        const double seconds = medianSeconds(repetitions, [&] { hits = 0; }, [&] {
            for (const Record &r : records)
                hits += filter->matches(r) ? 1 : 0;
        });
        const std::string key = c.key;
        if (key == "word_ascii")
            require(hits >= floorHits, "a case-insensitive search finds at least the exact hits");
        if (key == "envelope_eq")
            require(hits == accountOpened, "envelope condition agrees with a direct count");
        if (key == "field_absent_key")
            require(hits == 0, "no record has the absent member");
        else
            require(hits > 0, std::string("some records match ") + c.query);
        report.row(key, std::string(c.query) + " (" + std::to_string(hits) + " hits)", double(count), seconds,
                   "records", floorRate);
    }
    report.finish(quick);
    return 0;
}
