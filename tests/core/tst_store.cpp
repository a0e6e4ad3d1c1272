// The rangedb v0.12.0 store conformance suite (reference §5.2, cases #1-#45), plus the
// places where this port deliberately differs from rangedb (reference §10). Every test
// runs on four stores, one global data row each: MemoryStore and LevelDbStore, each with
// the JSON and the msgpack serializer. Each test gets a fresh, empty store with a
// sequential clock (0, 1, 2, ...) and a recording event-ID generator, so expected records
// can name "the n-th generated ID" as rangedb's tests do.

#include "rangedb/codec.h"
#include "rangedb/json.h"
#include "rangedb/leveldbstore.h"
#include "rangedb/memorystore.h"
#include "rangedb/store.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <limits>
#include <mutex>
#include <random>
#include <thread>

using namespace rangedb;
using namespace std::chrono_literals;

enum class StoreKind { MemoryJson, MemoryMsgpack, LevelDbJson, LevelDbMsgpack };
Q_DECLARE_METATYPE(StoreKind)

namespace {

QString qs(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QByteArray describe(const Status &status)
{
    return QByteArray(errorCodeName(status.code())) + ": " + QByteArray::fromStdString(status.message());
}

// rangedb's seeded UUID generator: real-looking random short UUIDs from a fixed seed,
// each one recorded so that a test can ask for the n-th (1-based). Thread-safe, because
// a subscriber may save from its worker thread (#42).
class RecordingUuidGenerator
{
public:
    explicit RecordingUuidGenerator(std::uint64_t seed) : m_random(seed) {}

    std::string generate()
    {
        std::lock_guard lock(m_mutex);
        std::uint64_t high = m_random();
        std::uint64_t low = m_random();
        high = (high & 0xffffffffffff0fffULL) | 0x0000000000004000ULL; // version 4
        low = (low & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;   // variant 10xx
        static constexpr char hex[] = "0123456789abcdef";
        std::string id(32, '0');
        for (int i = 0; i < 16; ++i) {
            id[std::size_t(i)] = hex[(high >> (60 - 4 * i)) & 0xf];
            id[std::size_t(16 + i)] = hex[(low >> (60 - 4 * i)) & 0xf];
        }
        m_generated.push_back(id);
        return id;
    }

    // The n-th generated ID (1-based), or "" when fewer were generated.
    std::string get(std::size_t n) const
    {
        std::lock_guard lock(m_mutex);
        return n >= 1 && n <= m_generated.size() ? m_generated[n - 1] : std::string();
    }

private:
    mutable std::mutex m_mutex;
    std::mt19937_64 m_random;             // GUARDED_BY(m_mutex)
    std::vector<std::string> m_generated; // GUARDED_BY(m_mutex)
};

// rangedb's test events (reference §8.1), as the JSON text their Go structs marshal to.
EventRecord thing(const std::string &id, long long number)
{
    return {"thing", id, "ThingWasDone",
            R"({"id":")" + id + R"(","number":)" + std::to_string(number) + "}", "null"};
}

EventRecord another(const std::string &id)
{
    return {"another", id, "AnotherWasComplete", R"({"id":")" + id + R"("})", "null"};
}

EventRecord that(const std::string &id)
{
    return {"that", id, "ThatWasDone", R"({"ID":")" + id + R"("})", "null"};
}

// rangedb's failing event (#26/#27): here a second record whose data is not JSON, so
// the save fails while handling it, after the first record was prepared.
EventRecord failingThing(const std::string &id)
{
    return {"thing", id, "UnmarshalWillHaveFailed", "{bad", "null"};
}

long long numberOf(const Record &record)
{
    const auto document = QJsonDocument::fromJson(QByteArray::fromStdString(record.data));
    return document.object().value(QLatin1String("number")).toInteger();
}

struct MissedCall
{
    std::uint64_t count = 0;
    std::uint64_t first = 0;
    std::uint64_t last = 0;
};

// Records what a subscription delivers, for the test thread to wait on. `onAccept`, if
// set, runs on the worker thread before the record is recorded (to block or to save).
class TestSubscriber final : public Subscriber
{
public:
    std::function<void(const Record &)> onAccept;

    void accept(const Record &record) override
    {
        if (onAccept)
            onAccept(record);
        {
            std::lock_guard lock(m_mutex);
            m_records.push_back(record);
        }
        m_changed.notify_all();
    }

    void missed(std::uint64_t count, std::uint64_t firstMissed, std::uint64_t lastMissed) override
    {
        {
            std::lock_guard lock(m_mutex);
            m_missed.push_back({count, firstMissed, lastMissed});
            m_missedTotal += count;
        }
        m_changed.notify_all();
    }

    // Waits until at least `count` records arrived; false on timeout.
    bool waitForRecords(std::size_t count, std::chrono::milliseconds timeout = 10s)
    {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, timeout, [&] { return m_records.size() >= count; });
    }

    // Waits until delivered plus reported-missed records reach `count`.
    bool waitForAccounted(std::uint64_t count, std::chrono::milliseconds timeout = 10s)
    {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, timeout, [&] { return m_records.size() + m_missedTotal >= count; });
    }

    std::vector<Record> records() const
    {
        std::lock_guard lock(m_mutex);
        return m_records;
    }
    std::size_t count() const
    {
        std::lock_guard lock(m_mutex);
        return m_records.size();
    }
    std::vector<MissedCall> missedCalls() const
    {
        std::lock_guard lock(m_mutex);
        return m_missed;
    }
    std::uint64_t missedTotal() const
    {
        std::lock_guard lock(m_mutex);
        return m_missedTotal;
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<Record> m_records;    // GUARDED_BY(m_mutex)
    std::vector<MissedCall> m_missed; // GUARDED_BY(m_mutex)
    std::uint64_t m_missedTotal = 0;  // GUARDED_BY(m_mutex)
};

// A one-shot gate a subscriber can wait on (a blocking accept()).
class Gate
{
public:
    void open()
    {
        {
            std::lock_guard lock(m_mutex);
            m_open = true;
        }
        m_changed.notify_all();
    }
    void wait()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [this] { return m_open; });
    }
    bool waitFor(std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(m_mutex);
        return m_changed.wait_for(lock, timeout, [this] { return m_open; });
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_open = false; // GUARDED_BY(m_mutex)
};

} // namespace

// Helpers that use QTest's checks return early on failure; callers re-check with this.
#define CHECKED(expr)                                                                                                  \
    do {                                                                                                               \
        expr;                                                                                                          \
        if (QTest::currentTestFailed())                                                                                \
            return;                                                                                                    \
    } while (false)

#define VERIFY_OK(status)                                                                                              \
    do {                                                                                                               \
        const Status verifyStatus_ = (status);                                                                         \
        QVERIFY2(verifyStatus_.ok(), describe(verifyStatus_).constData());                                             \
    } while (false)

#define VERIFY_ERROR(status, errorCode)                                                                                \
    do {                                                                                                               \
        const Status verifyStatus_ = (status);                                                                         \
        QVERIFY2(verifyStatus_.code() == (errorCode),                                                                  \
                 QByteArray(QByteArray("expected ") + errorCodeName(errorCode) + ", got " + describe(verifyStatus_))   \
                     .constData());                                                                                    \
    } while (false)

class tst_Store : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    // EventsByStream
    void eventsByStream_returns2Events();                                  // #1
    void eventsByStream_returns2EventsFromStreamWith3Events();             // #2
    void eventsByStream_orderedBySequenceNumberLexicographically();        // #3
    void eventsByStream_startingWithSecondEntry();                         // #4
    void eventsByStream_startingWithSecondEntryStopsFromContextDone();     // #5
    void eventsByStream_stopsBeforeSendingWithContextDone();               // #6
    void eventsByStream_errorsWhenStreamDoesNotExist();                    // #7

    // Events
    void events_allEventsOrderedByGlobalSequenceNumber();                  // #8
    void events_allEventsStartingWithSecondEntry();                        // #9
    void events_allEventsStartingWith3rdGlobalEntry();                     // #10
    void events_stopsBeforeSendingWithContextDone();                       // #11
    void events_allEventsStartingWithSecondEntryStopsFromContextDone();    // #12
    void events_returnsNoEventsWhenGlobalSequenceNumberOutOfRange();       // #13

    // EventsByAggregateTypes
    void eventsByAggregateTypes_returns3Events();                          // #14
    void eventsByAggregateTypes_startingWithSecondEntry();                 // #15
    void eventsByAggregateTypes_stopsBeforeSendingWithContextDone();       // #16

    // OptimisticDeleteStream
    void optimisticDeleteStream_deletesAStreamWith2Events();               // #17
    void optimisticDeleteStream_errorsFromWrongExpectedSequenceNumber();   // #18
    void optimisticDeleteStream_errorsWhenStreamDoesNotExist();            // #19
    void optimisticDeleteStream_stopsBeforeDeletingWithContextDone();      // #20 (Go: a second "deletes a stream with 2 events")
    void optimisticDeleteStream_keepsGsnAfterDeletingLast_allEvents();     // #21a
    void optimisticDeleteStream_keepsGsnAfterDeletingLast_byAggregateTypes(); // #21b
    void optimisticDeleteStream_keepsGsnAfterDeletingLast_notInStream();   // #21c

    // OptimisticSave
    void optimisticSave_persists1Event();                                  // #22
    void optimisticSave_persists2ndEventAfter1st();                        // #23
    void optimisticSave_persists2Events();                                 // #24
    void optimisticSave_failsOnFirstEventFromWrongExpectedSequenceNumber(); // #25
    void optimisticSave_failsOn2ndEventWithoutPersisting1st();             // #26
    void optimisticSave_failsOn2ndEventWithoutPersisting1stWithPreviousEvent(); // #27
    void optimisticSave_refusesEventsFromDifferentAggregateTypes();        // #28
    void optimisticSave_refusesEventsFromDifferentStreams();               // #29
    void optimisticSave_stopsBeforeSavingWithContextDone();                // #30
    void optimisticSave_errorsFromMissingEvents();                         // #31

    // Save
    void save_generatesEventId();                                          // #32
    void save_refusesEventsFromDifferentAggregateTypes();                  // #33
    void save_refusesEventsFromDifferentStreams();                         // #34
    void save_stopsBeforeSavingWithContextDone();                          // #35
    void save_errorsFromMissingEvents();                                   // #36

    // AllEventsSubscription
    void allEventsSubscription_sendsNewEventsOnSave();                     // #37
    void allEventsSubscription_stopsBeforeSubscribingWhenStopped();        // #38
    void allEventsSubscription_returnsNoEventsWhenGsnOutOfRange();         // #39

    // AggregateTypesSubscription
    void aggregateTypesSubscription_sendsNewEventsByTypeOnSave();          // #40
    void aggregateTypesSubscription_stopsBeforeSubscribingWhenStopped();   // #41

    // Other top-level cases
    void subscriberDispatchesCommandThatSavesAnotherEvent();               // #42
    void saveEventByValueAndGetItBack();                                   // #43

    // TotalEventsInStream
    void totalEventsInStream_with2EventsInAStream();                       // #44
    void totalEventsInStream_stopsBeforeReturningWithContextDone();        // #45

    // Where this port differs from rangedb on purpose (reference §10).
    void divergence_failedDeleteLeavesWritesWorking();
    void divergence_streamScanIsExact();
    void divergence_nullOrMissingDataReadsBackAsNull();
    void divergence_forbiddenNamesAreRefused_data();
    void divergence_forbiddenNamesAreRefused();
    void divergence_emptyNameIsNoBatchLoophole();
    void divergence_invalidJsonIsRefused();
    void divergence_typeListedTwiceIsListedOnce();
    void iteratorIsASnapshot();
    void defaultHooksUseSystemClockAndRandomIds();
    void rawValueMatchesRecord();
    void exactValuesRoundTrip_data();
    void exactValuesRoundTrip();

    // Subscriptions beyond rangedb's cases.
    void subscription_startFromCatchesUpWhileSavesContinue();
    void subscription_startFromByAggregateType();
    void subscription_slowSubscriberDoesNotSlowSaves();
    void subscription_destructorStopsCleanly();

    // Browse queries, restore.
    void browse_queriesOnKnownDataset();
    void browse_scopeIndex();
    void restore_intoEmptyStore();
    void restore_intoNonEmptyStoreFails();
    void restore_nonIncreasingGsnFails();
    void restore_brokenStreamSequenceFails();
    void restore_publishesOnlyAfterSuccess();

