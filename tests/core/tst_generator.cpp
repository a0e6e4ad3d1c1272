// SampleGenerator: deterministic, valid compact JSON, the promised shape.

#include "rangedb/generator.h"
#include "rangedb/json.h"

#include <QTest>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

using namespace rangedb;

namespace {

std::vector<std::vector<EventRecord>> generateAll(const GeneratorOptions &options, std::size_t max)
{
    SampleGenerator generator(options);
    std::vector<std::vector<EventRecord>> batches;
    for (auto batch = generator.nextBatch(max); !batch.empty(); batch = generator.nextBatch(max))
        batches.push_back(std::move(batch));
    return batches;
}

bool sameEvents(const std::vector<std::vector<EventRecord>> &a, const std::vector<std::vector<EventRecord>> &b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].size() != b[i].size())
            return false;
        for (std::size_t j = 0; j < a[i].size(); ++j) {
            const EventRecord &x = a[i][j];
            const EventRecord &y = b[i][j];
            if (x.aggregateType != y.aggregateType || x.aggregateId != y.aggregateId || x.eventType != y.eventType
                || x.data != y.data || x.metadata != y.metadata)
                return false;
        }
    }
    return true;
}

} // namespace

class TestGenerator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void deterministic();
    void shape_data();
    void shape();
    void validCompactJson();
    void fewEvents();
};

void TestGenerator::deterministic()
{
    GeneratorOptions options;
    options.events = 3000;
    options.streams = 200;
    options.seed = 7;
    const auto a = generateAll(options, 10);
    const auto b = generateAll(options, 10);
    QVERIFY(sameEvents(a, b));
    options.seed = 8;
    QVERIFY(!sameEvents(a, generateAll(options, 10)));
}

void TestGenerator::shape_data()
{
    QTest::addColumn<int>("types");
    QTest::addColumn<int>("streams");
    QTest::addColumn<int>("events");
    QTest::addColumn<int>("max");
    QTest::newRow("defaults") << 10 << 100 << 1000 << 10;
    QTest::newRow("1000 streams") << 10 << 1000 << 20000 << 10;
    QTest::newRow("3 types, batches of 1") << 3 << 30 << 500 << 1;
    QTest::newRow("1 type, big batches") << 1 << 5 << 2000 << 100;
}

void TestGenerator::shape()
{
    QFETCH(int, types);
    QFETCH(int, streams);
    QFETCH(int, events);
    QFETCH(int, max);
    GeneratorOptions options;
    options.aggregateTypes = types;
    options.streams = std::uint64_t(streams);
    options.events = std::uint64_t(events);
    SampleGenerator generator(options);

    std::map<std::string, std::set<std::string>> eventTypes;
    std::set<std::string> streamNames;
    std::map<std::string, std::string> firstEventOfStream;
    std::uint64_t total = 0;
    for (auto batch = generator.nextBatch(std::size_t(max)); !batch.empty();
         batch = generator.nextBatch(std::size_t(max))) {
        QVERIFY(batch.size() <= std::size_t(max));
        total += batch.size();
        for (const EventRecord &e : batch) {
            // One stream per batch: a save's worth.
            QCOMPARE(e.aggregateType, batch.front().aggregateType);
            QCOMPARE(e.aggregateId, batch.front().aggregateId);
            QVERIFY(validateAggregateType(e.aggregateType).ok());
            QVERIFY(validateAggregateId(e.aggregateId).ok());
            eventTypes[e.aggregateType].insert(e.eventType);
            const std::string stream = streamName(e.aggregateType, e.aggregateId);
            streamNames.insert(stream);
            firstEventOfStream.emplace(stream, e.eventType);
        }
    }
    QCOMPARE(total, std::uint64_t(events));
    QCOMPARE(generator.produced(), std::uint64_t(events));
    QVERIFY(generator.nextBatch(10).empty());
    QCOMPARE(int(eventTypes.size()), types);
    QCOMPARE(int(streamNames.size()), streams);
    for (const auto &[type, names] : eventTypes) {
        QVERIFY2(names.size() >= 3 && names.size() <= 5, type.c_str());
    }
    // Every stream starts with its aggregate's opening event, the same for all streams of a type.
    std::map<std::string, std::set<std::string>> openings;
    for (const auto &[stream, first] : firstEventOfStream)
        openings[stream.substr(0, stream.find('!'))].insert(first);
    for (const auto &[type, firsts] : openings)
        QCOMPARE(firsts.size(), std::size_t(1));
    if (types == 10) {
        QCOMPARE(*openings["account"].begin(), std::string("AccountWasOpened"));
        QVERIFY(eventTypes["account"].count("DepositWasMade"));
        QVERIFY(eventTypes["order"].count("OrderWasPlaced"));
    }
}

void TestGenerator::validCompactJson()
{
    GeneratorOptions options;
    options.events = 20000;
    options.streams = 1000;
    SampleGenerator generator(options);
    bool sawUnicode = false;
    bool sawDecimal = false;
    bool sawArray = false;
    bool sawNullMetadata = false;
    bool sawObjectMetadata = false;
    std::size_t smallest = SIZE_MAX;
    std::size_t largest = 0;
    for (auto batch = generator.nextBatch(10); !batch.empty(); batch = generator.nextBatch(10)) {
        for (const EventRecord &e : batch) {
            // Valid, and already in the form the store keeps: normalize changes nothing.
            const auto data = json::normalize(e.data, "data");
            QVERIFY2(data.ok(), (data.status().message() + ": " + e.data).c_str());
            QCOMPARE(*data, e.data);
            const auto metadata = json::normalize(e.metadata, "metadata");
            QVERIFY2(metadata.ok(), e.metadata.c_str());
            QCOMPARE(*metadata, e.metadata);
            QCOMPARE(e.data.front(), '{');
            smallest = std::min(smallest, e.data.size());
            largest = std::max(largest, e.data.size());
            sawUnicode = sawUnicode || std::any_of(e.data.begin(), e.data.end(), [](char c) { return c & 0x80; });
            sawDecimal = sawDecimal || e.data.find(".") != std::string::npos;
            sawArray = sawArray || e.data.find('[') != std::string::npos;
            sawNullMetadata = sawNullMetadata || e.metadata == "null";
            sawObjectMetadata = sawObjectMetadata || e.metadata.find("\"correlationID\"") != std::string::npos;
        }
    }
    QVERIFY2(smallest >= 100, std::to_string(smallest).c_str());
    QVERIFY2(largest <= 500, std::to_string(largest).c_str());
    QVERIFY(sawUnicode);
    QVERIFY(sawDecimal);
    QVERIFY(sawArray);
    QVERIFY(sawNullMetadata);
    QVERIFY(sawObjectMetadata);
}

void TestGenerator::fewEvents()
{
    GeneratorOptions options;
    options.events = 0;
    QVERIFY(SampleGenerator(options).nextBatch(10).empty());
    options.events = 3;
    options.streams = 100;
    SampleGenerator generator(options);
    QVERIFY(generator.nextBatch(0).empty());
    std::uint64_t total = 0;
    for (auto batch = generator.nextBatch(10); !batch.empty(); batch = generator.nextBatch(10))
        total += batch.size();
    QCOMPARE(total, std::uint64_t(3));
}

QTEST_GUILESS_MAIN(TestGenerator)
#include "tst_generator.moc"
