// The window's export (ExportDialog): every format equal to the engine's export, each scope
// (stream, table with a filter, search matches, selected rows cached or not) exactly its
// records, and a cancelled or failed export that leaves the previous file as it was.
#include "databasedock.h"
#include "exportdialog.h"
#include "mainwindow.h"
#include "recordpage.h"
#include "recordtablemodel.h"
#include "transferprogress.h"

#include "rangedb/generator.h"
#include "rangedb/json.h"
#include "rangedb/leveldbstore.h"
#include "rangedb/transfer.h"
#include "testutil.h"

#include <QAction>
#include <QApplication>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace rangedb;
using namespace rangedb::ui;

namespace {

std::unique_ptr<LevelDbStore> openStore(const QString &path)
{
    LevelDbOptions options;
    options.createIfMissing = true;
    auto store = LevelDbStore::open(path.toStdString(), options);
    return store.ok() ? std::move(store).value() : nullptr;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

std::vector<std::uint64_t> sequenceNumbers(const std::vector<Record> &records)
{
    std::vector<std::uint64_t> numbers;
    for (const Record &r : records)
        numbers.push_back(r.globalSequenceNumber);
    return numbers;
}

} // namespace

class tst_ExportDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void exportsLikeTheEngine_data();
    void exportsLikeTheEngine();
    void exportsAStream();
    void exportsTheTableAndTheSearchMatches();
    void exportsTheSelectedRows();
    void exportsSelectedRowsTheTableHasNotCached();
    void treeContextMenuChoosesTheScope();
    void cancelledExportLeavesThePreviousFile();
    void failedExportSaysWhyAndLeavesThePreviousFile();
    void progressFigures();

private:
    QString copyFixture(const QString &name);
    bool openAndWait(MainWindow &window, const QString &path);
    // Runs the dialog's export to `file` and waits for it; the exported records.
    bool exportAndWait(ExportDialog *dialog, const QString &file);
    QTemporaryDir m_dir;
};

void tst_ExportDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("rangedb-workbench-tests"));
    QSettings().clear();
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

QString tst_ExportDialog::copyFixture(const QString &name)
{
    const QString target = m_dir.filePath(name + QString::number(QRandomGenerator::global()->generate()));
    return test::copyFolder(test::fixtureDir() + QLatin1Char('/') + name, target) ? target : QString();
}

bool tst_ExportDialog::openAndWait(MainWindow &window, const QString &path)
{
    QSignalSpy opened(window.service(), &StoreService::opened);
    window.openDatabase(OpenRequest{path, false, false, Serializer::Json});
    if (!opened.wait(10000))
        return false;
    RecordTableModel *model = window.recordPage()->model();
    return QTest::qWaitFor([&] { return !model->isCounting() && !window.databaseDock()->model()->isCounting(); },
                           10000);
}

bool tst_ExportDialog::exportAndWait(ExportDialog *dialog, const QString &file)
{
    QSignalSpy finished(dialog, &ExportDialog::exportFinished);
    QSignalSpy failed(dialog, &ExportDialog::exportFailed);
    dialog->setPath(file);
    if (!dialog->startExport()) {
        qWarning("export did not start: %s", qPrintable(dialog->errorText()));
        return false;
    }
    if (!QTest::qWaitFor([&] { return !finished.isEmpty() || !failed.isEmpty(); }, 20000))
        return false;
    if (!failed.isEmpty())
        qWarning("export failed: %s", qPrintable(dialog->errorText()));
    return !finished.isEmpty() && finished.first().at(0).toString() == file;
}

void tst_ExportDialog::exportsLikeTheEngine_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<int>("format");
    for (const char *fixture : {"json-store", "msgpack-store"}) {
        for (StreamFormat format : {StreamFormat::JsonArray, StreamFormat::Ndjson, StreamFormat::Msgpack})
            QTest::addRow("%s %s", fixture, streamFormatName(format)) << QString::fromLatin1(fixture) << int(format);
    }
}