private:
    bool isMsgpack() const
    {
        return m_kind == StoreKind::MemoryMsgpack || m_kind == StoreKind::LevelDbMsgpack;
    }
    StoreHooks hooks();
    std::unique_ptr<Store> openStore(const QString &name);
    std::unique_ptr<Store> openStore(const QString &name, const StoreHooks &hooks);

    Record recordOf(const EventRecord &event, std::uint64_t gsn, std::uint64_t ssn, std::uint64_t timestamp,
                    std::size_t uuidNumber) const;
    void verifyRecord(const Record *actual, const Record &expected);
    void verifyRecordsInIterator(RecordIterator &it, const std::vector<Record> &expected);
    void verifyNoMoreResults(RecordIterator &it);
    void verifyCancelledIterator(RecordIterator &it);
    void verifyStreamNotFound(RecordIterator &it);
    void verifyEmptyStore();
    SaveResult saveEvents(const std::vector<EventRecord> &events);
    void blockingSaveEvents(const std::vector<EventRecord> &events);
    void saveKnownDataset();

    StoreKind m_kind = StoreKind::MemoryJson;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<std::atomic<std::uint64_t>> m_clock;
    std::shared_ptr<RecordingUuidGenerator> m_uuids;
    // Destroyed in this order in cleanup(): subscriptions, their subscribers, the store.
    std::unique_ptr<Store> m_store;
    std::vector<std::unique_ptr<TestSubscriber>> m_helperSubscribers;
    std::vector<std::unique_ptr<Subscription>> m_helperSubscriptions;
};

void tst_Store::initTestCase_data()
{
    QTest::addColumn<StoreKind>("kind");
    QTest::newRow("memory-json") << StoreKind::MemoryJson;
    QTest::newRow("memory-msgpack") << StoreKind::MemoryMsgpack;
    QTest::newRow("leveldb-json") << StoreKind::LevelDbJson;
    QTest::newRow("leveldb-msgpack") << StoreKind::LevelDbMsgpack;
}

void tst_Store::init()
{
    QFETCH_GLOBAL(StoreKind, kind);
    m_kind = kind;
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_clock = std::make_shared<std::atomic<std::uint64_t>>(0);
    m_uuids = std::make_shared<RecordingUuidGenerator>(100);
    m_store = openStore(QStringLiteral("db"));
    QVERIFY(m_store);
}

void tst_Store::cleanup()
{
    m_helperSubscriptions.clear();
    m_helperSubscribers.clear();
    m_store.reset();
    m_dir.reset();
}

StoreHooks tst_Store::hooks()
{
    StoreHooks hooks;
    hooks.clock = [clock = m_clock] { return clock->fetch_add(1); };
    hooks.newEventId = [uuids = m_uuids] { return uuids->generate(); };
    return hooks;
}

std::unique_ptr<Store> tst_Store::openStore(const QString &name)
{
    return openStore(name, hooks());
}

std::unique_ptr<Store> tst_Store::openStore(const QString &name, const StoreHooks &hooks)
{
    switch (m_kind) {
    case StoreKind::MemoryJson:
        return std::make_unique<MemoryStore>(Serializer::Json, hooks);
    case StoreKind::MemoryMsgpack:
        return std::make_unique<MemoryStore>(Serializer::Msgpack, hooks);
    case StoreKind::LevelDbJson:
    case StoreKind::LevelDbMsgpack: {
        LevelDbOptions options;
        options.createIfMissing = true;
        options.serializer = m_kind == StoreKind::LevelDbJson ? Serializer::Json : Serializer::Msgpack;
        options.hooks = hooks;
        auto opened = LevelDbStore::open(m_dir->filePath(name).toStdString(), options);
        if (!opened.ok()) {
            qWarning("cannot open the LevelDB store: %s", describe(opened.status()).constData());
            return nullptr;
        }
        return std::move(opened).value();
    }
    }
    return nullptr;
}

Record tst_Store::recordOf(const EventRecord &event, std::uint64_t gsn, std::uint64_t ssn, std::uint64_t timestamp,
                           std::size_t uuidNumber) const
{
    Record record;
    record.aggregateType = event.aggregateType;
    record.aggregateId = event.aggregateId;
    record.globalSequenceNumber = gsn;
    record.streamSequenceNumber = ssn;
    record.insertTimestamp = timestamp;
    record.eventId = m_uuids->get(uuidNumber);
    record.eventType = event.eventType;
    record.data = event.data;
    record.metadata = event.metadata;
    return record;
}

void tst_Store::verifyRecord(const Record *actual, const Record &expected)
{
    QVERIFY2(actual, "no record");
    QCOMPARE(qs(actual->aggregateType), qs(expected.aggregateType));
    QCOMPARE(qs(actual->aggregateId), qs(expected.aggregateId));
    QCOMPARE(quint64(actual->globalSequenceNumber), quint64(expected.globalSequenceNumber));
    QCOMPARE(quint64(actual->streamSequenceNumber), quint64(expected.streamSequenceNumber));
    QCOMPARE(quint64(actual->insertTimestamp), quint64(expected.insertTimestamp));
    QVERIFY(!expected.eventId.empty());
    QCOMPARE(qs(actual->eventId), qs(expected.eventId));
    QCOMPARE(qs(actual->eventType), qs(expected.eventType));
    // msgpack keeps values, not their text (a float may come back in another form).
    if (isMsgpack()) {
        QVERIFY2(json::equal(actual->data, expected.data),
                 qPrintable(QString(qs(actual->data) + QStringLiteral(" != ") + qs(expected.data))));
        QVERIFY2(json::equal(actual->metadata, expected.metadata),
                 qPrintable(QString(qs(actual->metadata) + QStringLiteral(" != ") + qs(expected.metadata))));
    } else {
        QCOMPARE(qs(actual->data), qs(expected.data));
        QCOMPARE(qs(actual->metadata), qs(expected.metadata));
    }
}

// rangedb's AssertRecordsInIterator: each expected record in turn, then a clean end.
void tst_Store::verifyRecordsInIterator(RecordIterator &it, const std::vector<Record> &expected)
{
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const bool more = it.next();
        QVERIFY2(more, qPrintable(QStringLiteral("record %1 of %2 missing; error: %3")
                                      .arg(i + 1)
                                      .arg(expected.size())
                                      .arg(QString::fromLatin1(describe(it.error())))));
        VERIFY_OK(it.error());
        CHECKED(verifyRecord(it.record(), expected[i]));
    }
    CHECKED(verifyNoMoreResults(it));
}

// rangedb's AssertNoMoreResultsInIterator.
void tst_Store::verifyNoMoreResults(RecordIterator &it)
{
    const bool more = it.next();
    QVERIFY2(!more, more && it.record()
                        ? qPrintable(QStringLiteral("unexpected record gsn %1").arg(it.record()->globalSequenceNumber))
                        : "unexpected record");
    QVERIFY(it.record() == nullptr);
    VERIFY_OK(it.error());
}

// rangedb's assertCanceledIterator: records may still come, then the iterator ends with
// Cancelled, and stays so.
void tst_Store::verifyCancelledIterator(RecordIterator &it)
{
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (it.next())
        QVERIFY2(std::chrono::steady_clock::now() < deadline, "the iterator did not stop within 5 s");
    QVERIFY(it.record() == nullptr);
    VERIFY_ERROR(it.error(), ErrorCode::Cancelled);
    QCOMPARE(qs(it.error().message()), QStringLiteral("context canceled"));
    QVERIFY(!it.next());
    VERIFY_ERROR(it.error(), ErrorCode::Cancelled);
}

void tst_Store::verifyStreamNotFound(RecordIterator &it)
{
    QVERIFY(!it.next());
    QVERIFY(it.record() == nullptr);
    VERIFY_ERROR(it.error(), ErrorCode::StreamNotFound);
    QCOMPARE(qs(it.error().message()), QStringLiteral("stream not found"));
    QVERIFY(!it.next());
    VERIFY_ERROR(it.error(), ErrorCode::StreamNotFound);
}

void tst_Store::verifyEmptyStore()
{
    auto total = m_store->totalEvents();
    VERIFY_OK(total.status());
    QCOMPARE(quint64(*total), quint64(0));
    auto last = m_store->lastGlobalSequenceNumber();
    VERIFY_OK(last.status());
    QCOMPARE(quint64(*last), quint64(0));
    auto it = m_store->events(0);
    CHECKED(verifyNoMoreResults(*it));
}

// rangedb's SaveEvents.
SaveResult tst_Store::saveEvents(const std::vector<EventRecord> &events)
{
    auto saved = m_store->save(events);
    [&] { VERIFY_OK(saved.status()); }();
    return saved.ok() ? *saved : SaveResult{};
}

