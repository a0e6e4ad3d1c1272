// The Append dock driven through the window: filling, staging, saving with the numbers
// the staged list promised, conflicts, validation, read-only databases and templates.

#include "conflictview.h"
#include "databasedock.h"
#include "eventeditordock.h"
#include "inspectordock.h"
#include "jsonedit.h"
#include "mainwindow.h"
#include "recordinspector.h"
#include "recordpage.h"
#include "recordtablemodel.h"
#include "stagedeventmodel.h"

#include "rangedb/json.h"
#include "testutil.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCompleter>
#include <QCheckBox>
#include <QComboBox>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QStringListModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace rangedb;
using namespace rangedb::ui;

class tst_EventEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void stagedModelPassesTheTester();
    void stageThreeEventsSaveAndFindThemInTheTable();
    void conflictListsIntrudersAndRebases();
    void validationNamesTheFieldAndPosition_data();
    void validationNamesTheFieldAndPosition();
    void formatKeepsNumbersExact();
    void appendLikeThisFromTableAndInspector();
    void completionsComeFromTheStore();
    void readOnlyDisablesEveryWrite();
    void templatesPersistAcrossRestart();

private:
    QString copyFixture();
    bool openAndWait(MainWindow &window, const QString &path, bool readOnly = false);
    static void fill(EventEditorDock *editor, const QString &type, const QString &id, const QString &eventType,
                     const QString &data = {}, const QString &metadata = {});
    // Saves one event behind the editor's back (another user of the same database).
    static bool intrude(MainWindow &window, const std::string &type, const std::string &id, const std::string &eventType);
    QTemporaryDir m_dir;
};

void tst_EventEditor::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("rangedb-workbench-tests-editor"));
    QSettings().clear();
    QLocale::setDefault(QLocale::c());
}

QString tst_EventEditor::copyFixture()
{
    const QString target = m_dir.filePath(QStringLiteral("json-store") + QString::number(QRandomGenerator::global()->generate()));
    return test::copyFolder(test::fixtureDir() + QStringLiteral("/json-store"), target) ? target : QString();
}

bool tst_EventEditor::openAndWait(MainWindow &window, const QString &path, bool readOnly)
{
    QSignalSpy opened(window.service(), &StoreService::opened);
    window.openDatabase(OpenRequest{path, readOnly, false, Serializer::Json});
    if (!opened.wait(10000))
        return false;
    return QTest::qWaitFor([&] {
        return !window.recordPage()->model()->isCounting() && !window.databaseDock()->model()->isCounting();
    }, 10000);
}

void tst_EventEditor::fill(EventEditorDock *editor, const QString &type, const QString &id, const QString &eventType,
                           const QString &data, const QString &metadata)
{
    editor->aggregateTypeEdit()->setText(type);
    editor->aggregateIdEdit()->setText(id);
    editor->eventTypeEdit()->setText(eventType);
    editor->dataEdit()->setText(data);
    editor->metadataEdit()->setText(metadata);
}

bool tst_EventEditor::intrude(MainWindow &window, const std::string &type, const std::string &id,
                              const std::string &eventType)
{
    bool done = false, ok = false;
    window.service()->run(
        &window,
        [=](Store &store, std::stop_token) {
            return store.save(std::vector<EventRecord>{{type, id, eventType, R"({"by":"someone else"})", "null"}});
        },
        [&](Result<SaveResult> result) {
            ok = result.ok();
            done = true;
        });
    return QTest::qWaitFor([&] { return done; }, 10000) && ok;
}