void tst_ExportDialog::exportsLikeTheEngine()
{
    QFETCH(QString, fixture);
    QFETCH(int, format);
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, copyFixture(fixture)));

    // File ▸ Export… offers everything; the table shows all events, so that is chosen.
    QAction *exportAction = nullptr;
    for (QAction *action : window.findChildren<QAction *>()) {
        if (action->text() == QStringLiteral("&Export…"))
            exportAction = action;
    }
    QVERIFY(exportAction && exportAction->isEnabled());
    QTRY_VERIFY(window.recordPage()->view()->currentIndex().isValid()); // the first row, selected
    exportAction->trigger();
    auto *dialog = window.findChild<ExportDialog *>();
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->chosen(), ExportDialog::What::AllEvents);
    QVERIFY(!dialog->isAvailable(ExportDialog::What::Search));
    QVERIFY(dialog->isAvailable(ExportDialog::What::Selection)); // the first row is selected
    dialog->setFormat(StreamFormat(format));
    const QString file = m_dir.filePath(QStringLiteral("window-%1.%2").arg(fixture, QLatin1String(streamFormatName(StreamFormat(format)))));
    QVERIFY(exportAndWait(dialog, file));
    QTRY_VERIFY(!window.findChild<ExportDialog *>()); // closed and gone

    // The engine's (and so the CLI's) export of the same store, byte for byte.
    auto store = openStore(copyFixture(fixture));
    QVERIFY(store);
    const QString engineFile = m_dir.filePath(QStringLiteral("engine-%1").arg(QFileInfo(file).fileName()));
    auto records = store->events(0);
    QVERIFY(exportToFile(*records, engineFile, StreamFormat(format)).ok());
    const QByteArray ours = test::readFile(file);
    QVERIFY(!ours.isEmpty());
    QCOMPARE(ours, test::readFile(engineFile));
    QCOMPARE(test::parseRecords(ours, StreamFormat(format)).size(), std::size_t(60));
    // And rangedb's own export of the store, record for record and value for value
    // (rangedb sorts data keys on export, we keep the stored order: see the fixture README).
    const QString name = QStringLiteral("/all-events.")
                         + (StreamFormat(format) == StreamFormat::JsonArray ? QStringLiteral("json")
                                                                            : QLatin1String(streamFormatName(StreamFormat(format))));
    const QString folder = fixture == QLatin1String("json-store") ? QString() : QStringLiteral("/exports-from-msgpack-store");
    const auto theirs = test::parseRecords(test::readFile(test::fixtureDir() + folder + name), StreamFormat(format));
    const auto mine = test::parseRecords(ours, StreamFormat(format));
    QCOMPARE(mine.size(), theirs.size());
    // rangedb writes the numbers of a JSON store's records as msgpack strings (fixture
    // README, "msgpack exports"); we keep them numbers, so there only the envelopes compare.
    const bool sameValues = !(fixture == QLatin1String("json-store") && StreamFormat(format) == StreamFormat::Msgpack);
    for (std::size_t i = 0; i < mine.size(); ++i) {
        QCOMPARE(mine[i].eventId, theirs[i].eventId);
        QCOMPARE(mine[i].globalSequenceNumber, theirs[i].globalSequenceNumber);
        QCOMPARE(mine[i].insertTimestamp, theirs[i].insertTimestamp);
        QCOMPARE(mine[i].streamName(), theirs[i].streamName());
        if (sameValues) {
            QVERIFY(json::equal(mine[i].data, theirs[i].data));
            QVERIFY(json::equal(mine[i].metadata, theirs[i].metadata));
        }
    }
}

void tst_ExportDialog::exportsAStream()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, copyFixture(QStringLiteral("json-store"))));
    ExportDialog *dialog = window.showExportDialog(int(ExportDialog::What::Stream), Scope::ofStream("account!acct-0001.eu"));
    QVERIFY(dialog);
    QCOMPARE(dialog->chosen(), ExportDialog::What::Stream);
    dialog->setFormat(StreamFormat::JsonArray);
    const QString file = m_dir.filePath(QStringLiteral("stream.json"));
    QVERIFY(exportAndWait(dialog, file));
    const auto ours = test::parseRecords(test::readFile(file), StreamFormat::JsonArray);
    const auto theirs = test::parseRecords(test::readFile(test::fixtureDir() + QStringLiteral("/stream-account_acct-0001.eu.json")),
                                           StreamFormat::JsonArray);
    QCOMPARE(ours.size(), std::size_t(9));
    QCOMPARE(ours.size(), theirs.size());
    for (std::size_t i = 0; i < ours.size(); ++i) {
        QCOMPARE(ours[i].eventId, theirs[i].eventId);
        QCOMPARE(ours[i].streamName(), std::string("account!acct-0001.eu"));
    }

    // A stream that holds nothing: the error says so, and no file appears.
    dialog = window.showExportDialog(int(ExportDialog::What::Stream), Scope::ofStream("account!nobody"));
    QSignalSpy failed(dialog, &ExportDialog::exportFailed);
    const QString none = m_dir.filePath(QStringLiteral("nobody.ndjson"));
    dialog->setPath(none);
    QVERIFY(dialog->startExport());
    QVERIFY(failed.wait(10000));
    QVERIFY2(dialog->errorText().contains(QLatin1String("account!nobody holds no records")), qPrintable(dialog->errorText()));
    QVERIFY(dialog->errorText().contains(QLatin1String("No file was written")));
    QVERIFY(!QFileInfo::exists(none));
    // A name that is not a stream name is refused before anything runs.
    dialog->choose(ExportDialog::What::Stream, Scope::ofStream("no-separator"));
    QVERIFY(!dialog->startExport());
    QVERIFY(dialog->errorText().contains(QLatin1String("aggregateType!aggregateID")));
    dialog->close();
}