// rangedb's BlockingSaveEvents: saves while a helper subscription listens, and waits
// until the helper got every saved record, so the store has finished publishing them
// before the test subscribes. The helper subscription lives until cleanup().
void tst_Store::blockingSaveEvents(const std::vector<EventRecord> &events)
{
    auto subscriber = std::make_unique<TestSubscriber>();
    auto subscription = m_store->allEventsSubscription(10, subscriber.get());
    VERIFY_OK(subscription->start());
    TestSubscriber *helper = subscriber.get();
    m_helperSubscribers.push_back(std::move(subscriber));
    m_helperSubscriptions.push_back(std::move(subscription));

    CHECKED(saveEvents(events));
    QVERIFY2(helper->waitForRecords(events.size(), 5s), "the saved records were not published");
}

void tst_Store::eventsByStream_returns2Events()
{
    const auto a1 = thing("f2a3d0f6b24d4a1fb2c0d91a3c2e7b01", 1);
    const auto a2 = thing("f2a3d0f6b24d4a1fb2c0d91a3c2e7b01", 2);
    const auto b = thing("5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e", 3);
    CHECKED(saveEvents({a1, a2}));
    CHECKED(saveEvents({b}));

    auto it = m_store->eventsByStream(0, streamName("thing", a1.aggregateId));
    CHECKED(verifyRecordsInIterator(*it, {recordOf(a1, 1, 1, 0, 1), recordOf(a2, 2, 2, 1, 2)}));
}

void tst_Store::eventsByStream_returns2EventsFromStreamWith3Events()
{
    const std::string id = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    const auto a1 = thing(id, 1), a2 = thing(id, 2), a3 = thing(id, 3);
    CHECKED(saveEvents({a1, a2, a3}));
    CHECKED(saveEvents({thing("5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e", 3)}));

    auto it = m_store->eventsByStream(2, streamName("thing", id));
    CHECKED(verifyRecordsInIterator(*it, {recordOf(a2, 2, 2, 1, 2), recordOf(a3, 3, 3, 2, 3)}));
}

void tst_Store::eventsByStream_orderedBySequenceNumberLexicographically()
{
    // 257 events: stream sequence numbers past 255 sort right only as big-endian keys.
    const std::string id = "0a1b2c3d4e5f40718293a4b5c6d7e8f9";
    std::vector<EventRecord> events;
    for (int i = 0; i <= 256; ++i)
        events.push_back(thing(id, i));
    CHECKED(saveEvents(events));
    std::vector<Record> expected;
    for (int i = 0; i <= 256; ++i) {
        expected.push_back(recordOf(events[std::size_t(i)], std::uint64_t(i + 1), std::uint64_t(i + 1),
                                    std::uint64_t(i), std::size_t(i + 1)));
    }

    auto it = m_store->eventsByStream(0, streamName("thing", id));
    CHECKED(verifyRecordsInIterator(*it, expected));
}

void tst_Store::eventsByStream_startingWithSecondEntry()
{
    const std::string id = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    const auto a1 = thing(id, 1), a2 = thing(id, 2);
    CHECKED(saveEvents({a1, a2}));
    CHECKED(saveEvents({thing("5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e", 3)}));

    auto it = m_store->eventsByStream(2, streamName("thing", id));
    CHECKED(verifyRecordsInIterator(*it, {recordOf(a2, 2, 2, 1, 2)}));
}

void tst_Store::eventsByStream_startingWithSecondEntryStopsFromContextDone()
{
    const std::string id = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    const auto a1 = thing(id, 1), a2 = thing(id, 2), a3 = thing(id, 3), a4 = thing(id, 4);
    CHECKED(saveEvents({a1, a2, a3, a4}));
    CHECKED(saveEvents({thing("5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e", 4)}));
    std::stop_source stop;

    auto it = m_store->eventsByStream(2, streamName("thing", id), stop.get_token());
    QVERIFY(it->next());
    stop.request_stop();

    CHECKED(verifyRecord(it->record(), recordOf(a2, 2, 2, 1, 2)));
    CHECKED(verifyCancelledIterator(*it));
}

void tst_Store::eventsByStream_stopsBeforeSendingWithContextDone()
{
    const std::string id = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    CHECKED(saveEvents({thing(id, 1)}));
    std::stop_source stop;
    stop.request_stop();

    auto it = m_store->eventsByStream(0, streamName("thing", id), stop.get_token());
    CHECKED(verifyCancelledIterator(*it));
}

void tst_Store::eventsByStream_errorsWhenStreamDoesNotExist()
{
    auto it = m_store->eventsByStream(0, "thing!ad62bb76ab5b4bbd8266dfc2c5605fe6");
    CHECKED(verifyStreamNotFound(*it));
}

void tst_Store::events_allEventsOrderedByGlobalSequenceNumber()
{
    const std::string idA = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    const std::string idB = "5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e";
    const auto a1 = thing(idA, 100), b1 = thing(idB, 300), a2 = thing(idA, 200);
    const auto x = another("9e8d7c6b5a4f43e2a1b0c9d8e7f6a5b4");
    CHECKED(saveEvents({a1}));
    CHECKED(saveEvents({b1}));
    CHECKED(saveEvents({a2}));
    CHECKED(saveEvents({x}));

    auto it = m_store->events(0);
    CHECKED(verifyRecordsInIterator(*it, {recordOf(a1, 1, 1, 0, 1), recordOf(b1, 2, 1, 1, 2),
                                          recordOf(a2, 3, 2, 2, 3), recordOf(x, 4, 1, 3, 4)}));
}

void tst_Store::events_allEventsStartingWithSecondEntry()
{
    const std::string id = "7d1c5e0a8b9f4c2d9e3a6b1f0c4d7e2a";
    const auto s1 = thing(id, 1), s2 = thing(id, 2);
    CHECKED(saveEvents({s1, s2}));

    auto it = m_store->events(2);
    CHECKED(verifyRecordsInIterator(*it, {recordOf(s2, 2, 2, 1, 2)}));
}

void tst_Store::events_allEventsStartingWith3rdGlobalEntry()
{
    const std::string idA = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    const std::string idB = "5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e";
    const auto b1 = thing(idB, 3), b2 = thing(idB, 4);
    CHECKED(saveEvents({thing(idA, 1), thing(idA, 2)}));
    CHECKED(saveEvents({b1, b2}));

    auto it = m_store->events(3);
    CHECKED(verifyRecordsInIterator(*it, {recordOf(b1, 3, 1, 2, 3), recordOf(b2, 4, 2, 3, 4)}));
}

void tst_Store::events_stopsBeforeSendingWithContextDone()
{
    CHECKED(saveEvents({thing("7d1c5e0a8b9f4c2d9e3a6b1f0c4d7e2a", 1)}));
    std::stop_source stop;
    stop.request_stop();

    auto it = m_store->events(0, stop.get_token());
    CHECKED(verifyCancelledIterator(*it));
}

void tst_Store::events_allEventsStartingWithSecondEntryStopsFromContextDone()
{
    const std::string id = "7d1c5e0a8b9f4c2d9e3a6b1f0c4d7e2a";
    const auto s1 = thing(id, 1), s2 = thing(id, 2), s3 = thing(id, 3), s4 = thing(id, 4);
    CHECKED(saveEvents({s1, s2, s3, s4}));
    std::stop_source stop;

    auto it = m_store->events(2, stop.get_token());
    QVERIFY(it->next());
    stop.request_stop();

    CHECKED(verifyRecord(it->record(), recordOf(s2, 2, 2, 1, 2)));
    CHECKED(verifyCancelledIterator(*it));
}

void tst_Store::events_returnsNoEventsWhenGlobalSequenceNumberOutOfRange()
{
    const std::string idA = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    const std::string idB = "5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e";
    CHECKED(saveEvents({thing(idA, 100)}));
    CHECKED(saveEvents({thing(idB, 300)}));
    CHECKED(saveEvents({thing(idA, 200)}));
    CHECKED(saveEvents({another("9e8d7c6b5a4f43e2a1b0c9d8e7f6a5b4")}));

    auto it = m_store->events(5);
    CHECKED(verifyNoMoreResults(*it));
}

void tst_Store::eventsByAggregateTypes_returns3Events()
{
    const std::string idA = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    const std::string idB = "5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e";
    const auto a1 = thing(idA, 1), a2 = thing(idA, 2), b = thing(idB, 3);
    CHECKED(saveEvents({a1, a2}));
    CHECKED(saveEvents({b}));

    auto it = m_store->eventsByAggregateTypes(0, {"thing"});
    CHECKED(verifyRecordsInIterator(*it, {recordOf(a1, 1, 1, 0, 1), recordOf(a2, 2, 2, 1, 2), recordOf(b, 3, 1, 2, 3)}));
}

void tst_Store::eventsByAggregateTypes_startingWithSecondEntry()
{
    const std::string idA = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    const auto a1 = thing(idA, 1), a2 = thing(idA, 2);
    const auto b = another("5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e");
    CHECKED(saveEvents({a1, a2}));
    CHECKED(saveEvents({b}));

    auto it = m_store->eventsByAggregateTypes(2, {"thing", "another"});
    CHECKED(verifyRecordsInIterator(*it, {recordOf(a2, 2, 2, 1, 2), recordOf(b, 3, 1, 2, 3)}));
}

void tst_Store::eventsByAggregateTypes_stopsBeforeSendingWithContextDone()
{
    CHECKED(saveEvents({thing("7d1c5e0a8b9f4c2d9e3a6b1f0c4d7e2a", 1)}));
    std::stop_source stop;
    stop.request_stop();

    auto it = m_store->eventsByAggregateTypes(0, {"thing"}, stop.get_token());
    CHECKED(verifyCancelledIterator(*it));
}

void tst_Store::optimisticDeleteStream_deletesAStreamWith2Events()
{
    const std::string id = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    CHECKED(saveEvents({thing(id, 1), thing(id, 2)}));

    VERIFY_OK(m_store->optimisticDeleteStream(2, streamName("thing", id)));

    auto it = m_store->eventsByStream(0, streamName("thing", id));
    CHECKED(verifyStreamNotFound(*it));
}

void tst_Store::optimisticDeleteStream_errorsFromWrongExpectedSequenceNumber()
{
    const std::string id = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    CHECKED(saveEvents({thing(id, 1), thing(id, 2)}));

    const Status status = m_store->optimisticDeleteStream(5, streamName("thing", id));

    VERIFY_ERROR(status, ErrorCode::UnexpectedSequenceNumber);
    QCOMPARE(quint64(status.expectedSequenceNumber()), quint64(5));
    QCOMPARE(quint64(status.actualSequenceNumber()), quint64(2));
    QCOMPARE(qs(status.message()), QStringLiteral("unexpected sequence number: 5, actual: 2"));
}