void tst_EventEditor::stagedModelPassesTheTester()
{
    StagedEventModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setBase(4, 64);
    for (int i = 0; i < 4; ++i)
        model.append({"thing", "1", "E" + std::to_string(i), "{}", "null"});
    QCOMPARE(model.index(0, StagedEventModel::StreamSequence).data().toULongLong(), 5ull);
    QCOMPARE(model.index(3, StagedEventModel::GlobalSequence).data().toULongLong(), 68ull);
    QVERIFY(model.move(3, -1));
    QVERIFY(!model.move(0, -1));
    QVERIFY(!model.move(3, 1));
    QCOMPARE(model.index(2, StagedEventModel::EventType).data().toString(), QStringLiteral("E3"));
    QCOMPARE(model.index(3, StagedEventModel::EventType).data().toString(), QStringLiteral("E2"));
    QVERIFY(model.move(0, 1));
    QCOMPARE(model.index(0, StagedEventModel::EventType).data().toString(), QStringLiteral("E1"));
    model.remove(1);
    QCOMPARE(model.size(), 3);
    QCOMPARE(model.index(2, StagedEventModel::StreamSequence).data().toULongLong(), 7ull);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setBase(5, 70); // an event landed live: every number moves on
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.index(0, StagedEventModel::GlobalSequence).data().toULongLong(), 71ull);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void tst_EventEditor::stageThreeEventsSaveAndFindThemInTheTable()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, copyFixture()));
    EventEditorDock *editor = window.editorDock();
    editor->appendAction()->trigger();
    QVERIFY(editor->isVisible());

    // A new stream of an existing type: head 0, last global number 64.
    fill(editor, QStringLiteral("thing"), QStringLiteral("new-1"), QStringLiteral("Created"),
         QStringLiteral("{\"big\": 18446744073709551615, \"price\": 1.50, \"tiny\": -9223372036854775808}"));
    QTRY_VERIFY(editor->isHeadKnown());
    QCOMPARE(editor->streamHead(), 0ull);
    QCOMPARE(editor->expectedEdit()->text(), QStringLiteral("0"));
    QVERIFY(editor->stage());
    editor->eventTypeEdit()->setText(QStringLiteral("Renamed"));
    editor->dataEdit()->setText(QStringLiteral("{\"name\": \"b\"}"));
    QVERIFY(editor->stage());
    editor->eventTypeEdit()->setText(QStringLiteral("Closed"));
    editor->dataEdit()->setText(QString());
    editor->metadataEdit()->setText(QStringLiteral("{\"user\": 7}"));
    QVERIFY(editor->stage());

    // The staged list promises stream 1-3 and global 65-67.
    StagedEventModel *staged = editor->stagedModel();
    QCOMPARE(staged->rowCount(), 3);
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(staged->index(row, StagedEventModel::StreamSequence).data().toULongLong(), quint64(row + 1));
        QCOMPARE(staged->index(row, StagedEventModel::GlobalSequence).data().toULongLong(), quint64(65 + row));
    }
    QCOMPARE(editor->stagedStream(), QStringLiteral("thing!new-1"));
    QCOMPARE(editor->saveButton()->text(), QStringLiteral("Save 3 Staged Events"));

    // Reorder, and edit one in place.
    editor->moveStaged(2, -1);
    QCOMPARE(staged->index(1, StagedEventModel::EventType).data().toString(), QStringLiteral("Closed"));
    editor->moveStaged(1, 1);
    editor->editStaged(1);
    QCOMPARE(editor->eventTypeEdit()->text(), QStringLiteral("Renamed"));
    QCOMPARE(editor->stageButton()->text(), QStringLiteral("Update Staged #2"));
    editor->dataEdit()->setText(QStringLiteral("{\"name\": \"c\"}"));
    QVERIFY(editor->stage());
    QCOMPARE(staged->rowCount(), 3);
    QCOMPARE(staged->at(1).data, std::string(R"({"name":"c"})"));
    // Another stream cannot join this save.
    editor->aggregateIdEdit()->setText(QStringLiteral("other"));
    QVERIFY(!editor->stageButton()->isEnabled());
    QVERIFY(editor->findChild<QLabel *>(QStringLiteral("stageProblem"))->text().contains(QLatin1String("thing!new-1")));
    editor->aggregateIdEdit()->setText(QStringLiteral("new-1"));

    QSignalSpy saved(editor, &EventEditorDock::saved);
    QVERIFY(editor->saveButton()->isEnabled());
    QTest::mouseClick(editor->saveButton(), Qt::LeftButton);
    QVERIFY(saved.wait(10000));
    QCOMPARE(saved.first().at(0).toString(), QStringLiteral("thing!new-1"));
    QCOMPARE(saved.first().at(1).toULongLong(), 65ull);
    QCOMPARE(saved.first().at(2).toULongLong(), 67ull);
    QCOMPARE(staged->rowCount(), 0);
    QVERIFY2(editor->statusLabel()->text().contains(QStringLiteral("global #65–67")), qPrintable(editor->statusLabel()->text()));
    QCOMPARE(editor->expectedEdit()->text(), QStringLiteral("3")); // the new head

    // The table (all events) shows them, selected, with the numbers promised.
    RecordPage *page = window.recordPage();
    RecordTableModel *model = page->model();
    QTRY_COMPARE(model->rowCount(), 63);
    QTRY_COMPARE(page->view()->selectionModel()->selectedRows().size(), 3);
    const QModelIndexList selected = page->view()->selectionModel()->selectedRows();
    const char *const types[] = {"Created", "Renamed", "Closed"};
    for (const QModelIndex &index : selected) {
        QTRY_VERIFY(model->rowAt(index.row()));
        const Record &record = model->rowAt(index.row())->record;
        QCOMPARE(record.streamName(), std::string("thing!new-1"));
        const int n = int(record.streamSequenceNumber);
        QVERIFY(n >= 1 && n <= 3);
        QCOMPARE(record.globalSequenceNumber, std::uint64_t(64 + n));
        QCOMPARE(record.eventType, std::string(types[n - 1]));
        if (n == 1) // exact numbers: what was typed is what is stored
            QCOMPARE(record.data, std::string(R"({"big":18446744073709551615,"price":1.50,"tiny":-9223372036854775808})"));
        if (n == 3) {
            QCOMPARE(record.data, std::string("null"));
            QCOMPARE(record.metadata, std::string(R"({"user":7})"));
        }
    }
    // The tree counts follow.
    DatabaseTreeModel *tree = window.databaseDock()->model();
    QTRY_COMPARE(tree->index(tree->indexOfAggregateType(QStringLiteral("thing")).row(), DatabaseTreeModel::CountColumn)
                     .data(DatabaseTreeModel::CountRole)
                     .toULongLong(),
                 18ull);
}

