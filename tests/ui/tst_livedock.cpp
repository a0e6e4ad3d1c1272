#include "inspectordock.h"
#include "livedock.h"
#include "mainwindow.h"
#include "recordinspector.h"
#include "servecontrol.h"

#include "rangedb/leveldbstore.h"
#include "rangedb/memorystore.h"
#include "rangedb/server.h"

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

using namespace rangedb;
using namespace rangedb::ui;

namespace {

// `count` events spread over the aggregate types account, order and sensor (in turn).
std::vector<EventRecord> events(int count, int offset = 0)
{
    static const char *const types[] = {"account", "order", "sensor"};
    std::vector<EventRecord> out;
    for (int i = offset; i < offset + count; ++i) {
        EventRecord e;
        e.aggregateType = types[i % 3];
        e.aggregateId = "id" + std::to_string(i % 5);
        e.eventType = std::string(types[i % 3]) + "Changed";
        e.data = "{\"n\":" + std::to_string(i) + "}";
        out.push_back(std::move(e));
    }
    return out;
}

void saveEach(Store &store, const std::vector<EventRecord> &records)
{
    for (const EventRecord &record : records)
        QVERIFY(store.save(std::span(&record, 1)).ok());
}

// The rows' global sequence numbers, in view order.
std::vector<quint64> shownSequence(const LiveModel &model)
{
    std::vector<quint64> out;
    for (int row = 0; row < model.rowCount(); ++row)
        out.push_back(model.data(model.index(row, 0), LiveModel::GlobalSequenceRole).toULongLong());
    return out;
}

bool isRun(const std::vector<quint64> &values, quint64 first, quint64 last)
{
    if (values.size() != last - first + 1)
        return false;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i] != first + i)
            return false;
    }
    return true;
}

// GET url; the HTTP status, or -1 when the request failed to connect.
int httpStatus(const QUrl &url, QByteArray *body = nullptr, const QByteArray &post = {})
{
    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    QNetworkReply *reply = nullptr;
    if (post.isEmpty()) {
        reply = manager.get(request);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        reply = manager.post(request, post);
    }
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.wait(10000))
        return -2;
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (body)
        *body = reply->readAll();
    reply->deleteLater();
    return status.isValid() ? status.toInt() : -1;
}

} // namespace

class tst_LiveDock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fromBeginningCatchesUpThenFollows();
    void fromAGlobalSequenceNumber();
    void fromNowShowsOnlyNewEvents();
    void byAggregateTypes();
    void twoPanesAtOnce();
    void invalidControlsSayWhy();
    void autoScrollFollowsUntilTheUserScrollsUp();
    void pauseCountsThenShows();
    void selectingARowShowsItInTheInspector();
    void closingTheDatabaseStopsAndReopeningResumes();
    void serveToggleServesAndStopsOnClose();
    void readOnlyDatabaseIsServedReadOnly();

private:
    QTemporaryDir m_dir;
};

void tst_LiveDock::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("rangedb-workbench-tests"));
    QSettings().clear();
}

void tst_LiveDock::fromBeginningCatchesUpThenFollows()
{
    auto store = std::make_shared<MemoryStore>();
    saveEach(*store, events(300));
    StoreService service;
    service.adopt(store, QStringLiteral("memory"));
    LiveDock dock(&service);
    QSignalSpy started(&dock, &LiveDock::followStarted);
    dock.follow({{}, LiveOptions::Start::Beginning, 0});
    QVERIFY(dock.isFollowing());
    QVERIFY(started.wait(5000));
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->receivedRecords(), 300u, 5000);

    // Saves go on from another thread while the pane follows: every one shows, once, in order.
    QSignalSpy inserted(dock.model(), &QAbstractItemModel::rowsInserted);
    std::thread writer([store] {
        auto more = events(200, 300);
        for (const EventRecord &record : more)
            (void)store->save(std::span(&record, 1));
    });
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->receivedRecords(), 500u, 10000);
    writer.join();
    QVERIFY(isRun(shownSequence(*dock.model()), 1, 500));
    // Batches, not one insert per event (the writer is far faster than a frame).
    QVERIFY2(inserted.count() < 200, qPrintable(QString::number(inserted.count())));
    QCOMPARE(dock.model()->missedRecords(), 0u);
    QVERIFY(dock.statusText().contains(QStringLiteral("Following all events from the beginning")));
}

