// RecordInspector, offscreen: records rangedb wrote (the v0.12.0 fixture export), shown
// with their envelope, data tree, pretty text, stored bytes (JSON and msgpack) and the
// decode-error state. RANGEDB_SCREENSHOT_DIR=<dir> saves what the widget looks like.

#include "hexdump.h"
#include "jsontreemodel.h"
#include "jsonview.h"
#include "recordinspector.h"

#include "testutil.h"

#include <rangedb/codec.h>
#include <rangedb/json.h>

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTest>
#include <QTreeView>

using namespace rangedb;
using namespace rangedb::ui;

namespace {

std::vector<Record> fixtureRecords()
{
    return test::parseRecords(test::readFile(test::fixtureDir() + QStringLiteral("/all-events.json")),
                              StreamFormat::JsonArray);
}

QString labelText(const QWidget &w, const char *name)
{
    const auto *label = w.findChild<QLabel *>(QString::fromLatin1(name));
    return label != nullptr ? label->text() : QStringLiteral("<no label %1>").arg(QString::fromLatin1(name));
}

void saveScreenshot(QWidget &w, const QString &name)
{
    const QString dir = qEnvironmentVariable("RANGEDB_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        w.grab().save(dir + QLatin1Char('/') + name + QLatin1String(".png"));
}

QByteArray bytes(const std::string &s)
{
    return QByteArray::fromStdString(s);
}

} // namespace

class TestRecordInspector : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void emptyState();
    void jsonRecord();
    void msgpackRecord();
    void everyFixtureRecord();
    void utcAndLocalTime();
    void switchToText();
    void decodeError();
    void largeValue();
};

void TestRecordInspector::initTestCase()
{
    QVERIFY(fixtureRecords().size() > 5);
}

void TestRecordInspector::emptyState()
{
    RecordInspector inspector;
    QVERIFY(!inspector.hasRecord());
    QVERIFY(!inspector.copyRecordAction()->isEnabled());
    QVERIFY(inspector.recordJson().isEmpty());
    QCOMPARE(inspector.hexModel()->rowCount(), 0);
}

