// Deleting a stream: the confirmation dialog on its own, then the whole path through the
// window (count, confirm by name, conflict, delete, tree and table follow).

#include "conflictview.h"
#include "databasedock.h"
#include "deletestreamdialog.h"
#include "eventeditordock.h"
#include "mainwindow.h"
#include "recordpage.h"
#include "recordtablemodel.h"

#include "testutil.h"

#include <QApplication>
#include <QLabel>
#include <QLineEdit>
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

class tst_DeleteStream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void dialogWantsTheExactName_data();
    void dialogWantsTheExactName();
    void conflictAsksAgainWithTheNewCount();
    void deleteFromTheWindow();

private:
    QTemporaryDir m_dir;
};

void tst_DeleteStream::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("rangedb-workbench-tests-delete"));
    QSettings().clear();
    QLocale::setDefault(QLocale::c());
}

void tst_DeleteStream::dialogWantsTheExactName_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<bool>("enabled");
    QTest::newRow("nothing") << QString() << false;
    QTest::newRow("prefix") << QStringLiteral("thing!") << false;
    QTest::newRow("other case") << QStringLiteral("Thing!1") << false;
    QTest::newRow("trailing space") << QStringLiteral("thing!1 ") << false;
    QTest::newRow("longer stream") << QStringLiteral("thing!10") << false;
    QTest::newRow("exact") << QStringLiteral("thing!1") << true;
}

void tst_DeleteStream::dialogWantsTheExactName()
{
    QFETCH(QString, typed);
    QFETCH(bool, enabled);
    DeleteStreamDialog dialog(QStringLiteral("thing!1"), 4);
    QSignalSpy requested(&dialog, &DeleteStreamDialog::deleteRequested);
    const QString question = dialog.findChild<QLabel *>(QStringLiteral("deleteQuestion"))->text();
    QVERIFY(question.contains(QLatin1String("thing!1")));
    QVERIFY(question.contains(QLatin1String("4 events")));
    QVERIFY(!dialog.deleteButton()->isEnabled());
    QTest::keyClicks(dialog.confirmEdit(), typed);
    QCOMPARE(dialog.deleteButton()->isEnabled(), enabled);
    QTest::mouseClick(dialog.deleteButton(), Qt::LeftButton);
    QCOMPARE(requested.size(), enabled ? 1 : 0);
    if (enabled)
        QCOMPARE(requested.first().first().toULongLong(), 4ull); // the expected number is the count shown
}

void tst_DeleteStream::conflictAsksAgainWithTheNewCount()
{
    DeleteStreamDialog dialog(QStringLiteral("thing!1"), 4);
    dialog.confirmEdit()->setText(QStringLiteral("thing!1"));
    QVERIFY(dialog.deleteButton()->isEnabled());
    dialog.setBusy(true);
    QVERIFY(!dialog.deleteButton()->isEnabled());
    Record intruder;
    intruder.aggregateType = "thing";
    intruder.aggregateId = "1";
    intruder.streamSequenceNumber = 5;
    intruder.globalSequenceNumber = 70;
    intruder.eventType = "Late";
    dialog.showConflict(5, {intruder});
    QCOMPARE(dialog.expectedCount(), 5ull);
    QVERIFY(dialog.confirmEdit()->text().isEmpty()); // confirm again, for what is there now
    QVERIFY(!dialog.deleteButton()->isEnabled());
    QVERIFY(!dialog.conflictView()->isHidden());
    QCOMPARE(dialog.conflictView()->intruders().size(), std::size_t(1));
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("deleteQuestion"))->text().contains(QLatin1String("5 events")));
    QVERIFY(dialog.deleteButton()->text().contains(QLatin1String("5")));
}