void tst_LiveDock::fromAGlobalSequenceNumber()
{
    auto store = std::make_shared<MemoryStore>();
    saveEach(*store, events(100));
    StoreService service;
    service.adopt(store, QStringLiteral("memory"));
    LiveDock dock(&service);
    dock.follow({{}, LiveOptions::Start::FromGlobalSequence, 61});
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->receivedRecords(), 40u, 5000);
    saveEach(*store, events(5, 100));
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->receivedRecords(), 45u, 5000);
    QVERIFY(isRun(shownSequence(*dock.model()), 61, 105));
}

void tst_LiveDock::fromNowShowsOnlyNewEvents()
{
    auto store = std::make_shared<MemoryStore>();
    saveEach(*store, events(50));
    StoreService service;
    service.adopt(store, QStringLiteral("memory"));
    LiveDock dock(&service);
    QSignalSpy started(&dock, &LiveDock::followStarted);
    dock.follow({});
    QVERIFY(started.wait(5000));
    QVERIFY(dock.isLive());
    saveEach(*store, events(7, 50));
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->receivedRecords(), 7u, 5000);
    QVERIFY(isRun(shownSequence(*dock.model()), 51, 57));
}

void tst_LiveDock::byAggregateTypes()
{
    auto store = std::make_shared<MemoryStore>();
    saveEach(*store, events(90));
    StoreService service;
    service.adopt(store, QStringLiteral("memory"));
    LiveDock dock(&service);
    dock.follow({{"order", "sensor"}, LiveOptions::Start::Beginning, 0});
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->receivedRecords(), 60u, 5000);
    saveEach(*store, events(9, 90));
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->receivedRecords(), 66u, 5000);
    for (int row = 0; row < dock.model()->rowCount(); ++row) {
        const std::string &type = dock.model()->rowAt(row)->record.aggregateType;
        QVERIFY2(type == "order" || type == "sensor", type.c_str());
    }
    const auto shown = shownSequence(*dock.model());
    QVERIFY(std::is_sorted(shown.begin(), shown.end()));
    QVERIFY(std::adjacent_find(shown.begin(), shown.end()) == shown.end());
}

void tst_LiveDock::twoPanesAtOnce()
{
    auto store = std::make_shared<MemoryStore>();
    saveEach(*store, events(30));
    StoreService service;
    service.adopt(store, QStringLiteral("memory"));
    LiveDock all(&service);
    LiveDock accounts(&service);
    QSignalSpy allStarted(&all, &LiveDock::followStarted);
    all.follow({});
    accounts.follow({{"account"}, LiveOptions::Start::Beginning, 0});
    QVERIFY(allStarted.count() || allStarted.wait(5000));
    QTRY_COMPARE_WITH_TIMEOUT(accounts.model()->receivedRecords(), 10u, 5000);
    saveEach(*store, events(30, 30));
    QTRY_COMPARE_WITH_TIMEOUT(all.model()->receivedRecords(), 30u, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(accounts.model()->receivedRecords(), 20u, 5000);
    QVERIFY(isRun(shownSequence(*all.model()), 31, 60));

    // Stopping one leaves the other following.
    accounts.stop();
    saveEach(*store, events(3, 60));
    QTRY_COMPARE_WITH_TIMEOUT(all.model()->receivedRecords(), 33u, 5000);
    QTest::qWait(50);
    QCOMPARE(accounts.model()->receivedRecords(), 20u);
}

void tst_LiveDock::invalidControlsSayWhy()
{
    auto store = std::make_shared<MemoryStore>();
    StoreService service;
    LiveDock dock(&service);
    QSignalSpy failed(&dock, &LiveDock::followFailed);
    dock.follow({});
    QVERIFY(!dock.isFollowing());
    QCOMPARE(failed.count(), 1);
    QVERIFY(dock.statusText().contains(QStringLiteral("No database is open")));

    service.adopt(store, QStringLiteral("memory"));
    dock.follow({{}, LiveOptions::Start::FromGlobalSequence, 5});
    QVERIFY(dock.isFollowing());
    auto *from = dock.findChild<QLineEdit *>(QStringLiteral("liveFrom"));
    QVERIFY(from);
    from->setText(QStringLiteral("twelve"));
    QVERIFY(!dock.followFromControls());
    QVERIFY(dock.statusText().contains(QStringLiteral("“twelve” is not a global sequence number")));
    from->setText(QStringLiteral("12"));
    dock.findChild<QLineEdit *>(QStringLiteral("liveTypes"))->setText(QStringLiteral("order, $bad"));
    QVERIFY(!dock.followFromControls());
    QVERIFY(dock.statusText().contains(QStringLiteral("$bad")));
    dock.findChild<QLineEdit *>(QStringLiteral("liveTypes"))->setText(QStringLiteral("order sensor"));
    QVERIFY(dock.followFromControls());
    QCOMPARE(dock.options().aggregateTypes, (std::vector<std::string>{"order", "sensor"}));
    QCOMPARE(dock.options().from, 12u);
}

void tst_LiveDock::autoScrollFollowsUntilTheUserScrollsUp()
{
    auto store = std::make_shared<MemoryStore>();
    StoreService service;
    service.adopt(store, QStringLiteral("memory"));
    LiveDock dock(&service);
    dock.resize(800, 300);
    dock.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dock));
    QSignalSpy started(&dock, &LiveDock::followStarted);
    dock.follow({});
    QVERIFY(started.wait(5000));
    QScrollBar *bar = dock.view()->verticalScrollBar();
    saveEach(*store, events(200));
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->rowCount(), 200, 5000);
    QTRY_VERIFY(bar->maximum() > 0);
    QCOMPARE(bar->value(), bar->maximum());
    QVERIFY(dock.isAutoScroll());

    // The user scrolls up: new rows no longer move the view.
    bar->setValue(10);
    QVERIFY(!dock.isAutoScroll());
    QVERIFY(dock.statusText().contains(QStringLiteral("auto-scroll off")));
    saveEach(*store, events(100, 200));
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->rowCount(), 300, 5000);
    QCOMPARE(bar->value(), 10);

    // Back at the bottom: following again.
    bar->setValue(bar->maximum());
    QVERIFY(dock.isAutoScroll());
    saveEach(*store, events(50, 300));
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->rowCount(), 350, 5000);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QCOMPARE(dock.view()->rowAt(dock.view()->viewport()->height() - 2), 349);
}