void tst_Store::optimisticDeleteStream_errorsWhenStreamDoesNotExist()
{
    const Status status = m_store->optimisticDeleteStream(0, "thing!0dec62a37ea048c8affe2d933ef7bb77");
    VERIFY_ERROR(status, ErrorCode::StreamNotFound);
    QCOMPARE(qs(status.message()), QStringLiteral("stream not found"));
}

void tst_Store::optimisticDeleteStream_stopsBeforeDeletingWithContextDone()
{
    const std::string id = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    CHECKED(saveEvents({thing(id, 1), thing(id, 2)}));
    std::stop_source stop;
    stop.request_stop();

    const Status status = m_store->optimisticDeleteStream(2, streamName("thing", id), stop.get_token());
    VERIFY_ERROR(status, ErrorCode::Cancelled);
    QCOMPARE(qs(status.message()), QStringLiteral("context canceled"));

    auto total = m_store->totalEventsInStream(streamName("thing", id));
    VERIFY_OK(total.status());
    QCOMPARE(quint64(*total), quint64(2));
}

// #21: gsn 1 (thing A) stays, gsn 2 (another B) is deleted, the next save gets gsn 3.
namespace {
struct DeletedLastEvent
{
    EventRecord thingA = thing("f2a3d0f6b24d4a1fb2c0d91a3c2e7b01", 1);
    EventRecord anotherB = another("5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e");
    EventRecord thatC = that("9e8d7c6b5a4f43e2a1b0c9d8e7f6a5b4");
};
} // namespace

void tst_Store::optimisticDeleteStream_keepsGsnAfterDeletingLast_allEvents()
{
    const DeletedLastEvent events;
    CHECKED(saveEvents({events.thingA}));
    CHECKED(saveEvents({events.anotherB}));
    VERIFY_OK(m_store->optimisticDeleteStream(1, streamName("another", events.anotherB.aggregateId)));
    CHECKED(saveEvents({events.thatC}));

    auto it = m_store->events(0);
    CHECKED(verifyRecordsInIterator(*it, {recordOf(events.thingA, 1, 1, 0, 1), recordOf(events.thatC, 3, 1, 2, 3)}));
}

void tst_Store::optimisticDeleteStream_keepsGsnAfterDeletingLast_byAggregateTypes()
{
    const DeletedLastEvent events;
    CHECKED(saveEvents({events.thingA}));
    CHECKED(saveEvents({events.anotherB}));
    VERIFY_OK(m_store->optimisticDeleteStream(1, streamName("another", events.anotherB.aggregateId)));
    CHECKED(saveEvents({events.thatC}));

    auto it = m_store->eventsByAggregateTypes(0, {"thing", "another", "that"});
    CHECKED(verifyRecordsInIterator(*it, {recordOf(events.thingA, 1, 1, 0, 1), recordOf(events.thatC, 3, 1, 2, 3)}));
}

void tst_Store::optimisticDeleteStream_keepsGsnAfterDeletingLast_notInStream()
{
    const DeletedLastEvent events;
    CHECKED(saveEvents({events.thingA}));
    CHECKED(saveEvents({events.anotherB}));
    VERIFY_OK(m_store->optimisticDeleteStream(1, streamName("another", events.anotherB.aggregateId)));
    CHECKED(saveEvents({events.thatC}));

    auto it = m_store->eventsByStream(0, streamName("another", events.anotherB.aggregateId));
    CHECKED(verifyStreamNotFound(*it));
}

void tst_Store::optimisticSave_persists1Event()
{
    const auto x = thing("3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5", 1);
    auto saved = m_store->optimisticSave(0, std::vector{x});
    VERIFY_OK(saved.status());
    QCOMPARE(quint64(saved->lastStreamSequenceNumber), quint64(1));
    QCOMPARE(quint64(saved->lastGlobalSequenceNumber), quint64(1));

    auto it = m_store->eventsByStream(0, streamName("thing", x.aggregateId));
    CHECKED(verifyRecordsInIterator(*it, {recordOf(x, 1, 1, 0, 1)}));
}

void tst_Store::optimisticSave_persists2ndEventAfter1st()
{
    const std::string id = "3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5";
    const auto x1 = thing(id, 1), x2 = thing(id, 2);
    CHECKED(saveEvents({x1}));

    auto saved = m_store->optimisticSave(1, std::vector{x2});
    VERIFY_OK(saved.status());
    QCOMPARE(quint64(saved->lastStreamSequenceNumber), quint64(2));

    auto it = m_store->eventsByStream(0, streamName("thing", id));
    CHECKED(verifyRecordsInIterator(*it, {recordOf(x1, 1, 1, 0, 1), recordOf(x2, 2, 2, 1, 2)}));
}

void tst_Store::optimisticSave_persists2Events()
{
    const std::string id = "3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5";
    const auto x1 = thing(id, 1), x2 = thing(id, 2);

    auto saved = m_store->optimisticSave(0, std::vector{x1, x2});
    VERIFY_OK(saved.status());
    QCOMPARE(quint64(saved->lastStreamSequenceNumber), quint64(2));
    QCOMPARE(quint64(saved->lastGlobalSequenceNumber), quint64(2));

    auto it = m_store->eventsByStream(0, streamName("thing", id));
    CHECKED(verifyRecordsInIterator(*it, {recordOf(x1, 1, 1, 0, 1), recordOf(x2, 2, 2, 1, 2)}));
}

void tst_Store::optimisticSave_failsOnFirstEventFromWrongExpectedSequenceNumber()
{
    auto saved = m_store->optimisticSave(1, std::vector{thing("3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5", 1)});

    QVERIFY(!saved.ok());
    const Status status = saved.status();
    VERIFY_ERROR(status, ErrorCode::UnexpectedSequenceNumber);
    QVERIFY(qs(status.message()).contains(QStringLiteral("unexpected sequence number: 1, actual: 0")));
    QCOMPARE(quint64(status.expectedSequenceNumber()), quint64(1));
    QCOMPARE(quint64(status.actualSequenceNumber()), quint64(0));
    CHECKED(verifyEmptyStore());
}

void tst_Store::optimisticSave_failsOn2ndEventWithoutPersisting1st()
{
    const std::string id = "3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5";

    auto saved = m_store->optimisticSave(0, std::vector{thing(id, 1), failingThing(id)});
    QVERIFY(!saved.ok());

    auto all = m_store->events(0);
    CHECKED(verifyNoMoreResults(*all));
    auto stream = m_store->eventsByStream(0, streamName("thing", id));
    CHECKED(verifyStreamNotFound(*stream));
    auto byType = m_store->eventsByAggregateTypes(0, {"thing"});
    CHECKED(verifyNoMoreResults(*byType));
}

void tst_Store::optimisticSave_failsOn2ndEventWithoutPersisting1stWithPreviousEvent()
{
    const std::string id = "3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5";
    const auto x1 = thing(id, 1);
    CHECKED(saveEvents({x1}));

    // As in rangedb, expected 0 makes this fail at the first record already.
    auto saved = m_store->optimisticSave(0, std::vector{thing(id, 2), failingThing(id)});
    QVERIFY(!saved.ok());

    const Record expected = recordOf(x1, 1, 1, 0, 1);
    auto all = m_store->events(0);
    CHECKED(verifyRecordsInIterator(*all, {expected}));
    auto stream = m_store->eventsByStream(0, streamName("thing", id));
    CHECKED(verifyRecordsInIterator(*stream, {expected}));
    auto byType = m_store->eventsByAggregateTypes(0, {"thing"});
    CHECKED(verifyRecordsInIterator(*byType, {expected}));
}

void tst_Store::optimisticSave_refusesEventsFromDifferentAggregateTypes()
{
    auto saved = m_store->optimisticSave(0, std::vector{thing("f2a3d0f6b24d4a1fb2c0d91a3c2e7b01", 1),
                                                        another("f2a3d0f6b24d4a1fb2c0d91a3c2e7b01")});
    QVERIFY(!saved.ok());
    VERIFY_ERROR(saved.status(), ErrorCode::UnmatchedAggregateType);
    QCOMPARE(qs(saved.status().message()), QStringLiteral("unmatched aggregate type"));
    CHECKED(verifyEmptyStore());
}

void tst_Store::optimisticSave_refusesEventsFromDifferentStreams()
{
    auto saved = m_store->optimisticSave(0, std::vector{thing("f2a3d0f6b24d4a1fb2c0d91a3c2e7b01", 1),
                                                        thing("5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e", 2)});
    QVERIFY(!saved.ok());
    VERIFY_ERROR(saved.status(), ErrorCode::UnmatchedAggregateId);
    QCOMPARE(qs(saved.status().message()), QStringLiteral("unmatched aggregate ID"));
    CHECKED(verifyEmptyStore());
}

void tst_Store::optimisticSave_stopsBeforeSavingWithContextDone()
{
    std::stop_source stop;
    stop.request_stop();

    auto saved = m_store->optimisticSave(0, std::vector{thing("3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5", 1)},
                                         stop.get_token());
    QVERIFY(!saved.ok());
    VERIFY_ERROR(saved.status(), ErrorCode::Cancelled);
    QCOMPARE(qs(saved.status().message()), QStringLiteral("context canceled"));
    CHECKED(verifyEmptyStore());
}

void tst_Store::optimisticSave_errorsFromMissingEvents()
{
    auto saved = m_store->optimisticSave(0, std::vector<EventRecord>{});
    QVERIFY(!saved.ok());
    VERIFY_ERROR(saved.status(), ErrorCode::MissingEvents);
    QCOMPARE(qs(saved.status().message()), QStringLiteral("missing events"));
}

void tst_Store::save_generatesEventId()
{
    const auto x = thing("3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5", 1);
    CHECKED(saveEvents({x}));

    auto it = m_store->eventsByStream(0, streamName("thing", x.aggregateId));
    CHECKED(verifyRecordsInIterator(*it, {recordOf(x, 1, 1, 0, 1)}));
}

void tst_Store::save_refusesEventsFromDifferentAggregateTypes()
{
    auto saved = m_store->save(std::vector{thing("f2a3d0f6b24d4a1fb2c0d91a3c2e7b01", 1),
                                           another("f2a3d0f6b24d4a1fb2c0d91a3c2e7b01")});
    QVERIFY(!saved.ok());
    VERIFY_ERROR(saved.status(), ErrorCode::UnmatchedAggregateType);
    QCOMPARE(qs(saved.status().message()), QStringLiteral("unmatched aggregate type"));
    CHECKED(verifyEmptyStore());
}

