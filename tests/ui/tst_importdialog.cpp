// The window's import (ImportDialog): rangedb's exports restored into a new database show
// in the tree and table, append mode, the preview, the dry run's report, a bad file's error
// naming the record with the store unchanged, a cancelled restore that leaves an empty
// database (and views that say so), a dropped file, and no import on a read-only database.
#include "databasedock.h"
#include "importdialog.h"
#include "mainwindow.h"
#include "recordpage.h"
#include "recordtablemodel.h"
#include "transferprogress.h"

#include "rangedb/leveldbstore.h"
#include "rangedb/transfer.h"
#include "testutil.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <map>

using namespace rangedb;
using namespace rangedb::ui;

namespace {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// `count` records numbered as a restore wants them, as NDJSON.
QByteArray manyRecords(std::uint64_t count, std::uint64_t streams)
{
    std::vector<Record> records;
    std::map<std::string, std::uint64_t> lengths;
    for (std::uint64_t n = 1; n <= count; ++n) {
        Record r;
        r.aggregateType = n % 2 ? "order" : "account";
        r.aggregateId = "id-" + std::to_string(n % streams);
        r.globalSequenceNumber = n;
        r.streamSequenceNumber = ++lengths[r.streamName()];
        r.insertTimestamp = 1600000000 + n;
        r.eventId = std::string(24, 'a') + std::to_string(10000000 + n);
        r.eventType = "Thing" + std::to_string(n % 7) + "Happened";
        r.data = "{\"n\":" + std::to_string(n) + ",\"text\":\"some words to make the record longer\"}";
        r.metadata = "null";
        records.push_back(std::move(r));
    }
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    auto it = makeVectorIterator(std::move(records));
    (void)exportRecords(*it, &buffer, StreamFormat::Ndjson);
    return buffer.data();
}

QString treeText(MainWindow &window, int row, int column)
{
    const QAbstractItemModel *tree = window.databaseDock()->view()->model();
    return tree->index(row, column).data().toString();
}

} // namespace

class tst_ImportDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void restoresRangedbExportsIntoANewDatabase_data();
    void restoresRangedbExportsIntoANewDatabase();
    void appendsToTheFixture();
    void badFileNamesTheRecordAndWritesNothing();
    void dryRunReportsConflicts();
    void cancelledRestoreLeavesAnEmptyDatabase();
    void droppedFileStartsAnImport();
    void readOnlyDatabaseCannotImport();

private:
    QString copyFixture(const QString &name);
    QString copyFixtureFile(const QString &name);
    bool openAndWait(MainWindow &window, const OpenRequest &request);
    // Store-side figures through the service: last global sequence number, total events.
    std::pair<quint64, quint64> storeFigures(MainWindow &window);
    QTemporaryDir m_dir;
};

void tst_ImportDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("rangedb-workbench-tests"));
    QSettings().clear();
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

QString tst_ImportDialog::copyFixture(const QString &name)
{
    const QString target = m_dir.filePath(name + QString::number(QRandomGenerator::global()->generate()));
    return test::copyFolder(test::fixtureDir() + QLatin1Char('/') + name, target) ? target : QString();
}

QString tst_ImportDialog::copyFixtureFile(const QString &name)
{
    const QString target = m_dir.filePath(QString::number(QRandomGenerator::global()->generate()) + QLatin1Char('-') + name);
    return QFile::copy(test::fixtureDir() + QLatin1Char('/') + name, target) ? target : QString();
}

bool tst_ImportDialog::openAndWait(MainWindow &window, const OpenRequest &request)
{
    QSignalSpy opened(window.service(), &StoreService::opened);
    window.openDatabase(request);
    if (!opened.wait(10000))
        return false;
    RecordTableModel *model = window.recordPage()->model();
    return QTest::qWaitFor([&] { return !model->isCounting() && !window.databaseDock()->model()->isCounting(); },
                           10000);
}

