#include "databasedock.h"
#include "eventeditordock.h"
#include "livedock.h"
#include "inspectordock.h"
#include "mainwindow.h"
#include "recordinspector.h"
#include "recordpage.h"
#include "recordtablemodel.h"

#include "rangedb/leveldbstore.h"
#include "testutil.h"

#include <QAction>
#include <QApplication>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTreeView>

#include <leveldb/db.h>

#include <iostream>

using namespace rangedb;
using namespace rangedb::ui;

class tst_MainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fixtureShowsTreeTableAndInspector_data();
    void fixtureShowsTreeTableAndInspector();
    void choosingATreeItemShowsItsScope();
    void searchCountsAndStepsThroughMatches();
    void readOnlyDatabaseIsNeverWritten();
    void lockedDatabaseOffersASnapshotCopy();
    void corruptedDatabaseSaysWhatIsWrong();
    void undecodableRecordIsShownWithItsError();
    void damagedTableOffersTheCheck();
    void recentDatabasesPersist();
    void appendLikeFromALivePaneFillsTheEditor();

private:
    QString copyFixture(const QString &name);
    bool openAndWait(MainWindow &window, const OpenRequest &request);
    QTemporaryDir m_dir;
};

void tst_MainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true); // settings in a test location
    QCoreApplication::setOrganizationName(QStringLiteral("rangedb-workbench-tests"));
    QSettings().clear();
    QLocale::setDefault(QLocale::c());
}

QString tst_MainWindow::copyFixture(const QString &name)
{
    const QString target = m_dir.filePath(name + QString::number(QRandomGenerator::global()->generate()));
    return test::copyFolder(test::fixtureDir() + QLatin1Char('/') + name, target) ? target : QString();
}

bool tst_MainWindow::openAndWait(MainWindow &window, const OpenRequest &request)
{
    QSignalSpy opened(window.service(), &StoreService::opened);
    window.openDatabase(request);
    if (!opened.wait(10000))
        return false;
    RecordTableModel *model = window.recordPage()->model();
    return QTest::qWaitFor([&] { return !model->isCounting() && !window.databaseDock()->model()->isCounting(); },
                           10000);
}

void tst_MainWindow::fixtureShowsTreeTableAndInspector_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::newRow("json-store") << QStringLiteral("json-store");
    QTest::newRow("msgpack-store") << QStringLiteral("msgpack-store");
}