void tst_Store::save_refusesEventsFromDifferentStreams()
{
    auto saved = m_store->save(std::vector{thing("f2a3d0f6b24d4a1fb2c0d91a3c2e7b01", 1),
                                           thing("5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e", 2)});
    QVERIFY(!saved.ok());
    VERIFY_ERROR(saved.status(), ErrorCode::UnmatchedAggregateId);
    QCOMPARE(qs(saved.status().message()), QStringLiteral("unmatched aggregate ID"));
    CHECKED(verifyEmptyStore());
}

void tst_Store::save_stopsBeforeSavingWithContextDone()
{
    std::stop_source stop;
    stop.request_stop();

    auto saved = m_store->save(std::vector{thing("3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5", 1)}, stop.get_token());
    QVERIFY(!saved.ok());
    VERIFY_ERROR(saved.status(), ErrorCode::Cancelled);
    QCOMPARE(qs(saved.status().message()), QStringLiteral("context canceled"));
    CHECKED(verifyEmptyStore());
}

void tst_Store::save_errorsFromMissingEvents()
{
    auto saved = m_store->save(std::vector<EventRecord>{});
    QVERIFY(!saved.ok());
    VERIFY_ERROR(saved.status(), ErrorCode::MissingEvents);
    QCOMPARE(qs(saved.status().message()), QStringLiteral("missing events"));
}

void tst_Store::allEventsSubscription_sendsNewEventsOnSave()
{
    const std::string id = "3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5";
    CHECKED(blockingSaveEvents({thing(id, 2)}));
    TestSubscriber counter;
    auto subscription = m_store->allEventsSubscription(10, &counter);
    VERIFY_OK(subscription->start());

    const auto x3 = thing(id, 3);
    CHECKED(saveEvents({x3}));

    QVERIFY(counter.waitForRecords(1));
    std::this_thread::sleep_for(100ms); // no replay: nothing else may arrive
    const auto received = counter.records();
    QCOMPARE(received.size(), std::size_t(1));
    CHECKED(verifyRecord(&received[0], recordOf(x3, 2, 2, 1, 2)));
    QCOMPARE(numberOf(received[0]), 3LL);
}

void tst_Store::allEventsSubscription_stopsBeforeSubscribingWhenStopped()
{
    TestSubscriber counter;
    auto subscription = m_store->allEventsSubscription(10, &counter);
    subscription->stop();

    const Status status = subscription->start();
    VERIFY_ERROR(status, ErrorCode::Cancelled);
    QCOMPARE(qs(status.message()), QStringLiteral("context canceled"));
}

void tst_Store::allEventsSubscription_returnsNoEventsWhenGsnOutOfRange()
{
    const std::string id = "3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5";
    CHECKED(blockingSaveEvents({thing(id, 2), thing(id, 3)}));
    TestSubscriber counter;
    auto subscription = m_store->allEventsSubscription(10, &counter);

    VERIFY_OK(subscription->startFrom(3));

    std::this_thread::sleep_for(200ms);
    QCOMPARE(counter.count(), std::size_t(0));
}

void tst_Store::aggregateTypesSubscription_sendsNewEventsByTypeOnSave()
{
    const std::string id = "3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5";
    CHECKED(blockingSaveEvents({thing(id, 2)}));
    TestSubscriber counter;
    auto subscription = m_store->aggregateTypesSubscription(10, &counter, {"thing"});
    VERIFY_OK(subscription->start());

    const auto x3 = thing(id, 3);
    CHECKED(saveEvents({another("5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e")}));
    CHECKED(saveEvents({x3}));

    QVERIFY(counter.waitForRecords(1));
    std::this_thread::sleep_for(100ms);
    const auto received = counter.records();
    QCOMPARE(received.size(), std::size_t(1));
    CHECKED(verifyRecord(&received[0], recordOf(x3, 3, 2, 2, 3)));
    QCOMPARE(numberOf(received[0]), 3LL);
}

void tst_Store::aggregateTypesSubscription_stopsBeforeSubscribingWhenStopped()
{
    TestSubscriber counter;
    auto subscription = m_store->aggregateTypesSubscription(10, &counter, {"thing"});
    subscription->stop();

    VERIFY_ERROR(subscription->start(), ErrorCode::Cancelled);
}

void tst_Store::subscriberDispatchesCommandThatSavesAnotherEvent()
{
    // A process manager: on ThingWasDone it saves AnotherWasComplete, from inside accept().
    Gate dispatched;
    Status dispatchStatus;
    TestSubscriber processManager;
    Store *store = m_store.get();
    processManager.onAccept = [&](const Record &record) {
        if (record.eventType != "ThingWasDone")
            return;
        const auto saved = store->save(std::vector{another(std::to_string(numberOf(record)))});
        dispatchStatus = saved.status();
        dispatched.open();
    };
    auto subscription = m_store->allEventsSubscription(10, &processManager);
    VERIFY_OK(subscription->start());

    const auto x = thing("3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5", 2);
    CHECKED(saveEvents({x}));

    QVERIFY2(dispatched.waitFor(5s), "the subscriber did not dispatch");
    VERIFY_OK(dispatchStatus);
    auto it = m_store->events(0);
    CHECKED(verifyRecordsInIterator(*it, {recordOf(x, 1, 1, 0, 1), recordOf(another("2"), 2, 1, 1, 2)}));
    subscription.reset();
}

void tst_Store::saveEventByValueAndGetItBack()
{
    const auto x = thing("3c9a1d2e4f5b46a7b8c9d0e1f2a3b4c5", 1);
    CHECKED(saveEvents({x}));

    auto it = m_store->events(0);
    CHECKED(verifyRecordsInIterator(*it, {recordOf(x, 1, 1, 0, 1)}));
}

void tst_Store::totalEventsInStream_with2EventsInAStream()
{
    const std::string idA = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    CHECKED(saveEvents({thing(idA, 1), thing(idA, 2)}));
    CHECKED(saveEvents({thing("5b36e3a14c8f4b0c9d2e1f3a4b5c6d7e", 3)}));

    auto total = m_store->totalEventsInStream(streamName("thing", idA));
    VERIFY_OK(total.status());
    QCOMPARE(quint64(*total), quint64(2));
}

void tst_Store::totalEventsInStream_stopsBeforeReturningWithContextDone()
{
    const std::string id = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    CHECKED(saveEvents({thing(id, 1)}));
    std::stop_source stop;
    stop.request_stop();

    auto total = m_store->totalEventsInStream(streamName("thing", id), stop.get_token());
    QVERIFY(!total.ok());
    VERIFY_ERROR(total.status(), ErrorCode::Cancelled);
}

// rangedb v0.12.0 wedges every later write after a failed delete (reference §2.5.2).
void tst_Store::divergence_failedDeleteLeavesWritesWorking()
{
    const std::string id = "f2a3d0f6b24d4a1fb2c0d91a3c2e7b01";
    CHECKED(saveEvents({thing(id, 1), thing(id, 2)}));

    VERIFY_ERROR(m_store->optimisticDeleteStream(1, "thing!0dec62a37ea048c8affe2d933ef7bb77"),
                 ErrorCode::StreamNotFound);
    CHECKED(saveEvents({thing(id, 3)}));
    VERIFY_ERROR(m_store->optimisticDeleteStream(2, streamName("thing", id)), ErrorCode::UnexpectedSequenceNumber);
    auto saved = m_store->optimisticSave(3, std::vector{thing(id, 4)});
    VERIFY_OK(saved.status());
    QCOMPARE(quint64(saved->lastStreamSequenceNumber), quint64(4));
    VERIFY_OK(m_store->optimisticDeleteStream(4, streamName("thing", id)));
    CHECKED(saveEvents({thing(id, 5)}));

    auto total = m_store->totalEventsInStream(streamName("thing", id));
    VERIFY_OK(total.status());
    QCOMPARE(quint64(*total), quint64(1));
}

// rangedb scans the bare stream name as a prefix, so "thing!A" includes "thing!Ab".
void tst_Store::divergence_streamScanIsExact()
{
    const auto a1 = thing("A", 1), a2 = thing("A", 2), ab = thing("Ab", 3);
    CHECKED(saveEvents({a1, a2}));
    CHECKED(saveEvents({ab}));

    auto it = m_store->eventsByStream(0, "thing!A");
    CHECKED(verifyRecordsInIterator(*it, {recordOf(a1, 1, 1, 0, 1), recordOf(a2, 2, 2, 1, 2)}));
    auto total = m_store->totalEventsInStream("thing!A");
    VERIFY_OK(total.status());
    QCOMPARE(quint64(*total), quint64(2));

    // rangedb would count 3 here, and with expected 3 delete both streams.
    VERIFY_ERROR(m_store->optimisticDeleteStream(3, "thing!A"), ErrorCode::UnexpectedSequenceNumber);
    VERIFY_OK(m_store->optimisticDeleteStream(2, "thing!A"));

    auto deleted = m_store->eventsByStream(0, "thing!A");
    CHECKED(verifyStreamNotFound(*deleted));
    auto kept = m_store->eventsByStream(0, "thing!Ab");
    CHECKED(verifyRecordsInIterator(*kept, {recordOf(ab, 3, 1, 2, 3)}));
    auto all = m_store->events(0);
    CHECKED(verifyRecordsInIterator(*all, {recordOf(ab, 3, 1, 2, 3)}));

    // A bare prefix is no stream at all.
    auto prefix = m_store->eventsByStream(0, "thing!");
    CHECKED(verifyStreamNotFound(*prefix));
}

// rangedb writes a null/missing data record that no scan can read back (reference §10.5).
void tst_Store::divergence_nullOrMissingDataReadsBackAsNull()
{
    EventRecord explicitNull{"thing", "A", "Nothing", "null", "null"};
    EventRecord spacedNull{"thing", "A", "Nothing", "  null\n", " null "};
    EventRecord leftOut;
    leftOut.aggregateType = "thing";
    leftOut.aggregateId = "A";
    leftOut.eventType = "Nothing";
    EventRecord emptyText{"thing", "A", "Nothing", "", ""};
    CHECKED(saveEvents({explicitNull, spacedNull, leftOut, emptyText}));
    CHECKED(saveEvents({thing("B", 1)}));

    auto it = m_store->events(0);
    for (int i = 0; i < 4; ++i) {
        QVERIFY2(it->next(), describe(it->error()).constData());
        QCOMPARE(qs(it->record()->data), QStringLiteral("null"));
        QCOMPARE(qs(it->record()->metadata), QStringLiteral("null"));
    }
    // The scan goes on past them.
    QVERIFY2(it->next(), describe(it->error()).constData());
    QCOMPARE(qs(it->record()->aggregateId), QStringLiteral("B"));
    CHECKED(verifyNoMoreResults(*it));
}