void TestRecordInspector::jsonRecord()
{
    const Record record = fixtureRecords().front();
    const QByteArray stored = bytes(codec::toJson(record));

    RecordInspector inspector;
    inspector.resize(820, 620);
    inspector.setUtc(true);
    inspector.setRecord(record, stored, Serializer::Json);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    saveScreenshot(inspector, QStringLiteral("inspector-json"));

    // The envelope.
    QCOMPARE(labelText(inspector, "eventTypeValue"), QStringLiteral("AccountWasOpened"));
    QCOMPARE(labelText(inspector, "streamNameValue"), QStringLiteral("account!acct-0001.eu"));
    QCOMPARE(labelText(inspector, "aggregateTypeValue"), QStringLiteral("account"));
    QCOMPARE(labelText(inspector, "aggregateIdValue"), QStringLiteral("acct-0001.eu"));
    QCOMPARE(labelText(inspector, "eventIdValue"), QStringLiteral("d2ba8e70072943388203c438d4e94bf3"));
    QCOMPARE(labelText(inspector, "globalSequenceValue"), QStringLiteral("1"));
    QCOMPARE(labelText(inspector, "streamSequenceValue"), QStringLiteral("1"));
    QCOMPARE(labelText(inspector, "insertTimeValue"), QStringLiteral("2021-01-01 00:00:00 UTC"));

    // The data tree: top-level members in stored order, nested ones with their paths.
    JsonTreeModel *data = inspector.dataView()->model();
    QAbstractItemModelTester tester(data, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QStringList keys;
    for (int row = 0; row < data->rowCount(); ++row)
        keys << data->index(row, 0).data().toString();
    QCOMPARE(keys, QStringList({QStringLiteral("address"), QStringLiteral("balance"), QStringLiteral("currency"),
                                QStringLiteral("id"), QStringLiteral("owner"), QStringLiteral("tags")}));
    const QModelIndex address = data->index(0, 0);
    QCOMPARE(data->index(0, JsonTreeModel::ValueColumn).data().toString(), QStringLiteral("{5}"));
    const QModelIndex city = data->index(0, 0, address);
    QCOMPARE(city.data().toString(), QStringLiteral("city"));
    QCOMPARE(data->index(0, JsonTreeModel::ValueColumn, address).data().toString(), QStringLiteral("\"Zürich\""));
    QCOMPARE(city.data(JsonTreeModel::PathRole).toString(), QStringLiteral("data.address.city"));
    // Small records open two levels deep.
    QVERIFY(inspector.dataView()->treeView()->isExpanded(address));

    const JsonTreeModel *metadata = inspector.metadataView()->model();
    QCOMPARE(metadata->index(3, 0).data(JsonTreeModel::PathRole).toString(), QStringLiteral("metadata.user"));
    QCOMPARE(metadata->index(3, 0).data(JsonTreeModel::CompactJsonRole).toString(),
             QStringLiteral(R"({"id":7,"roles":["admin","ops"]})"));

    // The pretty text is the core's pretty form of the data.
    QCOMPARE(inspector.dataView()->textView()->toPlainText(), QString::fromStdString(*json::pretty(record.data)));
    QVERIFY(inspector.dataView()->textView()->toPlainText().startsWith(
        QStringLiteral("{\n  \"address\": {\n    \"city\": \"Zürich\",")));
    QVERIFY(inspector.dataView()->textView()->isReadOnly());

    // Stored bytes: serializer named, hex lines, decoded JSON.
    QCOMPARE(inspector.storedBytesSummary(), QStringLiteral("JSON serializer, %1 bytes").arg(stored.size()));
    const HexDumpModel *hex = inspector.hexModel();
    QCOMPARE(hex->rowCount(), int((stored.size() + 15) / 16));
    QCOMPARE(hex->index(0, HexDumpModel::OffsetColumn).data().toString(), QStringLiteral("00000000"));
    QCOMPARE(hex->index(0, HexDumpModel::HexColumn).data().toString(),
             QStringLiteral("7b 22 61 67 67 72 65 67  61 74 65 54 79 70 65 22"));
    QCOMPARE(hex->index(0, HexDumpModel::AsciiColumn).data().toString(), QStringLiteral("{\"aggregateType\""));
    QCOMPARE(hex->index(1, HexDumpModel::OffsetColumn).data().toString(), QStringLiteral("00000010"));
    QCOMPARE(hexdump::line(stored, 0),
             QStringLiteral("00000000  7b 22 61 67 67 72 65 67  61 74 65 54 79 70 65 22  |{\"aggregateType\"|"));
    QCOMPARE(inspector.decodedText(), QString::fromStdString(*json::pretty(stored.toStdString())));

    // Copy record as JSON: the core's encoding, byte for byte.
    QCOMPARE(inspector.recordJson(), stored);
    QVERIFY(inspector.copyRecordAction()->isEnabled());
    inspector.copyRecordAction()->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), QString::fromStdString(codec::toJson(record)));

    // Copy value / copy path on the tree's current item.
    QTreeView *tree = inspector.dataView()->treeView();
    tree->setCurrentIndex(city);
    inspector.dataView()->copyValueAction()->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("\"Zürich\""));
    inspector.dataView()->copyPathAction()->trigger();
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("data.address.city"));
    QCOMPARE(tree->actions().size(), 5); // copy value, copy path, separator, expand, collapse

    // Keyboard: the tabs are reachable and switch with the keyboard.
    inspector.tabs()->setFocus();
    inspector.tabs()->setCurrentIndex(RecordInspector::StoredBytesTab);
    saveScreenshot(inspector, QStringLiteral("inspector-json-bytes"));
    inspector.tabs()->setCurrentIndex(RecordInspector::DataTab);
}

