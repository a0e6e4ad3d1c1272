#include "livemodel.h"
#include "ratemeter.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace rangedb;
using namespace rangedb::ui;

namespace {

// Records gsn first..last; even numbers are Deposited, odd ones Withdrawn.
std::deque<LiveItem> records(std::uint64_t first, std::uint64_t last)
{
    std::deque<LiveItem> items;
    for (std::uint64_t gsn = first; gsn <= last; ++gsn) {
        LiveItem item;
        item.record.aggregateType = "account";
        item.record.aggregateId = "a" + std::to_string(gsn % 7);
        item.record.globalSequenceNumber = gsn;
        item.record.streamSequenceNumber = gsn;
        item.record.insertTimestamp = 1'700'000'000 + gsn;
        item.record.eventId = "e" + std::to_string(gsn);
        item.record.eventType = gsn % 2 == 0 ? "Deposited" : "Withdrawn";
        item.record.data = "{\"amount\":" + std::to_string(gsn * 10) + "}";
        items.push_back(std::move(item));
    }
    return items;
}

LiveItem marker(std::uint64_t count, std::uint64_t first, std::uint64_t last)
{
    LiveItem item;
    item.missedCount = count;
    item.missedFirst = first;
    item.missedLast = last;
    return item;
}

quint64 gsnOfRow(const LiveModel &model, int row)
{
    return model.data(model.index(row, LiveModel::GlobalSequence), LiveModel::GlobalSequenceRole).toULongLong();
}

} // namespace

class tst_LiveModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void oneInsertPerBatch();
    void rowLimitDropsOldestAndCounts_data();
    void rowLimitDropsOldestAndCounts();
    void loweringTheLimitDrops();
    void pauseHoldsAndCounts();
    void pauseKeepsMemoryBounded();
    void filterAppliesWhileTailing();
    void eventTypeFilter();
    void missedMarkerIsARowEveryFilterShows();
    void clearForgetsEverything();
    void queueDropsOldestButNeverMarkers();
    void rateMeterKeepsAMinute();
};

void tst_LiveModel::oneInsertPerBatch()
{
    LiveModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.append(records(1, 500));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 499);
    model.append(records(501, 800));
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 500);
    QCOMPARE(inserted.at(1).at(2).toInt(), 799);
    QCOMPARE(reset.count(), 0);
    QCOMPARE(model.rowCount(), 800);
    QCOMPARE(gsnOfRow(model, 0), 1u);
    QCOMPARE(gsnOfRow(model, 799), 800u);
    QCOMPARE(model.receivedRecords(), 800u);
    QCOMPARE(model.lastGlobalSequence(), 800u);
    QCOMPARE(model.data(model.index(2, LiveModel::EventType)).toString(), QStringLiteral("Withdrawn"));
    QCOMPARE(model.rowAt(3)->record.eventId, std::string("e4"));
    QCOMPARE(model.eventTypesSeen(), (QStringList{QStringLiteral("Deposited"), QStringLiteral("Withdrawn")}));
}

void tst_LiveModel::rowLimitDropsOldestAndCounts_data()
{
    QTest::addColumn<int>("limit");
    QTest::addColumn<int>("first");  // first batch size
    QTest::addColumn<int>("second"); // second batch size
    QTest::addColumn<int>("removals");
    QTest::newRow("room left") << 100 << 30 << 50 << 0;
    QTest::newRow("second overflows") << 100 << 80 << 50 << 1;
    QTest::newRow("second alone exceeds the limit") << 100 << 80 << 250 << 1;
    QTest::newRow("first alone exceeds the limit") << 100 << 300 << 10 << 1;
}

void tst_LiveModel::rowLimitDropsOldestAndCounts()
{
    QFETCH(int, limit);
    QFETCH(int, first);
    QFETCH(int, second);
    QFETCH(int, removals);
    LiveModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(limit);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.append(records(1, std::uint64_t(first)));
    model.append(records(std::uint64_t(first) + 1, std::uint64_t(first + second)));
    const int total = first + second;
    QCOMPARE(model.rowCount(), std::min(limit, total));
    QCOMPARE(model.droppedRows(), quint64(std::max(0, total - limit)));
    QCOMPARE(model.receivedRecords(), quint64(total));
    QCOMPARE(removed.count(), removals);
    QCOMPARE(inserted.count(), 2);
    // The newest rows stay, in order.
    QCOMPARE(gsnOfRow(model, model.rowCount() - 1), quint64(total));
    QCOMPARE(gsnOfRow(model, 0), quint64(std::max(1, total - limit + 1)));
}

void tst_LiveModel::loweringTheLimitDrops()
{
    LiveModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(records(1, 1000));
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.setMaxRows(100);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(model.droppedRows(), 900u);
    QCOMPARE(gsnOfRow(model, 0), 901u);
}

void tst_LiveModel::pauseHoldsAndCounts()
{
    LiveModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(records(1, 10));
    model.setPaused(true);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.append(records(11, 30));
    model.append(records(31, 35));
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.pendingRows(), 25u);
    QCOMPARE(model.receivedRecords(), 35u);
    model.setPaused(false);
    QCOMPARE(inserted.count(), 1); // what arrived while paused comes in one batch
    QCOMPARE(model.rowCount(), 35);
    QCOMPARE(model.pendingRows(), 0u);
    QCOMPARE(gsnOfRow(model, 34), 35u);
}