void tst_Store::divergence_forbiddenNamesAreRefused_data()
{
    QTest::addColumn<QString>("aggregateType");
    QTest::addColumn<QString>("aggregateId");
    QTest::addColumn<QString>("field");

    QTest::newRow("type all") << QStringLiteral("all") << QStringLiteral("A") << QStringLiteral("aggregate type");
    QTest::newRow("type $x") << QStringLiteral("$x") << QStringLiteral("A") << QStringLiteral("aggregate type");
    QTest::newRow("type a!b") << QStringLiteral("a!b") << QStringLiteral("A") << QStringLiteral("aggregate type");
    QTest::newRow("empty type") << QString() << QStringLiteral("A") << QStringLiteral("aggregate type");
    QTest::newRow("id x!y") << QStringLiteral("thing") << QStringLiteral("x!y") << QStringLiteral("aggregate ID");
    QTest::newRow("empty id") << QStringLiteral("thing") << QString() << QStringLiteral("aggregate ID");
}

void tst_Store::divergence_forbiddenNamesAreRefused()
{
    QFETCH(QString, aggregateType);
    QFETCH(QString, aggregateId);
    QFETCH(QString, field);
    const EventRecord event{aggregateType.toStdString(), aggregateId.toStdString(), "ThingWasDone", "{}", "null"};

    auto saved = m_store->save(std::vector{event});
    QVERIFY(!saved.ok());
    VERIFY_ERROR(saved.status(), ErrorCode::InvalidArgument);
    QVERIFY2(qs(saved.status().message()).contains(field), saved.status().message().c_str());

    auto optimistic = m_store->optimisticSave(0, std::vector{event});
    QVERIFY(!optimistic.ok());
    VERIFY_ERROR(optimistic.status(), ErrorCode::InvalidArgument);
    CHECKED(verifyEmptyStore());
}

// rangedb lets a batch span two streams when the first record's type or ID is empty.
void tst_Store::divergence_emptyNameIsNoBatchLoophole()
{
    const EventRecord noType{"", "A", "ThingWasDone", "{}", "null"};
    const EventRecord noId{"thing", "", "ThingWasDone", "{}", "null"};

    auto saved = m_store->save(std::vector{noType, thing("B", 1)});
    QVERIFY(!saved.ok());
    saved = m_store->save(std::vector{noId, thing("B", 1)});
    QVERIFY(!saved.ok());
    CHECKED(verifyEmptyStore());
}

void tst_Store::divergence_invalidJsonIsRefused()
{
    const auto accepted = [](const Status &status) {
        return status.code() == ErrorCode::InvalidArgument || status.code() == ErrorCode::DecodeError;
    };
    auto saved = m_store->save(std::vector{thing("A", 1), EventRecord{"thing", "A", "Bad", "{bad", "null"}});
    QVERIFY(!saved.ok());
    QVERIFY2(accepted(saved.status()), describe(saved.status()).constData());
    QVERIFY2(qs(saved.status().message()).contains(QStringLiteral("data")), saved.status().message().c_str());
    QVERIFY2(qs(saved.status().message()).contains(QStringLiteral("record")), saved.status().message().c_str());

    saved = m_store->save(std::vector{EventRecord{"thing", "A", "Bad", "{}", "[1,"}});
    QVERIFY(!saved.ok());
    QVERIFY2(accepted(saved.status()), describe(saved.status()).constData());
    QVERIFY2(qs(saved.status().message()).contains(QStringLiteral("metadata")), saved.status().message().c_str());
    CHECKED(verifyEmptyStore());
}

// rangedb returns every event twice, out of order, for a type listed twice.
void tst_Store::divergence_typeListedTwiceIsListedOnce()
{
    const auto a1 = thing("A", 1), b = another("B"), a2 = thing("A", 2);
    CHECKED(saveEvents({a1}));
    CHECKED(saveEvents({b}));
    CHECKED(saveEvents({a2}));

    auto it = m_store->eventsByAggregateTypes(0, {"thing", "another", "thing"});
    CHECKED(verifyRecordsInIterator(*it, {recordOf(a1, 1, 1, 0, 1), recordOf(b, 2, 1, 1, 2), recordOf(a2, 3, 2, 2, 3)}));
    auto none = m_store->eventsByAggregateTypes(0, {});
    CHECKED(verifyNoMoreResults(*none));
}

// An open iterator reads the store as it was when the query was made.
void tst_Store::iteratorIsASnapshot()
{
    const auto a1 = thing("A", 1), a2 = thing("A", 2), b = another("B");
    CHECKED(saveEvents({a1, a2}));
    CHECKED(saveEvents({b}));

    auto all = m_store->events(0);
    auto stream = m_store->eventsByStream(0, "thing!A");
    auto byType = m_store->eventsByAggregateTypes(0, {"thing", "another"});
    QVERIFY(all->next());
    CHECKED(verifyRecord(all->record(), recordOf(a1, 1, 1, 0, 1)));

    VERIFY_OK(m_store->optimisticDeleteStream(2, "thing!A"));
    CHECKED(saveEvents({thing("A", 4)}));
    CHECKED(saveEvents({another("C")}));

    CHECKED(verifyRecordsInIterator(*all, {recordOf(a2, 2, 2, 1, 2), recordOf(b, 3, 1, 2, 3)}));
    CHECKED(verifyRecordsInIterator(*stream, {recordOf(a1, 1, 1, 0, 1), recordOf(a2, 2, 2, 1, 2)}));
    CHECKED(verifyRecordsInIterator(
        *byType, {recordOf(a1, 1, 1, 0, 1), recordOf(a2, 2, 2, 1, 2), recordOf(b, 3, 1, 2, 3)}));
}

void tst_Store::defaultHooksUseSystemClockAndRandomIds()
{
    auto store = openStore(QStringLiteral("default-hooks"), StoreHooks{});
    QVERIFY(store);
    const auto seconds = [] {
        return std::uint64_t(
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count());
    };
    const std::uint64_t before = seconds();
    auto saved = store->save(std::vector{thing("A", 1), thing("A", 2)});
    VERIFY_OK(saved.status());
    const std::uint64_t after = seconds();

    auto it = store->events(0);
    std::vector<std::string> ids;
    while (it->next()) {
        const Record &record = *it->record();
        QVERIFY(record.insertTimestamp >= before && record.insertTimestamp <= after);
        QCOMPARE(record.eventId.size(), std::size_t(32));
        QVERIFY2(record.eventId.find_first_not_of("0123456789abcdef") == std::string::npos, record.eventId.c_str());
        QCOMPARE(record.eventId[12], '4'); // UUID version 4
        ids.push_back(record.eventId);
    }
    VERIFY_OK(it->error());
    QCOMPARE(ids.size(), std::size_t(2));
    QVERIFY(ids[0] != ids[1]);
}

// Where a store hands out its stored bytes, they decode to the record it yields, and
// bytes it calls canonical JSON are exactly what the JSON serializer writes.
void tst_Store::rawValueMatchesRecord()
{
    CHECKED(saveEvents({EventRecord{"thing", "A", "Spaced", " { \"b\" : 1.50 , \"a\" : \"<\" } ", "[ 1 ]"}}));
    CHECKED(saveEvents({thing("B", 2)}));

    auto it = m_store->events(0);
    int seen = 0;
    while (it->next()) {
        ++seen;
        const std::string_view raw = it->rawValue();
        if (raw.empty()) {
            QVERIFY(!it->rawIsCanonicalJson());
            continue;
        }
        Record decoded;
        VERIFY_OK(codec::decode(raw, decoded));
        QVERIFY(decoded == *it->record());
        // What this store wrote itself is canonical JSON or msgpack, never anything else.
        QCOMPARE(it->rawIsCanonicalJson(), !isMsgpack());
        if (it->rawIsCanonicalJson())
            QCOMPARE(qs(raw), qs(codec::toJson(*it->record())));
    }
    VERIFY_OK(it->error());
    QCOMPARE(seen, 2);
    QVERIFY(it->rawValue().empty());
    QVERIFY(!it->rawIsCanonicalJson());
}

void tst_Store::exactValuesRoundTrip_data()
{
    QTest::addColumn<QByteArray>("value");

    QTest::newRow("uint64 max") << QByteArray("18446744073709551615");
    QTest::newRow("int64 min") << QByteArray("-9223372036854775808");
    QTest::newRow("floats") << QByteArray("[1.5,0.1,3.141592653589793,1e-7,1.5e300,-2.25]");
    QTest::newRow("numbers in object")
        << QByteArray(R"({"max":18446744073709551615,"min":-9223372036854775808,"f":0.30000000000000004})");
    QTest::newRow("line separators") << QByteArray("\"a\xe2\x80\xa8" "b\xe2\x80\xa9" "c\"");
    QTest::newRow("emoji and accents") << QByteArray("\"\xf0\x9f\x98\x80 h\xc3\xa9llo\"");
    QTest::newRow("escapes") << QByteArray(R"("<&> \"q\" \\ \n\t\u0001 /")");
    QTest::newRow("nested") << QByteArray(R"({"a":[1,{"b":null,"c":[true,false]}],"d":{"e":{"f":"g"}}})");
    QTest::newRow("key order") << QByteArray(R"({"z":1,"a":2,"m":{"y":1,"b":2}})");
    QTest::newRow("empty object") << QByteArray("{}");
    QTest::newRow("empty array") << QByteArray("[]");
    QTest::newRow("null") << QByteArray("null");
    QTest::newRow("string") << QByteArray("\"text\"");
    QTest::newRow("spaced") << QByteArray(" { \"a\" : [ 1 , 2 ] } ");
}

void tst_Store::exactValuesRoundTrip()
{
    QFETCH(QByteArray, value);
    const std::string text = value.toStdString();
    auto normalized = json::normalize(text);
    VERIFY_OK(normalized.status());

    const EventRecord event{"thing", "A", "ValueWasSaved", text, text};
    CHECKED(saveEvents({event}));

    Record expected = recordOf(event, 1, 1, 0, 1);
    expected.data = *normalized;
    expected.metadata = *normalized;
    auto all = m_store->events(0);
    CHECKED(verifyRecordsInIterator(*all, {expected}));
    auto stream = m_store->eventsByStream(0, "thing!A");
    CHECKED(verifyRecordsInIterator(*stream, {expected}));
    if (isMsgpack()) {
        // Whatever form msgpack gives back must be valid, normalized JSON.
        auto again = m_store->events(0);
        QVERIFY(again->next());
        auto renormalized = json::normalize(again->record()->data);
        VERIFY_OK(renormalized.status());
        QCOMPARE(qs(*renormalized), qs(again->record()->data));
    }
}