void TestRecordInspector::msgpackRecord()
{
    const auto records = fixtureRecords();
    const Record &record = records[2]; // OrderWasPlaced: nested items, unicode, floats
    std::string packed;
    QVERIFY(codec::appendMsgpack(packed, record).ok());

    RecordInspector inspector;
    inspector.resize(820, 620);
    inspector.setRecord(record, bytes(packed), Serializer::Msgpack);
    inspector.tabs()->setCurrentIndex(RecordInspector::StoredBytesTab);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    saveScreenshot(inspector, QStringLiteral("inspector-msgpack-bytes"));

    QVERIFY(inspector.storedBytesSummary().startsWith(QStringLiteral("msgpack serializer, %1 bytes").arg(packed.size())));
    const QString decoded = inspector.decodedText();
    QVERIFY2(decoded.startsWith(QStringLiteral("#1 record (byte 0, ")), qPrintable(decoded));
    QVERIFY2(decoded.contains(QStringLiteral("): map, 9 entries\n  \"a\": str \"order\"\n")), qPrintable(decoded));
    QVERIFY2(decoded.contains(QStringLiteral("\n  \"g\": ")), qPrintable(decoded));
    QVERIFY2(decoded.contains(QStringLiteral("\n#2 data (byte ")), qPrintable(decoded));
    QVERIFY2(decoded.contains(QStringLiteral("\"name\": str \"Café crème ☕\"")), qPrintable(decoded));
    QVERIFY2(decoded.contains(QStringLiteral("\"unitPrice\": float64 3.5")), qPrintable(decoded));
    QCOMPARE(inspector.hexModel()->index(0, HexDumpModel::HexColumn).data().toString().left(2), QStringLiteral("89"));
    // Copy as JSON is rangedb's JSON record layout, whatever the serializer.
    QCOMPARE(inspector.recordJson(), bytes(codec::toJson(record)));
}

// Every record rangedb wrote shows without complaint, data and metadata trees complete.
void TestRecordInspector::everyFixtureRecord()
{
    RecordInspector inspector;
    for (const Record &record : fixtureRecords()) {
        inspector.setRecord(record, bytes(codec::toJson(record)), Serializer::Json);
        QVERIFY(inspector.hasRecord());
        QCOMPARE(labelText(inspector, "eventTypeValue"), QString::fromStdString(record.eventType));
        QCOMPARE(labelText(inspector, "globalSequenceValue"), QString::number(record.globalSequenceNumber));
        QVERIFY(inspector.tabs()->tabToolTip(RecordInspector::DataTab).isEmpty());
        QVERIFY(inspector.dataView()->model()->itemCount() >= 1);
        QVERIFY(json::equal(inspector.dataView()->textView()->toPlainText().toStdString(), record.data));
        QVERIFY(json::equal(inspector.metadataView()->textView()->toPlainText().toStdString(), record.metadata));
        QCOMPARE(inspector.recordJson(), bytes(codec::toJson(record)));
    }
}

void TestRecordInspector::utcAndLocalTime()
{
    QCOMPARE(RecordInspector::formatTime(1609459200, true), QStringLiteral("2021-01-01 00:00:00 UTC"));
    const QDateTime local = QDateTime::fromSecsSinceEpoch(1609459200, Qt::UTC).toLocalTime();
    QCOMPARE(RecordInspector::formatTime(1609459200, false),
             local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) + QLatin1Char(' ') + local.timeZoneAbbreviation());
    QCOMPARE(RecordInspector::formatTime(18446744073709551615ULL, true), QStringLiteral("18446744073709551615 s since 1970"));

    RecordInspector inspector;
    inspector.setRecord(fixtureRecords().front(), {}, Serializer::Json);
    QVERIFY(!inspector.isUtc());
    QCOMPARE(labelText(inspector, "insertTimeValue"), RecordInspector::formatTime(1609459200, false));
    inspector.setUtc(true);
    QCOMPARE(labelText(inspector, "insertTimeValue"), QStringLiteral("2021-01-01 00:00:00 UTC"));
    QCOMPARE(inspector.storedBytesSummary(), QStringLiteral("The stored value was not loaded."));
}

void TestRecordInspector::switchToText()
{
    RecordInspector inspector;
    inspector.resize(820, 620);
    inspector.setRecord(fixtureRecords()[2], {}, Serializer::Json);
    inspector.dataView()->setMode(JsonView::TextMode);
    // Both JSON tabs follow.
    QCOMPARE(inspector.metadataView()->mode(), JsonView::TextMode);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    QVERIFY(inspector.dataView()->textView()->isVisible());
    QVERIFY(!inspector.dataView()->treeView()->isVisible());
    saveScreenshot(inspector, QStringLiteral("inspector-text"));
    // A dark palette: the highlighter switches to its dark colours.
    QPalette dark = inspector.palette();
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::WindowText, QColor(0xe0, 0xe0, 0xe0));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::Text, QColor(0xe0, 0xe0, 0xe0));
    dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    dark.setColor(QPalette::ButtonText, QColor(0xe0, 0xe0, 0xe0));
    inspector.setPalette(dark);
    QCoreApplication::processEvents();
    saveScreenshot(inspector, QStringLiteral("inspector-text-dark"));
    inspector.metadataView()->setMode(JsonView::TreeMode);
    QCOMPARE(inspector.dataView()->mode(), JsonView::TreeMode);
}