void tst_EventEditor::conflictListsIntrudersAndRebases()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, copyFixture()));
    EventEditorDock *editor = window.editorDock();
    window.databaseDock()->selectScope(Scope::ofAggregateTypes({"thing"}));
    QTRY_COMPARE(window.recordPage()->model()->scope(), Scope::ofAggregateTypes({"thing"}));
    QTRY_VERIFY(!window.recordPage()->model()->isCounting());

    // thing!1 holds 4 events: stage three more, expecting 4.
    fill(editor, QStringLiteral("thing"), QStringLiteral("1"), QStringLiteral("Staged"), QStringLiteral("{\"n\": 1}"));
    QTRY_VERIFY(editor->isHeadKnown());
    QCOMPARE(editor->expectedEdit()->text(), QStringLiteral("4"));
    for (int i = 1; i <= 3; ++i) {
        editor->dataEdit()->setText(QStringLiteral("{\"n\": %1}").arg(i));
        QVERIFY(editor->stage());
    }
    QCOMPARE(editor->stagedModel()->index(0, StagedEventModel::StreamSequence).data().toULongLong(), 5ull);

    // Someone else appends to the stream meanwhile: the staged numbers move on live, the
    // expected number does not, and the dock warns.
    QVERIFY(intrude(window, "thing", "1", "Intruded"));
    QTRY_COMPARE(editor->streamHead(), 5ull);
    QTRY_COMPARE(editor->stagedModel()->index(0, StagedEventModel::StreamSequence).data().toULongLong(), 6ull);
    QCOMPARE(editor->stagedModel()->index(0, StagedEventModel::GlobalSequence).data().toULongLong(), 66ull);
    QCOMPARE(editor->expectedEdit()->text(), QStringLiteral("4"));
    QVERIFY(editor->findChild<QLabel *>(QStringLiteral("expectedNote"))->isVisibleTo(editor));

    QSignalSpy conflict(editor, &EventEditorDock::conflictShown);
    QSignalSpy saved(editor, &EventEditorDock::saved);
    editor->save();
    QVERIFY(conflict.wait(10000));
    ConflictView *view = editor->conflictView();
    QVERIFY(view->isVisibleTo(editor));
    QCOMPARE(view->expected(), 4ull);
    QCOMPARE(view->actual(), 5ull);
    QCOMPARE(view->intruders().size(), std::size_t(1));
    QCOMPARE(view->intruders().front().eventType, std::string("Intruded"));
    QCOMPARE(view->intruders().front().streamSequenceNumber, 5ull);
    QCOMPARE(view->view()->model()->rowCount(), 1);
    QVERIFY2(view->headline().contains(QLatin1String("1 event was appended")), qPrintable(view->headline()));
    // Nothing was written, the staged events stay, and Save waits for a decision.
    QCOMPARE(editor->stagedModel()->rowCount(), 3);
    QVERIFY(!editor->saveButton()->isEnabled());
    QCOMPARE(window.recordPage()->model()->rowCount(), 16);

    QTest::mouseClick(editor->rebaseButton(), Qt::LeftButton);
    QCOMPARE(editor->expectedEdit()->text(), QStringLiteral("5"));
    QVERIFY(!view->isVisibleTo(editor));
    QVERIFY(editor->saveButton()->isEnabled());
    editor->save();
    QVERIFY(saved.wait(10000));
    QCOMPARE(saved.first().at(1).toULongLong(), 66ull);
    QCOMPARE(saved.first().at(2).toULongLong(), 68ull);

    // In the store: 4 + the intruder + our three, with their new numbers, in staged order.
    RecordTableModel *model = window.recordPage()->model();
    QTRY_COMPARE(model->rowCount(), 19);
    QTRY_COMPARE(window.recordPage()->view()->selectionModel()->selectedRows().size(), 3);
    for (int row = 16; row < 19; ++row) {
        QTRY_VERIFY(model->rowAt(row));
        const Record &record = model->rowAt(row)->record;
        QCOMPARE(record.streamName(), std::string("thing!1"));
        QCOMPARE(record.streamSequenceNumber, std::uint64_t(row - 10));
        QCOMPARE(record.globalSequenceNumber, std::uint64_t(row + 50));
        QCOMPARE(record.data, "{\"n\":" + std::to_string(row - 15) + "}");
    }

    // The other way out: discard.
    editor->stage();
    QVERIFY(intrude(window, "thing", "1", "Intruded again"));
    QTRY_COMPARE(editor->streamHead(), 9ull);
    editor->save();
    QVERIFY(conflict.wait(10000));
    QTest::mouseClick(editor->discardButton(), Qt::LeftButton);
    QCOMPARE(editor->stagedModel()->rowCount(), 0);
    QCOMPARE(editor->expectedEdit()->text(), QStringLiteral("9"));
}