void tst_ExportDialog::exportsTheTableAndTheSearchMatches()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, copyFixture(QStringLiteral("json-store"))));
    RecordPage *page = window.recordPage();
    RecordTableModel *model = page->model();

    // The table filtered by event type: exactly the rows it shows.
    model->setEventTypes({QStringLiteral("AccountWasOpened"), QStringLiteral("ThingWasDone")});
    QTRY_VERIFY(!model->isCounting());
    const quint64 shown = model->totalRows();
    QVERIFY(shown > 0 && shown < 60);
    ExportDialog *dialog = window.showExportDialog();
    QCOMPARE(dialog->chosen(), ExportDialog::What::Table); // what the table shows
    const QString tableFile = m_dir.filePath(QStringLiteral("table.ndjson"));
    QVERIFY(exportAndWait(dialog, tableFile));
    auto records = test::parseRecords(test::readFile(tableFile), StreamFormat::Ndjson);
    QCOMPARE(records.size(), std::size_t(shown));
    for (const Record &r : records)
        QVERIFY(r.eventType == "AccountWasOpened" || r.eventType == "ThingWasDone");
    model->setEventTypes({});
    QTRY_VERIFY(!model->isCounting());

    // The search matches of the table's scope (not only the rows shown).
    QSignalSpy searched(page, &RecordPage::searchFinished);
    QVERIFY(page->startSearch(QStringLiteral("aggregateType = account")));
    QVERIFY(searched.wait(10000));
    QCOMPARE(page->matchCount(), 18ull);
    dialog = window.showExportDialog();
    QVERIFY(dialog->isAvailable(ExportDialog::What::Search));
    dialog->choose(ExportDialog::What::Search);
    const QString searchFile = m_dir.filePath(QStringLiteral("search.ndjson"));
    QVERIFY(exportAndWait(dialog, searchFile));
    records = test::parseRecords(test::readFile(searchFile), StreamFormat::Ndjson);
    QCOMPARE(records.size(), std::size_t(18));
    std::uint64_t previous = 0;
    for (const Record &r : records) {
        QCOMPARE(r.aggregateType, std::string("account"));
        QVERIFY(r.globalSequenceNumber > previous);
        previous = r.globalSequenceNumber;
    }
}