void TestRecordInspector::decodeError()
{
    const QByteArray garbage = QByteArrayLiteral("{\"aggregateType\":\"x\",\"globalSequenceNumber\":\"one\"}");
    RecordInspector inspector;
    inspector.resize(820, 620);
    inspector.setRecord(fixtureRecords().front(), {}, Serializer::Json);
    const QString message = QStringLiteral("record 7 (global #7): failed unmarshalling record: globalSequenceNumber: "
                                           "expected a non-negative integer");
    inspector.setDecodeError(message, garbage);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    saveScreenshot(inspector, QStringLiteral("inspector-error"));

    QVERIFY(inspector.hasDecodeError());
    QVERIFY(!inspector.hasRecord());
    const auto *banner = inspector.findChild<QWidget *>(QStringLiteral("decodeErrorBanner"));
    QVERIFY(banner != nullptr && banner->isVisible());
    QCOMPARE(labelText(inspector, "decodeErrorText"), message);
    QCOMPARE(inspector.tabs()->currentIndex(), int(RecordInspector::StoredBytesTab));
    QVERIFY(!inspector.tabs()->isTabEnabled(RecordInspector::DataTab));
    QVERIFY(!inspector.copyRecordAction()->isEnabled());
    QCOMPARE(inspector.hexModel()->bytes(), garbage);
    QCOMPARE(inspector.hexModel()->rowCount(), 4);
    QCOMPARE(inspector.hexModel()->index(3, HexDumpModel::HexColumn).data().toString(),
             QStringLiteral("22 7d") + QString(43, QLatin1Char(' ')));
    QCOMPARE(inspector.hexModel()->index(3, HexDumpModel::AsciiColumn).data().toString(), QStringLiteral("\"}"));
    QCOMPARE(hexdump::line(garbage, 48), QStringLiteral("00000030  22 7d") + QString(43, QLatin1Char(' ')) + QStringLiteral("  |\"}|"));

    // A value that is neither serializer, and a truncated msgpack value.
    inspector.setDecodeError(QStringLiteral("unknown serializer"), QByteArrayLiteral("\x01\x02"));
    QCOMPARE(inspector.storedBytesSummary(), QStringLiteral("2 bytes, first byte 0x01: neither JSON ('{') nor msgpack (0x89)"));
    std::string packed;
    QVERIFY(codec::appendMsgpack(packed, fixtureRecords().front()).ok());
    inspector.setDecodeError(QStringLiteral("truncated"), bytes(packed.substr(0, 40)));
    QVERIFY2(inspector.decodedText().startsWith(QStringLiteral("cannot decode the msgpack object at byte 0: ")),
             qPrintable(inspector.decodedText()));

    // A good record afterwards clears the error state.
    inspector.setRecord(fixtureRecords().front(), {}, Serializer::Json);
    QVERIFY(!inspector.hasDecodeError());
    QVERIFY(!banner->isVisible());
    QVERIFY(inspector.tabs()->isTabEnabled(RecordInspector::DataTab));
    inspector.clear();
    QVERIFY(!inspector.hasRecord());
}

// A record of about 1 MB: the hex dump is a model of 16-byte rows formatted on demand.
void TestRecordInspector::largeValue()
{
    Record record = fixtureRecords().front();
    std::string data = "{\"blob\":\"";
    data.append(1 << 20, 'x');
    data += "\",\"n\":18446744073709551615}";
    record.data = data;
    const QByteArray stored = bytes(codec::toJson(record));
    RecordInspector inspector;
    inspector.resize(820, 620);
    inspector.setRecord(record, stored, Serializer::Json);
    inspector.tabs()->setCurrentIndex(RecordInspector::StoredBytesTab);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));
    QCOMPARE(inspector.hexModel()->rowCount(), int((stored.size() + 15) / 16));
    const int last = inspector.hexModel()->rowCount() - 1;
    QCOMPARE(inspector.hexModel()->index(last, HexDumpModel::OffsetColumn).data().toString(),
             hexdump::offsetText(qsizetype(last) * 16));
    QCOMPARE(inspector.dataView()->model()->index(1, JsonTreeModel::ValueColumn).data().toString(),
             QStringLiteral("18446744073709551615"));
}

QTEST_MAIN(TestRecordInspector)
#include "tst_recordinspector.moc"