void tst_DeleteStream::deleteFromTheWindow()
{
    const QString path = m_dir.filePath(QStringLiteral("store%1").arg(QRandomGenerator::global()->generate()));
    QVERIFY(test::copyFolder(test::fixtureDir() + QStringLiteral("/json-store"), path));
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QSignalSpy opened(window.service(), &StoreService::opened);
    window.openDatabase(OpenRequest{path, false, false, Serializer::Json});
    QVERIFY(opened.wait(10000));
    RecordTableModel *table = window.recordPage()->model();
    DatabaseTreeModel *tree = window.databaseDock()->model();
    QTRY_VERIFY(!table->isCounting() && !tree->isCounting());
    QCOMPARE(table->rowCount(), 60);
    const QModelIndex thing = tree->indexOfAggregateType(QStringLiteral("thing"));
    tree->fetchMore(thing);
    QTRY_VERIFY(tree->indexOfStream(QStringLiteral("thing!1")).isValid());
    EventEditorDock *editor = window.editorDock();

    // The count comes from the store; the dialog opens with it.
    editor->deleteStream(QStringLiteral("thing!1"));
    QTRY_VERIFY(editor->deleteDialog());
    DeleteStreamDialog *dialog = editor->deleteDialog();
    QCOMPARE(dialog->expectedCount(), 4ull);
    QVERIFY(!dialog->deleteButton()->isEnabled());
    QTest::keyClicks(dialog->confirmEdit(), QStringLiteral("thing!10"));
    QVERIFY(!dialog->deleteButton()->isEnabled());
    dialog->confirmEdit()->setText(QStringLiteral("thing!1"));
    QVERIFY(dialog->deleteButton()->isEnabled());

    // Someone appends meanwhile: the delete is refused and explained.
    bool done = false;
    window.service()->run(
        &window,
        [](Store &store, std::stop_token) {
            return store.save(std::vector<EventRecord>{{"thing", "1", "Late", R"({"x":1})", "null"}});
        },
        [&](Result<SaveResult> result) { done = result.ok(); });
    QTRY_VERIFY(done);
    QTRY_COMPARE(table->rowCount(), 61);
    QTest::mouseClick(dialog->deleteButton(), Qt::LeftButton);
    QTRY_VERIFY(!dialog->conflictView()->isHidden());
    QCOMPARE(dialog->conflictView()->expected(), 4ull);
    QCOMPARE(dialog->conflictView()->actual(), 5ull);
    QCOMPARE(dialog->conflictView()->intruders().size(), std::size_t(1));
    QCOMPARE(dialog->conflictView()->intruders().front().eventType, std::string("Late"));
    QVERIFY(!dialog->deleteButton()->isEnabled());
    QCOMPARE(table->rowCount(), 61); // nothing was deleted

    // Confirm again: deleted, and the tree and the table follow.
    QSignalSpy finished(editor, &EventEditorDock::streamDeleteFinished);
    QTest::keyClicks(dialog->confirmEdit(), QStringLiteral("thing!1"));
    QTest::mouseClick(dialog->deleteButton(), Qt::LeftButton);
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(1).toBool(), true);
    QTRY_VERIFY(!editor->deleteDialog());
    QTRY_VERIFY(!table->isCounting());
    QTRY_COMPARE(table->rowCount(), 56);
    QTRY_VERIFY(!tree->isCounting());
    QTRY_COMPARE(tree->data(tree->index(tree->indexOfAggregateType(QStringLiteral("thing")).row(),
                                        DatabaseTreeModel::CountColumn),
                            DatabaseTreeModel::CountRole)
                     .toULongLong(),
                 11ull);
    // 61 - 5: exactly thing!1 went, thing!10 (a byte prefix match) stayed.
    QVERIFY(!tree->indexOfStream(QStringLiteral("thing!1")).isValid());

    // A stream that is gone: nothing to confirm.
    editor->deleteStream(QStringLiteral("thing!1"));
    QTRY_VERIFY(editor->statusLabel()->text().contains(QLatin1String("holds no events")));
    QVERIFY(!editor->deleteDialog());
}

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    tst_DeleteStream test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_deletestream.moc"