std::pair<quint64, quint64> tst_ImportDialog::storeFigures(MainWindow &window)
{
    std::optional<std::pair<quint64, quint64>> figures;
    window.service()->run(
        &window,
        [](Store &store, std::stop_token stop) {
            return std::pair<quint64, quint64>(store.lastGlobalSequenceNumber().value(), store.totalEvents(stop).value());
        },
        [&figures](std::pair<quint64, quint64> result) { figures = result; });
    if (!QTest::qWaitFor([&] { return figures.has_value(); }, 10000))
        return {~0ull, ~0ull};
    return *figures;
}

void tst_ImportDialog::restoresRangedbExportsIntoANewDatabase_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("format");
    QTest::newRow("json") << QStringLiteral("all-events.json") << int(StreamFormat::JsonArray);
    QTest::newRow("ndjson") << QStringLiteral("all-events.ndjson") << int(StreamFormat::Ndjson);
    QTest::newRow("msgpack") << QStringLiteral("all-events.msgpack") << int(StreamFormat::Msgpack);
}

void tst_ImportDialog::restoresRangedbExportsIntoANewDatabase()
{
    QFETCH(QString, file);
    QFETCH(int, format);
    const QString input = copyFixtureFile(file);
    QVERIFY(!input.isEmpty());
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, OpenRequest{m_dir.filePath(QStringLiteral("new-") + file), false, true, Serializer::Json}));
    QCOMPARE(treeText(window, 0, 1), QStringLiteral("0"));

    ImportDialog *dialog = window.showImportDialog();
    QVERIFY(dialog && dialog->isVisible());
    QSignalSpy previewed(dialog, &ImportDialog::previewReady);
    dialog->setMode(ImportMode::Restore);
    dialog->setFile(input);
    QVERIFY(previewed.wait(10000));
    // Sniffed, and the first records as they will be stored.
    QCOMPARE(dialog->previewFormat(), std::optional<StreamFormat>(StreamFormat(format)));
    QVERIFY(dialog->previewProblems().isEmpty());
    QAbstractItemModel *preview = dialog->previewModel();
    QCOMPARE(preview->rowCount(), 50);
    const auto expected = test::parseRecords(test::readFile(input), StreamFormat(format));
    QCOMPARE(preview->index(0, RecordTableModel::EventId).data().toString(), QString::fromStdString(expected[0].eventId));
    QCOMPARE(preview->index(49, RecordTableModel::GlobalSequence).data().toULongLong(), expected[49].globalSequenceNumber);
    QCOMPARE(preview->index(0, RecordTableModel::EventType).data().toString(), QStringLiteral("AccountWasOpened"));
    QVERIFY(!dialog->findChild<QLabel *>(QStringLiteral("importModeNote"))->text().contains(QLatin1String("is not")));

    // The dry run: all 13 streams created, no conflicts, nothing written.
    QSignalSpy dryRun(dialog, &ImportDialog::dryRunFinished);
    dialog->startDryRun();
    QVERIFY(dryRun.wait(10000));
    QCOMPARE(dryRun.first().at(0).toBool(), true);
    const QString report = dialog->reportText();
    QVERIFY2(report.contains(QLatin1String("60 records in 13 streams: 13 streams would be created, 0 extended")),
             qPrintable(report));
    QVERIFY(report.contains(QLatin1String("account")) && report.contains(QLatin1String("18")));
    QVERIFY(report.contains(QLatin1String("No conflicts")));
    QCOMPARE(storeFigures(window), std::make_pair(0ull, 0ull));

    QSignalSpy finished(dialog, &ImportDialog::importFinished);
    QVERIFY(dialog->startImport());
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().at(0).toBool(), true);
    QVERIFY2(dialog->reportText().contains(QLatin1String("Imported 60 records")), qPrintable(dialog->reportText()));
    QVERIFY(dialog->errorText().isEmpty());

    // The window shows them: tree, table, status bar.
    QTRY_COMPARE(treeText(window, 0, 1), QStringLiteral("60"));
    QTRY_COMPARE(window.databaseDock()->view()->model()->rowCount(), 6);
    QCOMPARE(treeText(window, 1, 0), QStringLiteral("account"));
    QTRY_COMPARE(treeText(window, 1, 1), QStringLiteral("18"));
    RecordTableModel *table = window.recordPage()->model();
    QTRY_COMPARE(table->rowCount(), 60);
    QTRY_VERIFY(!table->isCounting());
    QTRY_VERIFY(table->data(table->index(59, 0), RecordTableModel::LoadedRole).toBool());
    QCOMPARE(table->index(8, RecordTableModel::GlobalSequence).data().toULongLong(), 13ull); // rangedb's gap
    QTRY_COMPARE(window.findChild<QLabel *>(QStringLiteral("lastGsnLabel"))->text(), QStringLiteral("last global # 64"));
    QCOMPARE(storeFigures(window), std::make_pair(64ull, 60ull));
    dialog->close();
}