// Catch-up and live delivery meet without a gap or a duplicate while another thread saves.
void tst_Store::subscription_startFromCatchesUpWhileSavesContinue()
{
    constexpr std::uint64_t total = 20000;
    TestSubscriber subscriber;
    std::atomic<std::uint64_t> saved{0};
    Status saveError;
    std::jthread saver([&](std::stop_token stop) {
        for (std::uint64_t i = 0; i < total && !stop.stop_requested(); ++i) {
            auto result = m_store->save(std::vector{thing("stream-" + std::to_string(i % 50), static_cast<long long>(i))});
            if (!result.ok()) {
                saveError = result.status();
                return;
            }
            saved = i + 1;
        }
    });
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (saved < total / 10 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    QVERIFY(saved >= total / 10);

    auto subscription = m_store->allEventsSubscription(total, &subscriber);
    VERIFY_OK(subscription->startFrom(1));
    QVERIFY2(saved < total, "the saves ended before the catch-up began; the test proves nothing");

    saver.join();
    VERIFY_OK(saveError);
    QVERIFY2(subscriber.waitForRecords(total, 120s),
             qPrintable(QStringLiteral("received %1 of %2").arg(subscriber.count()).arg(total)));
    std::this_thread::sleep_for(50ms);
    subscription.reset();

    const auto records = subscriber.records();
    QCOMPARE(quint64(records.size()), quint64(total));
    for (std::uint64_t i = 0; i < total; ++i) {
        if (records[i].globalSequenceNumber != i + 1)
            QFAIL(qPrintable(QStringLiteral("position %1 holds gsn %2").arg(i).arg(records[i].globalSequenceNumber)));
    }
    QCOMPARE(numberOf(records.back()), static_cast<long long>(total - 1));
    QCOMPARE(quint64(subscriber.missedTotal()), quint64(0));
}

void tst_Store::subscription_startFromByAggregateType()
{
    const auto a1 = thing("A", 1), b = another("B"), a2 = thing("A", 2), c = that("C"), a3 = thing("A", 3);
    CHECKED(saveEvents({a1}));
    CHECKED(saveEvents({b}));
    CHECKED(saveEvents({a2}));
    TestSubscriber subscriber;
    auto subscription = m_store->aggregateTypesSubscription(10, &subscriber, {"thing", "that"});

    VERIFY_OK(subscription->startFrom(2));
    QVERIFY(subscriber.waitForRecords(1));
    CHECKED(saveEvents({c}));
    CHECKED(saveEvents({another("B2")}));
    CHECKED(saveEvents({a3}));

    QVERIFY(subscriber.waitForRecords(3));
    std::this_thread::sleep_for(100ms);
    const auto received = subscriber.records();
    QCOMPARE(received.size(), std::size_t(3));
    CHECKED(verifyRecord(&received[0], recordOf(a2, 3, 2, 2, 3)));
    CHECKED(verifyRecord(&received[1], recordOf(c, 4, 1, 3, 4)));
    CHECKED(verifyRecord(&received[2], recordOf(a3, 6, 3, 5, 6)));
}

// rangedb blocks saves for up to 100 ms per stuck subscriber and then drops it silently.
void tst_Store::subscription_slowSubscriberDoesNotSlowSaves()
{
    constexpr std::uint64_t saves = 100;
    Gate release;
    Gate blocked;
    TestSubscriber slow;
    slow.onAccept = [&](const Record &) {
        blocked.open();
        release.wait();
    };
    auto subscription = m_store->allEventsSubscription(4, &slow);
    // On an early return the worker must be let go before the subscription joins it.
    const auto releaseOnExit = qScopeGuard([&release] { release.open(); });
    VERIFY_OK(subscription->start());

    CHECKED(saveEvents({thing("A", 0)}));
    QVERIFY2(blocked.waitFor(5s), "the subscriber never got the first record");
    const auto begin = std::chrono::steady_clock::now();
    for (std::uint64_t i = 1; i < saves; ++i)
        CHECKED(saveEvents({thing("A", static_cast<long long>(i))}));
    const auto elapsed = std::chrono::steady_clock::now() - begin;
    // Every save returned while the subscriber is still stuck in its first accept().
    QCOMPARE(slow.count(), std::size_t(0));
    QVERIFY2(elapsed < 5s, "saves waited for the subscriber");

    release.open();
    QVERIFY2(slow.waitForAccounted(saves),
             qPrintable(QStringLiteral("delivered %1, missed %2").arg(slow.count()).arg(slow.missedTotal())));
    std::this_thread::sleep_for(50ms);
    const auto delivered = slow.records();
    const auto missed = slow.missedCalls();
    QVERIFY(!missed.empty());
    QCOMPARE(quint64(delivered.size() + slow.missedTotal()), quint64(saves));
    QVERIFY(delivered.size() <= 1 + 4 + 1); // the record in hand, a full buffer, one in flight
    for (std::size_t i = 1; i < delivered.size(); ++i)
        QVERIFY(delivered[i].globalSequenceNumber > delivered[i - 1].globalSequenceNumber);
    for (const MissedCall &call : missed) {
        QVERIFY(call.count >= 1);
        QVERIFY(call.first >= 1 && call.first <= call.last && call.last <= saves);
        QVERIFY(call.last - call.first + 1 >= call.count);
        for (const Record &record : delivered) {
            QVERIFY2(record.globalSequenceNumber < call.first || record.globalSequenceNumber > call.last,
                     "a delivered record was reported missed");
        }
    }

    // Once it keeps up again it gets new records as usual.
    CHECKED(saveEvents({thing("A", static_cast<long long>(saves))}));
    QVERIFY(slow.waitForRecords(delivered.size() + 1));
    QCOMPARE(quint64(slow.records().back().globalSequenceNumber), quint64(saves + 1));
}

void tst_Store::subscription_destructorStopsCleanly()
{
    // Never started, and stopped but never started.
    {
        TestSubscriber idle;
        auto unused = m_store->allEventsSubscription(10, &idle);
        auto stopped = m_store->allEventsSubscription(10, &idle);
        stopped->stop();
        stopped->stop();
    }

    // Destroyed while deliveries are under way: the destructor waits for the accept()
    // in progress, and none begins afterwards.
    TestSubscriber busy;
    busy.onAccept = [](const Record &) { std::this_thread::sleep_for(5ms); };
    auto subscription = m_store->allEventsSubscription(1000, &busy);
    VERIFY_OK(subscription->startFrom(0));
    for (int i = 0; i < 50; ++i)
        CHECKED(saveEvents({thing("A", i)}));
    QVERIFY(busy.waitForRecords(1));
    subscription.reset();
    const std::size_t delivered = busy.count();
    QVERIFY(delivered >= 1 && delivered <= 50);

    CHECKED(saveEvents({thing("A", 50)}));
    std::this_thread::sleep_for(100ms);
    QCOMPARE(busy.count(), delivered);

    // Stopped from inside accept(): no further record after the one in hand.
    TestSubscriber selfStopping;
    std::unique_ptr<Subscription> own = m_store->allEventsSubscription(10, &selfStopping);
    Subscription *ownRaw = own.get();
    selfStopping.onAccept = [ownRaw](const Record &) { ownRaw->stop(); };
    VERIFY_OK(own->startFrom(0));
    QVERIFY(selfStopping.waitForRecords(1));
    std::this_thread::sleep_for(100ms);
    QCOMPARE(selfStopping.count(), std::size_t(1));
    own.reset();
}

// A small dataset: thing!A (2 events), thing!B (1), another!X (1), that!C (1).
void tst_Store::saveKnownDataset()
{
    CHECKED(saveEvents({thing("A", 1), thing("A", 2)}));
    CHECKED(saveEvents({thing("B", 3)}));
    CHECKED(saveEvents({another("X")}));
    CHECKED(saveEvents({that("C")}));
}

void tst_Store::browse_queriesOnKnownDataset()
{
    CHECKED(saveKnownDataset());

    auto types = m_store->aggregateTypes();
    VERIFY_OK(types.status());
    QVERIFY(*types == (std::vector<AggregateTypeInfo>{{"another", 1}, {"that", 1}, {"thing", 3}}));

    auto things = m_store->streams("thing");
    VERIFY_OK(things.status());
    QVERIFY(*things
            == (std::vector<StreamInfo>{{"thing!A", "thing", "A", 2, 2}, {"thing!B", "thing", "B", 1, 3}}));
    auto allStreams = m_store->streams("");
    VERIFY_OK(allStreams.status());
    QVERIFY(*allStreams
            == (std::vector<StreamInfo>{{"another!X", "another", "X", 1, 4},
                                        {"that!C", "that", "C", 1, 5},
                                        {"thing!A", "thing", "A", 2, 2},
                                        {"thing!B", "thing", "B", 1, 3}}));
    auto none = m_store->streams("nothing");
    VERIFY_OK(none.status());
    QVERIFY(none->empty());

    auto total = m_store->totalEvents();
    VERIFY_OK(total.status());
    QCOMPARE(quint64(*total), quint64(5));
    auto last = m_store->lastGlobalSequenceNumber();
    VERIFY_OK(last.status());
    QCOMPARE(quint64(*last), quint64(5));

    auto report = m_store->check();
    VERIFY_OK(report.status());
    QVERIFY2(report->consistent, report->problems.empty() ? "" : report->problems.front().c_str());
    QVERIFY(report->problems.empty());
    QCOMPARE(quint64(report->records), quint64(5));
    QCOMPARE(quint64(report->allEventsEntries), quint64(5));
    QCOMPARE(quint64(report->aggregateTypeEntries), quint64(5));
    QCOMPARE(quint64(report->streams), quint64(4));
    QCOMPARE(quint64(report->globalSequenceNumber), quint64(5));

    // After deletes the counts drop, the gsn counter stays.
    VERIFY_OK(m_store->optimisticDeleteStream(2, "thing!A"));
    VERIFY_OK(m_store->optimisticDeleteStream(1, "another!X"));

    types = m_store->aggregateTypes();
    VERIFY_OK(types.status());
    QVERIFY(*types == (std::vector<AggregateTypeInfo>{{"that", 1}, {"thing", 1}}));
    things = m_store->streams("thing");
    VERIFY_OK(things.status());
    QVERIFY(*things == (std::vector<StreamInfo>{{"thing!B", "thing", "B", 1, 3}}));
    total = m_store->totalEvents();
    VERIFY_OK(total.status());
    QCOMPARE(quint64(*total), quint64(2));
    last = m_store->lastGlobalSequenceNumber();
    VERIFY_OK(last.status());
    QCOMPARE(quint64(*last), quint64(5));

    report = m_store->check();
    VERIFY_OK(report.status());
    QVERIFY2(report->consistent, report->problems.empty() ? "" : report->problems.front().c_str());
    QCOMPARE(quint64(report->records), quint64(2));
    QCOMPARE(quint64(report->allEventsEntries), quint64(2));
    QCOMPARE(quint64(report->aggregateTypeEntries), quint64(2));
    QCOMPARE(quint64(report->streams), quint64(2));
    QCOMPARE(quint64(report->globalSequenceNumber), quint64(5));

    // A re-created stream starts again at 1; the gsn goes on from the counter.
    auto saved = m_store->save(std::vector{thing("A", 6)});
    VERIFY_OK(saved.status());
    QCOMPARE(quint64(saved->lastStreamSequenceNumber), quint64(1));
    QCOMPARE(quint64(saved->lastGlobalSequenceNumber), quint64(6));
}

namespace {
// Global (or stream) sequence numbers of every record of a scope, by walking it.
std::vector<std::uint64_t> scopeSequences(Store &store, const Scope &scope)
{
    std::vector<std::uint64_t> sequences;
    auto it = scopeEvents(store, scope, 0);
    while (it->next()) {
        sequences.push_back(scope.kind == Scope::Kind::Stream ? it->record()->streamSequenceNumber
                                                               : it->record()->globalSequenceNumber);
    }
    return sequences;
}
} // namespace

void tst_Store::browse_scopeIndex()
{
    CHECKED(saveKnownDataset());

    struct Expected
    {
        Scope scope;
        std::uint64_t rows;
        std::vector<std::uint64_t> anchors; // stride 2
        std::uint64_t last;
    };
    const std::vector<Expected> cases = {
        {Scope::allEvents(), 5, {1, 3, 5}, 5},
        {Scope::ofAggregateTypes({"thing", "that"}), 4, {1, 3}, 5},
        {Scope::ofAggregateTypes({"thing", "thing"}), 3, {1, 3}, 3},
        {Scope::ofAggregateTypes({"nothing"}), 0, {}, 0},
        {Scope::ofStream("thing!A"), 2, {1}, 2},
        {Scope::ofStream("thing!"), 0, {}, 0},
    };
    for (const auto &c : cases) {
        auto index = m_store->scopeIndex(c.scope, 2);
        VERIFY_OK(index.status());
        QCOMPARE(quint64(index->rows), quint64(c.rows));
        QCOMPARE(index->stride, 2u);
        QVERIFY(index->anchors == c.anchors);
        QCOMPARE(quint64(index->lastSequenceNumber), quint64(c.last));
        QVERIFY(index->complete);
    }

    // Every row is reachable from its anchor, for every stride.
    for (const Scope &scope : {Scope::allEvents(), Scope::ofAggregateTypes({"thing", "another"})}) {
        const auto sequences = scopeSequences(*m_store, scope);
        for (std::uint32_t stride : {1u, 2u, 3u, 7u}) {
            auto index = m_store->scopeIndex(scope, stride);
            VERIFY_OK(index.status());
            QCOMPARE(quint64(index->rows), quint64(sequences.size()));
            for (std::size_t row = 0; row < sequences.size(); ++row) {
                auto it = scopeEvents(*m_store, scope, index->anchors[row / stride]);
                for (std::size_t skip = row % stride; skip > 0; --skip)
                    QVERIFY(it->next());
                QVERIFY(it->next());
                QCOMPARE(quint64(it->record()->globalSequenceNumber), quint64(sequences[row]));
            }
        }
    }

    // Deleted streams leave gaps in the global numbers; the anchors follow the rows.
    VERIFY_OK(m_store->optimisticDeleteStream(2, "thing!A"));
    auto index = m_store->scopeIndex(Scope::allEvents(), 2);
    VERIFY_OK(index.status());
    QCOMPARE(quint64(index->rows), quint64(3));
    QVERIFY(index->anchors == (std::vector<std::uint64_t>{3, 5}));

    VERIFY_ERROR(m_store->scopeIndex(Scope::allEvents(), 0).status(), ErrorCode::InvalidArgument);
}

namespace {
std::vector<Record> readAll(Store &store)
{
    std::vector<Record> records;
    auto it = store.events(0);
    while (it->next())
        records.push_back(*it->record());
    return records;
}
} // namespace

void tst_Store::restore_intoEmptyStore()
{
    CHECKED(saveKnownDataset());
    VERIFY_OK(m_store->optimisticDeleteStream(1, "thing!B")); // a hole at gsn 3
    CHECKED(saveEvents({EventRecord{"thing", "M", "WithMetadata", R"({"n":18446744073709551615})",
                                    R"({"who":"me","at":1.50})"}}));
    const auto source = readAll(*m_store);
    QCOMPARE(source.size(), std::size_t(5));

    auto target = openStore(QStringLiteral("restored"));
    QVERIFY(target);
    auto input = makeVectorIterator(source);
    VERIFY_OK(target->restore(*input));

    const auto restored = readAll(*target);
    QCOMPARE(restored.size(), source.size());
    for (std::size_t i = 0; i < source.size(); ++i)
        CHECKED(verifyRecord(&restored[i], source[i]));
    auto last = target->lastGlobalSequenceNumber();
    VERIFY_OK(last.status());
    QCOMPARE(quint64(*last), quint64(source.back().globalSequenceNumber));
    auto report = target->check();
    VERIFY_OK(report.status());
    QVERIFY2(report->consistent, report->problems.empty() ? "" : report->problems.front().c_str());

    // Saving goes on after the restored numbers.
    auto saved = target->save(std::vector{thing("A", 3)});
    VERIFY_OK(saved.status());
    QCOMPARE(quint64(saved->lastStreamSequenceNumber), quint64(3));
    QCOMPARE(quint64(saved->lastGlobalSequenceNumber), quint64(source.back().globalSequenceNumber + 1));
}

void tst_Store::restore_intoNonEmptyStoreFails()
{
    CHECKED(saveEvents({thing("A", 1)}));
    Record record = readAll(*m_store).front();
    record.aggregateId = "Z";
    record.globalSequenceNumber = 2;

    auto input = makeVectorIterator({record});
    const Status status = m_store->restore(*input);
    QVERIFY(!status.ok());

    auto total = m_store->totalEvents();
    VERIFY_OK(total.status());
    QCOMPARE(quint64(*total), quint64(1));
    auto last = m_store->lastGlobalSequenceNumber();
    VERIFY_OK(last.status());
    QCOMPARE(quint64(*last), quint64(1));
}

namespace {
Record restoreRecord(const std::string &id, std::uint64_t gsn, std::uint64_t ssn)
{
    Record record;
    record.aggregateType = "thing";
    record.aggregateId = id;
    record.globalSequenceNumber = gsn;
    record.streamSequenceNumber = ssn;
    record.insertTimestamp = 1000 + gsn;
    record.eventId = "0123456789abcdef0123456789abcd" + std::to_string(10 + gsn);
    record.eventType = "ThingWasDone";
    record.data = R"({"id":")" + id + R"(","number":)" + std::to_string(gsn) + "}";
    return record;
}
} // namespace

void tst_Store::restore_nonIncreasingGsnFails()
{
    auto input = makeVectorIterator({restoreRecord("A", 1, 1), restoreRecord("B", 3, 1), restoreRecord("C", 2, 1)});
    const Status status = m_store->restore(*input);

    VERIFY_ERROR(status, ErrorCode::InvalidArgument);
    // The third record, numbered from 1 as the record streams number them.
    QVERIFY2(qs(status.message()).contains(QStringLiteral("record 3")), status.message().c_str());
    CHECKED(verifyEmptyStore());

    input = makeVectorIterator({restoreRecord("A", 1, 1), restoreRecord("B", 1, 1)});
    VERIFY_ERROR(m_store->restore(*input), ErrorCode::InvalidArgument);
    CHECKED(verifyEmptyStore());
}

void tst_Store::restore_publishesOnlyAfterSuccess()
{
    constexpr std::uint64_t kRecords = 25000; // more than one of the LevelDB store's batches
    TestSubscriber subscriber;
    auto subscription = m_store->allEventsSubscription(kRecords + 10, &subscriber);
    VERIFY_OK(subscription->start());

    std::vector<Record> records;
    for (std::uint64_t gsn = 1; gsn <= kRecords; ++gsn)
        records.push_back(restoreRecord(std::to_string(gsn % 5), gsn, (gsn + 4) / 5));
    // The last record breaks its stream's numbering: the whole restore fails...
    auto broken = records;
    broken.back().streamSequenceNumber += 7;
    auto input = makeVectorIterator(broken);
    VERIFY_ERROR(m_store->restore(*input), ErrorCode::InvalidArgument);
    CHECKED(verifyEmptyStore());
    // ...and subscribers never saw a record that was removed again.
    QVERIFY(!subscriber.waitForRecords(1, 300ms));

    input = makeVectorIterator(records);
    VERIFY_OK(m_store->restore(*input));
    QVERIFY(subscriber.waitForRecords(kRecords));
    const auto delivered = subscriber.records();
    QCOMPARE(quint64(delivered.size()), quint64(kRecords));
    for (std::uint64_t i = 0; i < kRecords; ++i)
        QCOMPARE(quint64(delivered[i].globalSequenceNumber), quint64(i + 1));
    subscription->stop();
}

void tst_Store::restore_brokenStreamSequenceFails()
{
    auto input = makeVectorIterator({restoreRecord("A", 1, 1), restoreRecord("A", 2, 3)});
    const Status status = m_store->restore(*input);

    VERIFY_ERROR(status, ErrorCode::InvalidArgument);
    QVERIFY2(qs(status.message()).contains(QStringLiteral("record 2")), status.message().c_str());
    CHECKED(verifyEmptyStore());

    input = makeVectorIterator({restoreRecord("A", 1, 2)});
    VERIFY_ERROR(m_store->restore(*input), ErrorCode::InvalidArgument);
    CHECKED(verifyEmptyStore());
}

QTEST_GUILESS_MAIN(tst_Store)

#include "tst_store.moc"