void tst_MainWindow::fixtureShowsTreeTableAndInspector()
{
    QFETCH(QString, fixture);
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, OpenRequest{copyFixture(fixture), false, false, Serializer::Json}));

    // Tree: All events and the five aggregate types with the counts rangedb reports.
    QTreeView *tree = window.databaseDock()->view();
    QCOMPARE(tree->model()->rowCount(), 6);
    QCOMPARE(tree->model()->index(0, 0).data().toString(), QStringLiteral("All events"));
    QCOMPARE(tree->model()->index(0, 1).data().toString(), QStringLiteral("60"));
    QCOMPARE(tree->model()->index(1, 0).data().toString(), QStringLiteral("account"));
    QCOMPARE(tree->model()->index(1, 1).data().toString(), QStringLiteral("18"));
    QCOMPARE(tree->model()->index(5, 0).data().toString(), QStringLiteral("thing"));
    QCOMPARE(tree->model()->index(5, 1).data().toString(), QStringLiteral("15"));

    // Table: all 60 live events in global order, the gap 9-12 of the deleted stream.
    QTableView *table = window.recordPage()->view();
    RecordTableModel *model = window.recordPage()->model();
    QCOMPARE(model->rowCount(), 60);
    QTRY_VERIFY(model->data(model->index(59, 0), RecordTableModel::LoadedRole).toBool());
    QCOMPARE(model->index(7, RecordTableModel::GlobalSequence).data().toULongLong(), 8ull);
    QCOMPARE(model->index(8, RecordTableModel::GlobalSequence).data().toULongLong(), 13ull);
    QCOMPARE(model->index(59, RecordTableModel::GlobalSequence).data().toULongLong(), 64ull);
    QCOMPARE(model->index(0, RecordTableModel::EventType).data().toString(), QStringLiteral("AccountWasOpened"));
    QCOMPARE(model->index(0, RecordTableModel::Time).data().toString(), RecordTableModel::formatTime(1609459200, false));

    // The first row is selected and shown in the inspector, with its stored bytes.
    QTRY_VERIFY(table->currentIndex().isValid());
    RecordInspector *inspector = window.inspectorDock()->inspector();
    QTRY_VERIFY(inspector->hasRecord());
    QCOMPARE(QString::fromStdString(inspector->record().streamName()), QStringLiteral("account!acct-0001.eu"));
    QTRY_VERIFY(!inspector->storedBytesSummary().isEmpty());

    // Keyboard: Down moves the selection and the inspector follows.
    table->setFocus();
    QTest::keyClick(table, Qt::Key_Down);
    QTRY_COMPARE(quint64(inspector->record().globalSequenceNumber), 2ull);
    QCOMPARE(QString::fromStdString(inspector->record().eventType),
             model->index(1, RecordTableModel::EventType).data().toString());

    // The event-type field completes the last item of its list from the rows seen.
    QTRY_VERIFY(window.recordPage()->knownEventTypes().contains(QStringLiteral("AccountWasOpened")));
    auto *types = window.recordPage()->findChild<QLineEdit *>(QStringLiteral("eventTypeFilter"));
    QVERIFY(types && types->completer());
    types->setText(QStringLiteral("ThingWasDone, accountwaso"));
    QCOMPARE(types->completer()->splitPath(types->text()), QStringList{QStringLiteral("accountwaso")});
    types->completer()->setCompletionPrefix(QStringLiteral("accountwaso"));
    QVERIFY(types->completer()->setCurrentRow(0));
    // What the field receives: the list's head kept, the last item completed.
    QCOMPARE(types->completer()->currentCompletion(), QStringLiteral("ThingWasDone, AccountWasOpened"));
    types->clear();

    // Status bar: path, serializer, totals.
    const QString serializer = window.findChild<QLabel *>(QStringLiteral("serializerLabel"))->text();
    QCOMPARE(serializer, fixture == QLatin1String("json-store") ? QStringLiteral("JSON") : QStringLiteral("msgpack"));
    QTRY_COMPARE(window.findChild<QLabel *>(QStringLiteral("totalLabel"))->text(), QStringLiteral("60 events"));
    QTRY_COMPARE(window.findChild<QLabel *>(QStringLiteral("lastGsnLabel"))->text(), QStringLiteral("last global # 64"));
    QVERIFY(!window.findChild<QLabel *>(QStringLiteral("readOnlyBadge"))->isVisible());
}

void tst_MainWindow::choosingATreeItemShowsItsScope()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, OpenRequest{copyFixture(QStringLiteral("json-store")), false, false, Serializer::Json}));
    DatabaseDock *dock = window.databaseDock();
    RecordTableModel *model = window.recordPage()->model();

    dock->selectScope(Scope::ofAggregateTypes({"thing"}));
    QTRY_COMPARE(model->scope(), Scope::ofAggregateTypes({"thing"}));
    QTRY_VERIFY(!model->isCounting());
    QCOMPARE(model->rowCount(), 15);
    QCOMPARE(window.recordPage()->title(), QStringLiteral("Aggregate type thing"));

    // A stream: expand the type, choose the stream.
    const QModelIndex thing = dock->model()->indexOfAggregateType(QStringLiteral("thing"));
    dock->model()->fetchMore(thing);
    QTRY_VERIFY(dock->model()->indexOfStream(QStringLiteral("thing!1")).isValid());
    dock->selectScope(Scope::ofStream("thing!1"));
    QTRY_COMPARE(model->scope(), Scope::ofStream("thing!1"));
    QTRY_VERIFY(!model->isCounting());
    QCOMPARE(model->rowCount(), 4); // exactly thing!1, never thing!10
    QTRY_VERIFY(model->data(model->index(3, 0), RecordTableModel::LoadedRole).toBool());
    for (int row = 0; row < 4; ++row) {
        QCOMPARE(model->index(row, RecordTableModel::AggregateId).data().toString(), QStringLiteral("1"));
        QCOMPARE(model->index(row, RecordTableModel::StreamSequence).data().toULongLong(), quint64(row + 1));
    }

    // The tree filter keeps the matching type and its parents.
    dock->filterEdit()->setText(QStringLiteral("sens"));
    QTreeView *tree = dock->view();
    QTRY_COMPARE(tree->model()->rowCount(), 2);
    QCOMPARE(tree->model()->index(1, 0).data().toString(), QStringLiteral("sensor"));
}