void tst_ExportDialog::exportsTheSelectedRows()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, copyFixture(QStringLiteral("json-store"))));
    RecordPage *page = window.recordPage();
    RecordTableModel *model = page->model();
    QTRY_VERIFY(model->data(model->index(59, 0), RecordTableModel::LoadedRole).toBool());
    // Newest first, so that view rows and oldest-first rows differ.
    page->setNewestFirst(true);
    QTRY_VERIFY(model->data(model->index(0, 0), RecordTableModel::LoadedRole).toBool());

    QItemSelectionModel *selection = page->view()->selectionModel();
    selection->clearSelection();
    std::vector<std::uint64_t> expected;
    for (int row : {1, 2, 3, 10, 40}) {
        selection->select(model->index(row, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        expected.push_back(model->index(row, RecordTableModel::GlobalSequence).data().toULongLong());
    }
    std::sort(expected.begin(), expected.end());

    // From the table's context menu.
    QAction *exportRows = nullptr;
    for (QAction *action : page->view()->actions()) {
        if (action->text() == QStringLiteral("Export Selected Rows…"))
            exportRows = action;
    }
    QVERIFY(exportRows && exportRows->isEnabled());
    exportRows->trigger();
    auto *dialog = window.findChild<ExportDialog *>();
    QVERIFY(dialog);
    QCOMPARE(dialog->chosen(), ExportDialog::What::Selection);
    dialog->setFormat(StreamFormat::Msgpack);
    const QString file = m_dir.filePath(QStringLiteral("selected.msgpack"));
    QVERIFY(exportAndWait(dialog, file));
    const auto records = test::parseRecords(test::readFile(file), StreamFormat::Msgpack);
    QCOMPARE(sequenceNumbers(records), expected); // in global order, whatever the view's
}

void tst_ExportDialog::exportsSelectedRowsTheTableHasNotCached()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, copyFixture(QStringLiteral("json-store"))));
    RecordPage *page = window.recordPage();
    RecordTableModel *model = page->model();
    model->setEventTypes({QStringLiteral("AccountWasOpened"), QStringLiteral("ThingWasDone"),
                          QStringLiteral("SensorReading")});
    QTRY_VERIFY(!model->isCounting());
    QVERIFY(model->totalRows() > 6);
    const quint64 last = model->totalRows() - 1;
    QTRY_VERIFY(model->data(model->index(int(last), 0), RecordTableModel::LoadedRole).toBool());
    std::vector<std::uint64_t> expected;
    for (quint64 row : {quint64(0), quint64(1), quint64(4), last})
        expected.push_back(model->index(int(row), RecordTableModel::GlobalSequence).data().toULongLong());

    // As the window would hand them over for rows whose pages were evicted: ranges only,
    // fetched on a worker by walking the filtered scope.
    ExportSources sources = ExportSources::collect(window.databaseDock()->model(), page);
    sources.selectedRanges = {{0, 1}, {4, 4}, {last, last}};
    sources.selectedCount = 4;
    sources.selectedCached.clear();
    ExportDialog dialog(window.service(), sources);
    dialog.choose(ExportDialog::What::Selection);
    QVERIFY(exportAndWait(&dialog, m_dir.filePath(QStringLiteral("uncached.ndjson"))));
    const auto records = test::parseRecords(test::readFile(m_dir.filePath(QStringLiteral("uncached.ndjson"))),
                                            StreamFormat::Ndjson);
    QCOMPARE(sequenceNumbers(records), expected);
}

void tst_ExportDialog::treeContextMenuChoosesTheScope()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, copyFixture(QStringLiteral("json-store"))));
    // What the tree's "Export…" entry calls for an aggregate type node.
    ExportDialog *dialog = window.showExportDialog(int(ExportDialog::What::AggregateTypes),
                                                   Scope::ofAggregateTypes({"sensor", "order"}));
    QCOMPARE(dialog->chosen(), ExportDialog::What::AggregateTypes);
    const QString file = m_dir.filePath(QStringLiteral("types.ndjson"));
    QVERIFY(exportAndWait(dialog, file));
    const auto records = test::parseRecords(test::readFile(file), StreamFormat::Ndjson);
    QCOMPARE(records.size(), std::size_t(12 + 11));
    for (const Record &r : records)
        QVERIFY(r.aggregateType == "sensor" || r.aggregateType == "order");
}

void tst_ExportDialog::cancelledExportLeavesThePreviousFile()
{
    // Big enough that the export is still running when Cancel is pressed.
    const QString path = m_dir.filePath(QStringLiteral("big"));
    {
        auto store = openStore(path);
        QVERIFY(store);
        GeneratorOptions options;
        options.events = 60000;
        options.streams = 500;
        SampleGenerator generator(options);
        for (auto batch = generator.nextBatch(200); !batch.empty(); batch = generator.nextBatch(200))
            QVERIFY(store->save(batch).ok());
    }
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, path));
    QTemporaryDir out;
    const QString existing = out.filePath(QStringLiteral("existing.msgpack"));
    const QString fresh = out.filePath(QStringLiteral("fresh.msgpack"));
    QVERIFY(writeFile(existing, "previous content"));
    for (const QString &file : {existing, fresh}) {
        ExportDialog *dialog = window.showExportDialog(int(ExportDialog::What::AllEvents));
        dialog->setFormat(StreamFormat::Msgpack);
        dialog->setPath(file);
        QSignalSpy failed(dialog, &ExportDialog::exportFailed);
        QVERIFY(dialog->startExport());
        QVERIFY(dialog->progressPanel()->isVisible());
        QTest::mouseClick(dialog->progressPanel()->cancelButton(), Qt::LeftButton);
        QVERIFY(failed.wait(20000));
        QCOMPARE(failed.first().at(1).value<Status>().code(), ErrorCode::Cancelled);
        QVERIFY2(dialog->errorText().contains(QLatin1String("Export cancelled")), qPrintable(dialog->errorText()));
        QVERIFY(dialog->isVisible()); // it stays, to try again
        QVERIFY(!dialog->isRunning());
        dialog->close();
    }
    QCOMPARE(test::readFile(existing), QByteArray("previous content"));
    QVERIFY(!QFileInfo::exists(fresh));
    // No temporary file left behind either.
    QCOMPARE(QDir(out.path()).entryList(QDir::Files | QDir::Hidden), QStringList{QStringLiteral("existing.msgpack")});
}