void tst_LiveDock::pauseCountsThenShows()
{
    auto store = std::make_shared<MemoryStore>();
    StoreService service;
    service.adopt(store, QStringLiteral("memory"));
    LiveDock dock(&service);
    QSignalSpy started(&dock, &LiveDock::followStarted);
    dock.follow({});
    QVERIFY(started.wait(5000));
    saveEach(*store, events(5));
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->rowCount(), 5, 5000);
    dock.setPaused(true);
    saveEach(*store, events(20, 5));
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->pendingRows(), 20u, 5000);
    QCOMPARE(dock.model()->rowCount(), 5);
    QVERIFY2(dock.statusText().contains(QStringLiteral("paused: 20 new")), qPrintable(dock.statusText()));
    dock.setPaused(false);
    QCOMPARE(dock.model()->rowCount(), 25);
    QVERIFY(isRun(shownSequence(*dock.model()), 1, 25));
    QVERIFY(!dock.statusText().contains(QStringLiteral("paused")));
}

void tst_LiveDock::selectingARowShowsItInTheInspector()
{
    auto store = std::make_shared<MemoryStore>();
    MainWindow window;
    window.setInteractive(false);
    window.service()->adopt(store, QStringLiteral("memory"));
    LiveDock *pane = window.newLivePane();
    QSignalSpy started(pane, &LiveDock::followStarted);
    pane->follow({});
    QVERIFY(started.wait(5000));
    saveEach(*store, events(12));
    QTRY_COMPARE_WITH_TIMEOUT(pane->model()->rowCount(), 12, 5000);
    pane->view()->selectRow(4);
    RecordInspector *inspector = window.inspectorDock()->inspector();
    QTRY_VERIFY(inspector->hasRecord());
    QCOMPARE(inspector->record().globalSequenceNumber, 5u);
    QCOMPARE(inspector->record().data, std::string("{\"n\":4}"));

    // A second pane from the menu, its own title.
    LiveDock *second = window.newLivePane();
    QVERIFY(second != pane);
    QVERIFY(second->objectName() != pane->objectName());
}

void tst_LiveDock::closingTheDatabaseStopsAndReopeningResumes()
{
    auto store = std::make_shared<MemoryStore>();
    saveEach(*store, events(10));
    StoreService service;
    service.adopt(store, QStringLiteral("memory"));
    LiveDock dock(&service);
    dock.follow({{}, LiveOptions::Start::Beginning, 0});
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->receivedRecords(), 10u, 5000);
    service.close();
    QVERIFY(!dock.isFollowing());
    QCOMPARE(dock.model()->rowCount(), 10); // still there to read

    auto other = std::make_shared<MemoryStore>();
    saveEach(*other, events(4));
    service.adopt(other, QStringLiteral("other"));
    QVERIFY(dock.isFollowing());
    QTRY_COMPARE_WITH_TIMEOUT(dock.model()->receivedRecords(), 4u, 5000);
    QVERIFY(isRun(shownSequence(*dock.model()), 1, 4));
}