void tst_MainWindow::searchCountsAndStepsThroughMatches()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, OpenRequest{copyFixture(QStringLiteral("json-store")), false, false, Serializer::Json}));
    RecordPage *page = window.recordPage();
    QSignalSpy finished(page, &RecordPage::searchFinished);

    QString error;
    QVERIFY(!page->startSearch(QStringLiteral("amount >"), &error));
    QVERIFY2(error.contains(QLatin1String("column")), qPrintable(error));

    QVERIFY(page->startSearch(QStringLiteral("aggregateType = account"), &error));
    QVERIFY(finished.wait(10000));
    QCOMPARE(page->matchCount(), 18ull);
    // Stepping selects matches, in order, wrapping at the end.
    QTRY_VERIFY(page->view()->currentIndex().isValid());
    RecordTableModel *model = page->model();
    quint64 previous = 0;
    for (int i = 0; i < 18; ++i) {
        const int row = page->view()->currentIndex().row();
        QTRY_VERIFY(model->rowAt(row));
        QCOMPARE(QString::fromStdString(model->rowAt(row)->record.aggregateType), QStringLiteral("account"));
        QVERIFY(model->rowAt(row)->record.globalSequenceNumber > previous || i == 0);
        previous = model->rowAt(row)->record.globalSequenceNumber;
        page->findNext();
    }
    // Only matches: the table shows the 18 rows.
    page->setOnlyMatches(true);
    QTRY_VERIFY(!model->isCounting());
    QCOMPARE(model->rowCount(), 18);
    page->setOnlyMatches(false);
    QTRY_VERIFY(!model->isCounting());
    QCOMPARE(model->rowCount(), 60);
}

void tst_MainWindow::readOnlyDatabaseIsNeverWritten()
{
    const QString path = copyFixture(QStringLiteral("json-store"));
    const QByteArray before = test::folderDigest(path);
    {
        MainWindow window;
        window.setInteractive(false);
        window.show();
        QVERIFY(openAndWait(window, OpenRequest{path, true, false, Serializer::Json}));
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("readOnlyBadge"))->isVisible());
        QVERIFY(!window.writeActions().isEmpty());
        for (QAction *action : window.writeActions())
            QVERIFY2(!action->isEnabled(), qPrintable(action->text()));
        RecordTableModel *model = window.recordPage()->model();
        QTRY_VERIFY(model->data(model->index(59, 0), RecordTableModel::LoadedRole).toBool());
        window.service()->close();
    }
    QTest::qWait(300); // the store closes on a worker
    QCOMPARE(test::folderDigest(path), before);
}