void tst_LiveModel::pauseKeepsMemoryBounded()
{
    LiveModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(100);
    model.setPaused(true);
    for (std::uint64_t i = 0; i < 20; ++i)
        model.append(records(i * 50 + 1, i * 50 + 50));
    QCOMPARE(model.pendingRows(), 100u);
    QCOMPARE(model.droppedRows(), 900u);
    QCOMPARE(model.receivedRecords(), 1000u);
    model.setPaused(false);
    QCOMPARE(model.rowCount(), 100);
    QCOMPARE(gsnOfRow(model, 0), 901u);
    QCOMPARE(gsnOfRow(model, 99), 1000u);
}

void tst_LiveModel::filterAppliesWhileTailing()
{
    LiveModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(records(1, 20));
    auto filter = RecordFilter::parse("amount >= 150");
    QVERIFY(filter.ok());
    model.setFilter(filter.value());
    QCOMPARE(model.rowCount(), 6); // 15..20
    QCOMPARE(gsnOfRow(model, 0), 15u);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.append(records(21, 30));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 16);
    QCOMPARE(model.keptRows(), 30u);

    // A batch with no match inserts nothing.
    auto words = RecordFilter::parse("e33");
    QVERIFY(words.ok());
    model.setFilter(words.value());
    QCOMPARE(model.rowCount(), 0);
    inserted.clear();
    model.append(records(31, 32));
    QCOMPARE(inserted.count(), 0);
    model.append(records(33, 34));
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(gsnOfRow(model, 0), 33u);

    // Back to everything: every kept row shows.
    model.setFilter(RecordFilter());
    QCOMPARE(model.rowCount(), 34);
}

void tst_LiveModel::eventTypeFilter()
{
    LiveModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setEventTypes({QStringLiteral("Deposited")});
    model.append(records(1, 10));
    QCOMPARE(model.rowCount(), 5);
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.data(model.index(row, 0), LiveModel::EventTypeRole).toString(), QStringLiteral("Deposited"));
    // The limit counts kept rows, shown or not: the oldest go, whatever their type.
    model.setMaxRows(4);
    QCOMPARE(model.keptRows(), 4u);
    QCOMPARE(model.rowCount(), 2); // 8 and 10
    QCOMPARE(gsnOfRow(model, 0), 8u);
}

void tst_LiveModel::missedMarkerIsARowEveryFilterShows()
{
    LiveModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto filter = RecordFilter::parse("eventType = Nothing");
    QVERIFY(filter.ok());
    model.setFilter(filter.value());
    std::deque<LiveItem> batch = records(1, 3);
    batch.push_back(marker(500, 4, 503));
    for (auto &item : records(504, 505))
        batch.push_back(std::move(item));
    model.append(std::move(batch));
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(model.isMarker(0));
    QVERIFY(!model.rowAt(0));
    QCOMPARE(model.data(model.index(0, 0), LiveModel::MissedCountRole).toULongLong(), 500u);
    QVERIFY(model.data(model.index(0, LiveModel::EventType)).toString().contains(QStringLiteral("500")));
    QCOMPARE(model.missedRecords(), 500u);
    QCOMPARE(model.receivedRecords(), 5u);
    model.setFilter(RecordFilter());
    QCOMPARE(model.rowCount(), 6);
    QVERIFY(model.isMarker(3));
    QCOMPARE(gsnOfRow(model, 4), 504u);
}

void tst_LiveModel::clearForgetsEverything()
{
    LiveModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setMaxRows(10);
    model.append(records(1, 30));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.droppedRows(), 0u);
    QCOMPARE(model.receivedRecords(), 0u);
    model.append(records(31, 32));
    QCOMPARE(gsnOfRow(model, 0), 31u);
}

void tst_LiveModel::queueDropsOldestButNeverMarkers()
{
    LiveQueue queue(5);
    for (const LiveItem &item : records(1, 3))
        queue.accept(item.record);
    queue.missed(7, 4, 10);
    for (const LiveItem &item : records(11, 15))
        queue.accept(item.record);
    QCOMPARE(queue.received(), 8u);
    LiveQueue::Taken taken = queue.take();
    QCOMPARE(taken.dropped, 3u);
    QCOMPARE(int(taken.items.size()), 6);
    QVERIFY(taken.items.front().isMarker());
    QCOMPARE(taken.items[1].record.globalSequenceNumber, 11u);
    QCOMPARE(queue.pending(), 0u);
    LiveModel model;
    model.append(std::move(taken.items), taken.dropped);
    QCOMPARE(model.receivedRecords(), 8u);
    QCOMPARE(model.droppedRows(), 3u);
    QCOMPARE(model.missedRecords(), 7u);
    QCOMPARE(model.rowCount(), 6);
}

void tst_LiveModel::rateMeterKeepsAMinute()
{
    RateMeter meter;
    meter.addEvents(100);
    meter.addEvents(20);
    meter.tick();
    QCOMPARE(meter.eventsPerSecond(), 120u);
    for (int i = 0; i < 100; ++i) {
        meter.addEvents(quint64(i));
        meter.tick();
    }
    QCOMPARE(int(meter.history().size()), RateMeter::kSeconds);
    QCOMPARE(meter.eventsPerSecond(), 99u);
    QCOMPARE(meter.history().front(), 40u);
    meter.reset();
    QCOMPARE(meter.eventsPerSecond(), 0u);
}

QTEST_MAIN(tst_LiveModel)
#include "tst_livemodel.moc"