void tst_ImportDialog::appendsToTheFixture()
{
    const QString input = copyFixtureFile(QStringLiteral("all-events.ndjson"));
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, OpenRequest{copyFixture(QStringLiteral("json-store")), false, false, Serializer::Json}));
    ImportDialog *dialog = window.showImportDialog(input);
    QSignalSpy previewed(dialog, &ImportDialog::previewReady);
    QVERIFY(previewed.wait(10000));
    QCOMPARE(dialog->mode(), ImportMode::Append);
    // Append: the numbers they would get after the 64 stored, new event IDs.
    QCOMPARE(dialog->previewModel()->index(0, RecordTableModel::GlobalSequence).data().toULongLong(), 65ull);
    QCOMPARE(dialog->previewModel()->index(0, RecordTableModel::EventId).data().toString(), QStringLiteral("(new)"));

    QSignalSpy finished(dialog, &ImportDialog::importFinished);
    QVERIFY(dialog->startImport());
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().at(0).toBool(), true);
    QCOMPARE(finished.first().at(1).toBool(), false);
    // The live feed brings them to the tree and the table.
    QTRY_COMPARE(treeText(window, 0, 1), QStringLiteral("120"));
    QTRY_COMPARE(window.recordPage()->model()->rowCount(), 120);
    QTRY_COMPARE(window.findChild<QLabel *>(QStringLiteral("lastGsnLabel"))->text(), QStringLiteral("last global # 124"));
    QCOMPARE(storeFigures(window), std::make_pair(124ull, 120ull));
}

void tst_ImportDialog::badFileNamesTheRecordAndWritesNothing()
{
    QList<QByteArray> lines = test::readFile(test::fixtureDir() + QStringLiteral("/all-events.ndjson")).split('\n');
    lines[41] = "{\"aggregateType\":\"thing\",\"aggregateID\":\"x\", oops}";
    const QString input = m_dir.filePath(QStringLiteral("bad.ndjson"));
    QVERIFY(writeFile(input, lines.join('\n')));

    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, OpenRequest{copyFixture(QStringLiteral("json-store")), false, false, Serializer::Json}));
    ImportDialog *dialog = window.showImportDialog(input);
    QSignalSpy previewed(dialog, &ImportDialog::previewReady);
    QVERIFY(previewed.wait(10000));
    // The preview reads the first 50 records: the problem shows already, naming the record.
    QCOMPARE(dialog->previewModel()->rowCount(), 41);
    QCOMPARE(dialog->previewProblems().size(), 1);
    QVERIFY2(dialog->previewProblems().front().contains(QLatin1String("record 42")), qPrintable(dialog->previewProblems().front()));

    QSignalSpy finished(dialog, &ImportDialog::importFinished);
    QVERIFY(dialog->startImport());
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().at(0).toBool(), false);
    const QString error = dialog->errorText();
    for (const char *part : {"The import failed", "record 42", "line 42", "oops", "Nothing was written"})
        QVERIFY2(error.contains(QLatin1String(part)), qPrintable(error));
    QVERIFY(error.contains(input));
    QCOMPARE(storeFigures(window), std::make_pair(64ull, 60ull));
    QCOMPARE(treeText(window, 0, 1), QStringLiteral("60"));
}