void tst_EventEditor::validationNamesTheFieldAndPosition_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("eventType");
    QTest::addColumn<QString>("data");
    QTest::addColumn<QString>("metadata");
    QTest::addColumn<QString>("field"); // objectName of the label next to the field
    QTest::addColumn<QString>("reason");
    QTest::newRow("data: trailing comma") << "thing" << "1" << "E" << "{\"a\": 1,}" << "" << "dataEditStatus"
                                          << "Data: line 1, column 9";
    QTest::newRow("data: third line") << "thing" << "1" << "E" << "{\n  \"a\": [1, 2\n}" << "" << "dataEditStatus"
                                      << "Data: line 3, column 1";
    QTest::newRow("metadata: bare word") << "thing" << "1" << "E" << "" << "{\"x\": nope}" << "metadataEditStatus"
                                         << "Metadata: line 1, column 8";
    QTest::newRow("data: two values") << "thing" << "1" << "E" << "1 2" << "" << "dataEditStatus"
                                      << "Data: line 1, column 3";
    QTest::newRow("empty type") << "" << "1" << "E" << "" << "" << "aggregateTypeProblem" << "Aggregate type: Required.";
    QTest::newRow("type all") << "all" << "1" << "E" << "" << "" << "aggregateTypeProblem" << "reserved";
    QTest::newRow("type $") << "$gsn" << "1" << "E" << "" << "" << "aggregateTypeProblem" << "must not begin with '$'";
    QTest::newRow("type !") << "a!b" << "1" << "E" << "" << "" << "aggregateTypeProblem" << "must not contain '!'";
    QTest::newRow("empty id") << "thing" << "" << "E" << "" << "" << "aggregateIdProblem" << "Aggregate ID: Required.";
    QTest::newRow("id !") << "thing" << "x!y" << "E" << "" << "" << "aggregateIdProblem" << "must not contain '!'";
    QTest::newRow("empty event type") << "thing" << "1" << "" << "" << "" << "eventTypeProblem"
                                      << "Event type: Required.";
}