void tst_MainWindow::lockedDatabaseOffersASnapshotCopy()
{
    const QString path = copyFixture(QStringLiteral("json-store"));
    QProcess holder;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("RANGEDB_TEST_HOLD_DB"), path);
    holder.setProcessEnvironment(env);
    holder.start(QCoreApplication::applicationFilePath(), {});
    QVERIFY(holder.waitForReadyRead(10000));
    QCOMPARE(holder.readLine().trimmed(), QByteArray("held"));

    MainWindow window;
    window.setInteractive(false);
    window.show();
    QSignalSpy failed(window.service(), &StoreService::openFailed);
    window.openDatabase(OpenRequest{path, false, false, Serializer::Json});
    QVERIFY(failed.wait(10000));
    QVERIFY2(window.lastMessage().contains(QLatin1String("open in another program")), qPrintable(window.lastMessage()));
    QVERIFY(window.lastMessage().contains(QLatin1String("snapshot copy")));

    // What "Open" in that message does: a read-only copy, with every event.
    OpenRequest snapshot{path, true, false, Serializer::Json};
    snapshot.snapshotCopy = true;
    QVERIFY(openAndWait(window, snapshot));
    QVERIFY(window.service()->isReadOnly());
    const QString copy = window.service()->info().snapshotPath;
    QVERIFY(!copy.isEmpty() && copy != path);
    QCOMPARE(window.recordPage()->model()->rowCount(), 60);
    QVERIFY(window.windowTitle().contains(QLatin1String("snapshot")));
    window.service()->close();
    QTRY_VERIFY(!QFileInfo::exists(copy)); // the copy goes with the close

    holder.kill();
    holder.waitForFinished();
}

void tst_MainWindow::corruptedDatabaseSaysWhatIsWrong()
{
    const QString path = copyFixture(QStringLiteral("json-store"));
    // Damage the catalogue: LevelDB can no longer find its tables.
    QDir dir(path);
    const QStringList manifests = dir.entryList({QStringLiteral("MANIFEST-*")});
    QVERIFY(!manifests.isEmpty());
    QFile manifest(dir.filePath(manifests.front()));
    QVERIFY(manifest.open(QIODevice::ReadWrite));
    QByteArray bytes = manifest.readAll();
    for (qsizetype i = 10; i < bytes.size(); i += 7)
        bytes[i] = char(bytes[i] ^ 0x5a);
    manifest.seek(0);
    manifest.write(bytes);
    manifest.close();

    MainWindow window;
    window.setInteractive(false);
    window.show();
    QSignalSpy failed(window.service(), &StoreService::openFailed);
    window.openDatabase(OpenRequest{path, false, false, Serializer::Json});
    QVERIFY(failed.wait(10000));
    QCOMPARE(failed.first().at(1).value<Status>().code(), ErrorCode::Corruption);
    QVERIFY2(window.lastMessage().contains(QLatin1String("damaged")), qPrintable(window.lastMessage()));
    QVERIFY(window.lastMessage().contains(QLatin1String("orruption"))); // LevelDB's own words
    QVERIFY(!window.service()->isOpen());
}

void tst_MainWindow::undecodableRecordIsShownWithItsError()
{
    const QString path = m_dir.filePath(QStringLiteral("broken"));
    {
        LevelDbOptions options;
        options.createIfMissing = true;
        auto store = LevelDbStore::open(path.toStdString(), options);
        QVERIFY(store.ok());
        for (int i = 0; i < 5; ++i)
            QVERIFY(store.value()->save(std::vector<EventRecord>{{"thing", "A", "Happened", "{}", "null"}}).ok());
    }
    {
        // Overwrite thing!A's third record with bytes that are neither JSON nor msgpack.
        leveldb::DB *raw = nullptr;
        QVERIFY(leveldb::DB::Open(leveldb::Options(), path.toStdString(), &raw).ok());
        std::unique_ptr<leveldb::DB> db(raw);
        std::string key = "thing!A!";
        key.append(7, '\0');
        key.push_back('\3');
        QVERIFY(db->Put(leveldb::WriteOptions(), key, "\x01garbage").ok());
    }
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, OpenRequest{path, true, false, Serializer::Json}));
    RecordTableModel *model = window.recordPage()->model();
    QCOMPARE(model->rowCount(), 5);
    QTRY_VERIFY(model->data(model->index(4, 0), RecordTableModel::LoadedRole).toBool());
    QVERIFY(model->index(2, 0).data(RecordTableModel::DecodeErrorRole).toString().contains(QLatin1String("thing!A")));
    QVERIFY(model->index(3, 0).data(RecordTableModel::DecodeErrorRole).toString().isEmpty());
    window.recordPage()->selectRow(2);
    QTRY_VERIFY(window.inspectorDock()->inspector()->hasDecodeError());
}