void tst_ImportDialog::dryRunReportsConflicts()
{
    const QString input = copyFixtureFile(QStringLiteral("all-events.msgpack"));
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, OpenRequest{copyFixture(QStringLiteral("json-store")), false, false, Serializer::Json}));
    ImportDialog *dialog = window.showImportDialog(input);
    QSignalSpy previewed(dialog, &ImportDialog::previewReady);
    QVERIFY(previewed.wait(10000));
    dialog->setMode(ImportMode::Restore);
    QVERIFY(previewed.wait(10000));
    // Restore into a database that is not empty: the dialog says so ...
    const QString note = dialog->findChild<QLabel *>(QStringLiteral("importModeNote"))->text();
    QVERIFY2(note.contains(QLatin1String("only into an empty database")) && note.contains(QLatin1String("64")), qPrintable(note));
    // ... and the dry run lists the conflicts, each naming the record.
    QSignalSpy dryRun(dialog, &ImportDialog::dryRunFinished);
    dialog->startDryRun();
    QVERIFY(dryRun.wait(10000));
    const QString report = dialog->reportText();
    QVERIFY2(report.contains(QLatin1String("74 conflict(s)")), qPrintable(report));
    QVERIFY(report.contains(QLatin1String("restore needs an empty database")));
    QVERIFY(report.contains(QLatin1String("record 1 (byte 0): global sequence number 1 is already used")));
    QVERIFY(report.contains(QLatin1String("13 extended")));

    // Append instead: the 13 streams extended, numbers 65 to 124, no conflict.
    dialog->setMode(ImportMode::Append);
    QVERIFY(previewed.wait(10000));
    dialog->startDryRun();
    QVERIFY(dryRun.wait(10000));
    QVERIFY2(dialog->reportText().contains(QLatin1String("0 streams would be created, 13 extended")), qPrintable(dialog->reportText()));
    QVERIFY(dialog->reportText().contains(QLatin1String("Global sequence numbers 65 to 124")));
    QVERIFY(dialog->reportText().contains(QLatin1String("No conflicts")));
    QCOMPARE(storeFigures(window), std::make_pair(64ull, 60ull));
}

void tst_ImportDialog::cancelledRestoreLeavesAnEmptyDatabase()
{
    const QString input = m_dir.filePath(QStringLiteral("many.ndjson"));
    QVERIFY(writeFile(input, manyRecords(200000, 1000)));
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, OpenRequest{m_dir.filePath(QStringLiteral("restore-cancelled")), false, true, Serializer::Json}));
    ImportDialog *dialog = window.showImportDialog(input);
    QSignalSpy previewed(dialog, &ImportDialog::previewReady);
    QVERIFY(previewed.wait(10000));
    dialog->setMode(ImportMode::Restore);
    QVERIFY(previewed.wait(10000));
    QSignalSpy finished(dialog, &ImportDialog::importFinished);
    QVERIFY(dialog->startImport());
    // Cancel while it writes (pass 2).
    auto *phase = dialog->progressPanel()->findChild<QLabel *>(QStringLiteral("transferPhase"));
    QVERIFY(QTest::qWaitFor([&] { return phase->text().contains(QLatin1String("Writing")) || !finished.isEmpty(); }, 60000));
    if (!finished.isEmpty())
        QSKIP("the import finished before its second pass could be cancelled (a very fast machine)");
    QTest::mouseClick(dialog->progressPanel()->cancelButton(), Qt::LeftButton);
    QVERIFY(finished.wait(60000));
    if (finished.first().at(0).toBool())
        QSKIP("the import finished before the cancel reached it");
    QVERIFY2(dialog->errorText().contains(QLatin1String("cancelled")), qPrintable(dialog->errorText()));
    QCOMPARE(storeFigures(window), std::make_pair(0ull, 0ull));
    // The views show none of the records written before the cancel.
    QTRY_COMPARE_WITH_TIMEOUT(window.databaseDock()->model()->totalEvents(), 0ull, 20000);
    QTRY_VERIFY(!window.databaseDock()->model()->isCounting());
    QTRY_VERIFY(!window.recordPage()->model()->isCounting());
    QCOMPARE(window.databaseDock()->view()->model()->rowCount(), 1); // All events, no type
    QCOMPARE(window.recordPage()->model()->rowCount(), 0);
    QTRY_COMPARE(window.findChild<QLabel *>(QStringLiteral("lastGsnLabel"))->text(), QStringLiteral("last global # 0"));
    // And the same file restores whole afterwards.
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->startImport());
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.last().at(0).toBool(), true);
    QTRY_COMPARE_WITH_TIMEOUT(window.databaseDock()->model()->totalEvents(), 200000ull, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(window.recordPage()->model()->rowCount(), 200000, 30000);
}