void tst_ExportDialog::failedExportSaysWhyAndLeavesThePreviousFile()
{
    // A number msgpack cannot hold: the msgpack export fails at that record.
    const QString path = m_dir.filePath(QStringLiteral("huge"));
    {
        auto store = openStore(path);
        QVERIFY(store);
        QVERIFY(store->save(std::vector<EventRecord>{{"thing", "1", "Counted", "{\"n\":1}", "null"}}).ok());
        QVERIFY(store->save(std::vector<EventRecord>{{"thing", "2", "Counted", "{\"n\":123456789012345678901234567890}", "null"}}).ok());
    }
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, path));
    const QString existing = m_dir.filePath(QStringLiteral("before.msgpack"));
    QVERIFY(writeFile(existing, "previous content"));
    ExportDialog *dialog = window.showExportDialog(int(ExportDialog::What::AllEvents));
    dialog->setFormat(StreamFormat::Msgpack);
    dialog->setPath(existing);
    QSignalSpy failed(dialog, &ExportDialog::exportFailed);
    QVERIFY(dialog->startExport());
    QVERIFY(failed.wait(10000));
    QCOMPARE(failed.first().at(1).value<Status>().code(), ErrorCode::EncodeError);
    QVERIFY2(dialog->errorText().contains(QLatin1String("The export failed")), qPrintable(dialog->errorText()));
    QVERIFY(dialog->errorText().contains(QLatin1String("was left as it was")));
    QCOMPARE(test::readFile(existing), QByteArray("previous content"));

    // A folder that does not exist is refused before anything runs.
    dialog->setPath(m_dir.filePath(QStringLiteral("no/such/folder/x.ndjson")));
    QVERIFY(!dialog->startExport());
    QVERIFY(dialog->errorText().contains(QLatin1String("does not exist")));
    dialog->close();
}

void tst_ExportDialog::progressFigures()
{
    using Panel = TransferProgressPanel;
    TransferProgress p;
    p.records = 50000;
    p.bytes = 2'000'000;
    QCOMPARE(Panel::describe(Panel::Kind::Export, p, 2000, 2000, 0.25),
             QStringLiteral("50,000 records · 2.0 MB · 25,000 records/s · about 6 s left"));
    QCOMPARE(Panel::describe(Panel::Kind::Export, p, 2000, 2000, -1), QStringLiteral("50,000 records · 2.0 MB · 25,000 records/s"));
    p.totalBytes = 8'000'000;
    p.pass = 2;
    QCOMPARE(Panel::fractionDone(Panel::Kind::Import, p, 0), 0.625); // second half, a quarter in
    QCOMPARE(Panel::fractionDone(Panel::Kind::DryRun, p, 0), 0.25);
    QCOMPARE(Panel::fractionDone(Panel::Kind::Export, p, 100000), 0.5);
    QCOMPARE(Panel::fractionDone(Panel::Kind::Export, p, 0), -1.0);
    QVERIFY(Panel::describe(Panel::Kind::Import, p, 1000, 3000, 0.625).startsWith(QStringLiteral("50,000 records · 2.0 MB of 8.0 MB · 50,000 records/s")));
    QCOMPARE(Panel::formatDuration(3725), QStringLiteral("1 h 2 min"));
    QCOMPARE(Panel::formatDuration(125), QStringLiteral("2 min 5 s"));
}

QTEST_MAIN(tst_ExportDialog)
#include "tst_exportdialog.moc"