void tst_LiveDock::serveToggleServesAndStopsOnClose()
{
    auto store = std::make_shared<MemoryStore>();
    saveEach(*store, events(3));
    MainWindow window;
    window.setInteractive(false);
    ServeControl *serve = window.serveControl();
    serve->setInteractive(false);
    QAction *toggle = serve->toggleAction();
    QVERIFY(!toggle->isEnabled());
    window.service()->adopt(store, QStringLiteral("memory"));
    QVERIFY(toggle->isEnabled());

    QSettings().setValue(QStringLiteral("serve/port"), 0); // any free port
    toggle->trigger();
    QVERIFY(window.service()->isServing());
    QVERIFY(toggle->isChecked());
    const QUrl url = window.service()->serverUrl();
    QCOMPARE(url.host(), QStringLiteral("127.0.0.1"));
    QVERIFY(serve->statusLabel()->isVisibleTo(&window));
    QVERIFY(serve->statusLabel()->text().contains(url.toString()));

    QByteArray body;
    QCOMPARE(httpStatus(QUrl(url.toString() + QStringLiteral("/api/health-check")), &body), 200);
    QCOMPARE(body, QByteArray(R"({"status":"OK"})"));

    // What a client appends shows in a live pane.
    LiveDock *pane = window.newLivePane();
    QSignalSpy started(pane, &LiveDock::followStarted);
    pane->follow({});
    QVERIFY(started.wait(5000));
    QCOMPARE(httpStatus(QUrl(url.toString() + QStringLiteral("/api/save-events/thing/0123456789abcdef0123456789abcdef")), nullptr,
                        R"([{"eventType":"ThingWasDone","data":{"number":7}}])"),
             201);
    QTRY_COMPARE_WITH_TIMEOUT(pane->model()->rowCount(), 1, 5000);
    QCOMPARE(pane->model()->rowAt(0)->record.eventType, std::string("ThingWasDone"));

    // Toggled off, then on and closed with the database.
    toggle->trigger();
    QVERIFY(!window.service()->isServing());
    QVERIFY(!serve->statusLabel()->isVisibleTo(&window));
    QCOMPARE(httpStatus(QUrl(url.toString() + QStringLiteral("/api/health-check"))), -1);
    QVERIFY(serve->serve(0).ok());
    const QUrl again = window.service()->serverUrl();
    QCOMPARE(httpStatus(QUrl(again.toString() + QStringLiteral("/api/health-check"))), 200);
    window.service()->close();
    QVERIFY(!window.service()->isServing());
    QVERIFY(!toggle->isChecked());
    QVERIFY(!toggle->isEnabled());
    QCOMPARE(httpStatus(QUrl(again.toString() + QStringLiteral("/api/health-check"))), -1);

    // A taken port is an error that names it.
    window.service()->adopt(store, QStringLiteral("memory"));
    QVERIFY(serve->serve(0).ok());
    const quint16 taken = window.service()->serverUrl().port();
    StoreService second;
    second.adopt(store, QStringLiteral("memory"));
    server::ServerOptions options;
    options.port = taken;
    Status refused = second.startServing(options);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.message().find(std::to_string(taken)) != std::string::npos, refused.message().c_str());
}

void tst_LiveDock::readOnlyDatabaseIsServedReadOnly()
{
    const QString path = m_dir.filePath(QStringLiteral("readonly"));
    {
        LevelDbOptions options;
        options.createIfMissing = true;
        auto created = LevelDbStore::open(path.toStdString(), options);
        QVERIFY(created.ok());
        saveEach(*created.value(), events(2));
    }
    MainWindow window;
    window.setInteractive(false);
    QSignalSpy opened(window.service(), &StoreService::opened);
    window.openDatabase(OpenRequest{path, true, false, Serializer::Json});
    QVERIFY(opened.wait(10000));
    QVERIFY(window.service()->isReadOnly());
    QVERIFY(window.serveControl()->serve(0).ok());
    const QString base = window.service()->serverUrl().toString();
    QVERIFY(window.serveControl()->statusLabel()->text().contains(QStringLiteral("read-only")));
    QCOMPARE(httpStatus(QUrl(base + QStringLiteral("/api/save-events/thing/0123456789abcdef0123456789abcdef")), nullptr,
                        R"([{"eventType":"ThingWasDone","data":{}}])"),
             403);
    QByteArray body;
    QCOMPARE(httpStatus(QUrl(base + QStringLiteral("/api/events.json")), &body), 200);
    QVERIFY(body.contains("accountChanged"));
}

QTEST_MAIN(tst_LiveDock)
#include "tst_livedock.moc"