void tst_ImportDialog::droppedFileStartsAnImport()
{
    const QString input = copyFixtureFile(QStringLiteral("all-events.json"));
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QMimeData data;
    data.setUrls({QUrl::fromLocalFile(input)});
    auto drop = [&] {
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QDropEvent event(QPointF(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &event);
        return enter.isAccepted();
    };
    // No database yet: it says what to do.
    QVERIFY(drop());
    QVERIFY2(window.lastMessage().contains(QLatin1String("Open or create a database first")), qPrintable(window.lastMessage()));
    QVERIFY(!window.findChild<ImportDialog *>());

    QVERIFY(openAndWait(window, OpenRequest{m_dir.filePath(QStringLiteral("dropped")), false, true, Serializer::Json}));
    QVERIFY(drop());
    auto *dialog = window.findChild<ImportDialog *>();
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->file(), input);
    QSignalSpy previewed(dialog, &ImportDialog::previewReady);
    QVERIFY(previewed.wait(10000));
    QCOMPARE(dialog->previewFormat(), std::optional<StreamFormat>(StreamFormat::JsonArray));
    // The format can be overridden: read as NDJSON, the array is one bad record.
    dialog->setFormat(StreamFormat::Ndjson);
    QVERIFY(previewed.wait(10000));
    QCOMPARE(dialog->previewModel()->rowCount(), 0);
    QVERIFY(!dialog->previewProblems().isEmpty() || !dialog->errorText().isEmpty());
    dialog->setFormat(std::nullopt);
    QVERIFY(previewed.wait(10000));
    QCOMPARE(dialog->previewModel()->rowCount(), 50);
    dialog->close();

    // A folder still opens as a database.
    data.setUrls({QUrl::fromLocalFile(copyFixture(QStringLiteral("json-store")))});
    QSignalSpy opened(window.service(), &StoreService::opened);
    QVERIFY(drop());
    QVERIFY(opened.wait(10000));
}

void tst_ImportDialog::readOnlyDatabaseCannotImport()
{
    const QString path = copyFixture(QStringLiteral("json-store"));
    const QString input = copyFixtureFile(QStringLiteral("all-events.ndjson"));
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, OpenRequest{path, true, false, Serializer::Json}));
    QAction *importAction = nullptr;
    for (QAction *action : window.findChildren<QAction *>()) {
        if (action->text() == QStringLiteral("&Import…"))
            importAction = action;
    }
    QVERIFY(importAction);
    QVERIFY(!importAction->isEnabled());
    QVERIFY(window.writeActions().contains(importAction));

    // A dropped file: the window says why not.
    QMimeData data;
    data.setUrls({QUrl::fromLocalFile(input)});
    QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent event(QPointF(10, 10), Qt::CopyAction, &data, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&window, &event);
    QVERIFY2(window.lastMessage().contains(QLatin1String("read-only")), qPrintable(window.lastMessage()));
    QVERIFY(!window.findChild<ImportDialog *>());

    // The dialog itself (if opened some other way) previews and dry-runs but does not import.
    ImportDialog *dialog = window.showImportDialog(input);
    QSignalSpy previewed(dialog, &ImportDialog::previewReady);
    QVERIFY(previewed.wait(10000));
    QVERIFY(!dialog->canImport());
    QVERIFY(!dialog->findChild<QPushButton *>(QStringLiteral("importButton"))->isEnabled());
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("importModeNote"))->text().contains(QLatin1String("read-only")));
    QVERIFY(!dialog->startImport());
    QSignalSpy dryRun(dialog, &ImportDialog::dryRunFinished);
    dialog->startDryRun();
    QVERIFY(dryRun.wait(10000));
    QVERIFY(dialog->reportText().contains(QLatin1String("No conflicts")));
    dialog->close();
    window.service()->close();
}

QTEST_MAIN(tst_ImportDialog)
#include "tst_importdialog.moc"