void tst_EventEditor::validationNamesTheFieldAndPosition()
{
    QFETCH(QString, type);
    QFETCH(QString, id);
    QFETCH(QString, eventType);
    QFETCH(QString, data);
    QFETCH(QString, metadata);
    QFETCH(QString, field);
    QFETCH(QString, reason);
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, copyFixture()));
    EventEditorDock *editor = window.editorDock();
    editor->show();
    fill(editor, type, id, eventType, data, metadata);
    QVERIFY(!editor->saveButton()->isEnabled());
    QVERIFY(!editor->stageButton()->isEnabled());
    QVERIFY2(editor->saveBlocker().contains(reason), qPrintable(editor->saveBlocker()));
    auto *label = editor->findChild<QLabel *>(field);
    QVERIFY(label);
    QVERIFY(!label->isHidden()); // (the metadata tab may be behind the data tab, marked with ⚠)
    const QString shown = reason.contains(QLatin1String(": ")) ? reason.section(QLatin1String(": "), 1) : reason;
    QVERIFY2(label->text().contains(shown), qPrintable(label->text()));
    QVERIFY(!editor->stage());
    QCOMPARE(editor->stagedModel()->rowCount(), 0);
    editor->save(); // refused: nothing reaches the store
    QVERIFY(!editor->isSaving());

    // Fixing the fields enables Save.
    fill(editor, QStringLiteral("thing"), QStringLiteral("1"), QStringLiteral("E"), QStringLiteral("{\"a\": 1}"));
    QTRY_VERIFY2(editor->saveButton()->isEnabled(), qPrintable(editor->saveBlocker()));
    QVERIFY(!label->text().contains(shown));
}

void tst_EventEditor::formatKeepsNumbersExact()
{
    JsonEdit edit(QStringLiteral("dataEdit"));
    edit.setText(QStringLiteral("{\"a\":18446744073709551615,\"b\":[1.50,1e3,-0.0],\"c\":\"é\\u00e9\"}"));
    QVERIFY(edit.isValid());
    edit.format();
    QCOMPARE(edit.text(), QStringLiteral("{\n  \"a\": 18446744073709551615,\n  \"b\": [\n    1.50,\n    1e3,\n    -0.0\n  ],\n"
                                         "  \"c\": \"éé\"\n}")); // escapes are decoded
    QCOMPARE(edit.value(), edit.text().toStdString());
    // Undo brings the typed text back.
    edit.editor()->undo();
    QCOMPARE(edit.text(), QStringLiteral("{\"a\":18446744073709551615,\"b\":[1.50,1e3,-0.0],\"c\":\"é\\u00e9\"}"));
    edit.setText(QStringLiteral("  "));
    QVERIFY(edit.isValid());
    QCOMPARE(edit.value(), std::string("null"));
    edit.setText(QStringLiteral("[1, 2"));
    QVERIFY(!edit.isValid());
    QVERIFY2(edit.errorText().startsWith(QLatin1String("line 1, column 6")), qPrintable(edit.errorText()));
    QVERIFY(!edit.editor()->extraSelections().isEmpty()); // the error is marked in the text
}

void tst_EventEditor::appendLikeThisFromTableAndInspector()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, copyFixture()));
    EventEditorDock *editor = window.editorDock();
    RecordPage *page = window.recordPage();
    page->selectRow(0);
    QTRY_VERIFY(page->currentRow());
    const Record record = page->currentRow()->record;
    QVERIFY(page->view()->actions().contains(page->appendLikeAction()));
    page->appendLikeAction()->trigger();
    QVERIFY(editor->isVisible());
    QCOMPARE(editor->aggregateTypeEdit()->text().toStdString(), record.aggregateType);
    QCOMPARE(editor->aggregateIdEdit()->text().toStdString(), record.aggregateId);
    QCOMPARE(editor->eventTypeEdit()->text().toStdString(), record.eventType);
    QVERIFY(json::equal(editor->dataEdit()->value(), record.data));
    QVERIFY(editor->dataEdit()->text().contains(QLatin1Char('\n'))); // pretty for editing

    // From the inspector: another record.
    page->selectRow(5);
    RecordInspector *inspector = window.inspectorDock()->inspector();
    QTRY_COMPARE(inspector->record().globalSequenceNumber, page->currentRow()->record.globalSequenceNumber);
    inspector->appendLikeAction()->trigger();
    QCOMPARE(editor->aggregateIdEdit()->text().toStdString(), inspector->record().aggregateId);
    QCOMPARE(editor->eventTypeEdit()->text().toStdString(), inspector->record().eventType);
    QVERIFY(json::equal(editor->metadataEdit()->value(), inspector->record().metadata));
    QTRY_VERIFY(editor->isHeadKnown());
    QVERIFY(editor->saveButton()->isEnabled());
}