void tst_MainWindow::damagedTableOffersTheCheck()
{
    const QString path = copyFixture(QStringLiteral("json-store"));
    // Flip bytes in the data blocks of the biggest table: its checksums no longer match.
    QFile table(QDir(path).filePath(QStringLiteral("000047.ldb")));
    QVERIFY(table.open(QIODevice::ReadWrite));
    QByteArray bytes = table.readAll();
    for (qsizetype i = 64; i < bytes.size() / 2; i += 13)
        bytes[i] = char(bytes[i] ^ 0xff);
    table.seek(0);
    table.write(bytes);
    table.close();

    MainWindow window;
    window.setInteractive(false);
    window.show();
    QSignalSpy opened(window.service(), &StoreService::opened);
    window.openDatabase(OpenRequest{path, true, false, Serializer::Json});
    QVERIFY(opened.wait(10000));
    QTRY_VERIFY2(window.lastMessage().contains(QLatin1String("may be damaged")), qPrintable(window.lastMessage()));
    QVERIFY(window.lastMessage().contains(QLatin1String("orruption")));

    // The check reads everything and says what is wrong (or why it could not finish).
    QAction *check = nullptr;
    for (QAction *action : window.findChildren<QAction *>()) {
        if (action->text() == QStringLiteral("&Check Database…"))
            check = action;
    }
    QVERIFY(check && check->isEnabled());
    check->trigger();
    QTRY_VERIFY2(window.lastMessage().contains(QLatin1String("problems"))
                     || window.lastMessage().contains(QLatin1String("could not finish")),
                 qPrintable(window.lastMessage()));
    QVERIFY(window.lastMessage().contains(QLatin1String("orruption")));
}

void tst_MainWindow::recentDatabasesPersist()
{
    const QString path = copyFixture(QStringLiteral("json-store"));
    {
        MainWindow window;
        window.setInteractive(false);
        QVERIFY(openAndWait(window, OpenRequest{path, false, false, Serializer::Json}));
        window.close(); // saves geometry and dock layout
    }
    QSettings settings;
    QCOMPARE(settings.value(QStringLiteral("recentDatabases")).toStringList().value(0), QDir::cleanPath(path));
    QVERIFY(!settings.value(QStringLiteral("window/state")).toByteArray().isEmpty());
}

void tst_MainWindow::appendLikeFromALivePaneFillsTheEditor()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, OpenRequest{copyFixture(QStringLiteral("json-store")), false, false, Serializer::Json}));
    LiveDock *live = window.newLivePane();
    QVERIFY(live);
    Record record;
    record.aggregateType = "sensor";
    record.aggregateId = "station-oslo.02";
    record.eventType = "TemperatureWasMeasured";
    record.data = "{\"celsius\":-3.5}";
    Q_EMIT live->appendLikeRequested(record);
    EventEditorDock *editor = window.editorDock();
    QCOMPARE(editor->aggregateTypeEdit()->text(), QStringLiteral("sensor"));
    QCOMPARE(editor->aggregateIdEdit()->text(), QStringLiteral("station-oslo.02"));
    QCOMPARE(editor->eventTypeEdit()->text(), QStringLiteral("TemperatureWasMeasured"));
}

// With RANGEDB_TEST_HOLD_DB set, this executable only holds that database open (another
// process, for the locked-database test) until it is killed.
int main(int argc, char *argv[])
{
    const QByteArray hold = qgetenv("RANGEDB_TEST_HOLD_DB");
    if (!hold.isEmpty()) {
        LevelDbOptions options;
        auto store = LevelDbStore::open(hold.toStdString(), options);
        std::cout << (store.ok() ? "held" : store.status().message()) << std::endl;
        if (!store.ok())
            return 1;
        for (;;)
            QThread::sleep(1);
    }
    QApplication app(argc, argv);
    tst_MainWindow test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_mainwindow.moc"