void tst_EventEditor::completionsComeFromTheStore()
{
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, copyFixture()));
    EventEditorDock *editor = window.editorDock();
    auto *typeModel = qobject_cast<QStringListModel *>(editor->aggregateTypeEdit()->completer()->model());
    QVERIFY(typeModel);
    const QStringList types = typeModel->stringList();
    QVERIFY2(types.contains(QStringLiteral("account")) && types.contains(QStringLiteral("thing")), qPrintable(types.join(u',')));
    editor->aggregateTypeEdit()->setText(QStringLiteral("account"));
    QTRY_VERIFY(editor->aggregateIdCompletions().contains(QStringLiteral("acct-0001.eu")));
    QTRY_VERIFY(editor->eventTypeCompletions().contains(QStringLiteral("AccountWasOpened")));
    // New ID: a fresh UUID, a stream with no events.
    QTest::mouseClick(editor->newIdButton(), Qt::LeftButton);
    QCOMPARE(editor->aggregateIdEdit()->text().size(), 36);
    QVERIFY(!editor->aggregateIdCompletions().contains(editor->aggregateIdEdit()->text()));
    QTRY_VERIFY(editor->isHeadKnown());
    QCOMPARE(editor->streamHead(), 0ull);
}

void tst_EventEditor::readOnlyDisablesEveryWrite()
{
    const QString path = copyFixture();
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QVERIFY(openAndWait(window, path, true));
    EventEditorDock *editor = window.editorDock();
    QVERIFY(window.writeActions().contains(editor->appendAction()));
    QVERIFY(window.writeActions().contains(editor->deleteStreamAction()));
    QVERIFY(window.writeActions().contains(window.recordPage()->appendLikeAction()));
    QVERIFY(window.writeActions().contains(window.inspectorDock()->inspector()->appendLikeAction()));
    for (QAction *action : window.writeActions())
        QVERIFY2(!action->isEnabled(), qPrintable(action->text()));
    editor->show();
    fill(editor, QStringLiteral("thing"), QStringLiteral("1"), QStringLiteral("E"), QStringLiteral("{}"));
    QTRY_VERIFY(editor->isHeadKnown());
    QVERIFY(!editor->saveButton()->isEnabled());
    QVERIFY(!editor->stageButton()->isEnabled());
    QVERIFY(!editor->deleteButton()->isEnabled());
    QCOMPARE(editor->saveBlocker(), QStringLiteral("The database is open read-only."));
    QVERIFY(editor->findChild<QLabel *>(QStringLiteral("editorBanner"))->isVisibleTo(editor));
    editor->save();
    editor->deleteStream(QStringLiteral("thing!1"));
    QTest::qWait(100);
    QVERIFY(!editor->deleteDialog());
    QCOMPARE(window.recordPage()->model()->rowCount(), 60);
}

void tst_EventEditor::templatesPersistAcrossRestart()
{
    const QString path = copyFixture();
    const QString data = QStringLiteral("{\n  \"amount\": 12.50,\n  \"id\": 18446744073709551615\n}");
    {
        MainWindow window;
        window.setInteractive(false);
        QVERIFY(openAndWait(window, path));
        EventEditorDock *editor = window.editorDock();
        fill(editor, QStringLiteral("account"), QString(), QStringLiteral("DepositMade"), data,
             QStringLiteral("{\"source\": \"workbench\"}"));
        editor->saveTemplate(QStringLiteral("deposit / large"));
        editor->saveTemplate(QStringLiteral("another"));
        editor->removeTemplate(QStringLiteral("another"));
        QCOMPARE(editor->templateBox()->count(), 1);
        window.close();
    }
    MainWindow window; // a restart: everything comes from the settings
    window.setInteractive(false);
    QVERIFY(openAndWait(window, path));
    EventEditorDock *editor = window.editorDock();
    QCOMPARE(editor->templateBox()->count(), 1);
    QCOMPARE(editor->templateBox()->itemText(0), QStringLiteral("deposit / large"));
    QVERIFY(editor->applyTemplate(QStringLiteral("deposit / large")));
    QCOMPARE(editor->aggregateTypeEdit()->text(), QStringLiteral("account"));
    QCOMPARE(editor->aggregateIdEdit()->text(), QString());
    QCOMPARE(editor->eventTypeEdit()->text(), QStringLiteral("DepositMade"));
    QCOMPARE(editor->dataEdit()->text(), data);
    QCOMPARE(editor->metadataEdit()->text(), QStringLiteral("{\"source\": \"workbench\"}"));
    QVERIFY(!editor->applyTemplate(QStringLiteral("missing")));
}

QTEST_MAIN(tst_EventEditor)

#include "tst_eventeditor.moc"
