// Bad input on purpose: truncated, garbage, wrongly typed, badly encoded, absurdly deep or
// absurdly large. Every case must give ErrorCode::DecodeError with a message that names
// the place, never a crash, a hang or a huge allocation; streams must deliver the records
// before the bad one.

#include "rangedb/codec.h"
#include "rangedb/json.h"
#include "rangedb/recordstream.h"

#include <QBuffer>
#include <QByteArray>
#include <QTest>

#include <string>
#include <vector>

using namespace rangedb;

Q_DECLARE_METATYPE(rangedb::StreamFormat)

namespace {

Record sample(int n)
{
    Record r;
    r.aggregateType = "thing";
    r.aggregateId = "A";
    r.globalSequenceNumber = std::uint64_t(n);
    r.streamSequenceNumber = std::uint64_t(n);
    r.insertTimestamp = 1609459200;
    r.eventId = "d2ba8e70072943388203c438d4e94bf3";
    r.eventType = "ThingWasDone";
    r.data = R"({"id":"A","number":)" + std::to_string(n) + "}";
    return r;
}

QByteArray jsonRecord(int n)
{
    return QByteArray::fromStdString(codec::toJson(sample(n)));
}

QByteArray msgpackRecord(int n)
{
    std::string out;
    if (!codec::appendMsgpack(out, sample(n)).ok())
        return {};
    return QByteArray::fromStdString(out);
}

struct ReadResult
{
    int records = 0;
    Status status;
    QByteArray message() const { return QByteArray::fromStdString(status.message()); }
};

ReadResult readAll(const QByteArray &bytes, StreamFormat format)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    RecordReader reader(&buffer, format, QStringLiteral("bad.input"));
    ReadResult result;
    while (reader.next()) {
        if (!(reader.record() == sample(result.records + 1)))
            qWarning("record %d read wrongly", result.records + 1);
        ++result.records;
    }
    result.status = reader.status();
    return result;
}

QByteArray deepMsgpackArray(int depth)
{
    return QByteArray(depth, '\x91') + QByteArray(1, '\xc0');
}

} // namespace

class TestBadInput : public QObject
{
    Q_OBJECT

private slots:
    void jsonRecordBad_data();
    void jsonRecordBad();
    void msgpackRecordBad_data();
    void msgpackRecordBad();
    void streamBadThirdRecord_data();
    void streamBadThirdRecord();
    void jsonDeepNesting100k();
    void msgpackDeepNesting100k();
    void msgpackHugeLengthHeaders_data();
    void msgpackHugeLengthHeaders();
    void msgpackInvalidUtf8IsReplacedAsGoDoes();
    void recordLargerThanLimit();
    void encodeRejectsInvalidJson();
};

void TestBadInput::jsonRecordBad_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("place");
    const QByteArray good = jsonRecord(1);
    QTest::newRow("truncated") << good.left(100) << QByteArray("unexpected end of input at line 1, column 101 (byte 100)");
    QTest::newRow("truncated in data") << good.left(good.indexOf("\"number\"") + 5)
                                       << QByteArray("unexpected end of input at line 1, column ");
    QTest::newRow("garbage") << QByteArray("\x01\x02garbage") << QByteArray("invalid value");
    QTest::newRow("second line")
        << QByteArray(good).replace(",\"eventID\"", ",\n  \"eventID\" x")
        << QByteArray("expected a ':' after the member name, near \"x:\\\"d2ba8e70072943388203c438d4e94bf3\\\",\\\"ev...\" at line 2, column 13 (byte 135)");
    QTest::newRow("missing required")
        << QByteArray(good).replace("\"eventType\":\"ThingWasDone\",", "")
        << QByteArray("missing required field \"eventType\" in the record at line 1, column 1");
    QTest::newRow("wrong type")
        << QByteArray(good).replace("\"insertTimestamp\":1609459200", "\"insertTimestamp\":[1]")
        << QByteArray("field \"insertTimestamp\": expected a non-negative integer, found [ at line 1, column ");
    QTest::newRow("invalid UTF-8 in a value")
        << QByteArray(good).replace("\"id\":\"A\"", "\"id\":\"A\xff\"")
        << QByteArray("invalid UTF-8 in a string");
    QTest::newRow("invalid UTF-8 in a key")
        << QByteArray(good).replace("\"id\":", "\"i\xc3\":") << QByteArray("invalid UTF-8 in a string");
    QTest::newRow("trailing bytes") << good + "{}" << QByteArray("unexpected text after the record");
    QTest::newRow("two records") << good + "\n" + good << QByteArray("at line 2, column 1");
    QTest::newRow("NUL byte") << QByteArray(good).replace("\"A\"", QByteArray("\"A\0\"", 4))
                              << QByteArray("line 1, column ");
    QTest::newRow("array") << QByteArray("[" + good + "]") << QByteArray("expected a JSON object at line 1, column 1");
}

void TestBadInput::jsonRecordBad()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, place);
    Record r = sample(99);
    const Status s = codec::decodeJson(input.toStdString(), r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY2(QByteArray::fromStdString(s.message()).startsWith("failed unmarshalling record: "), s.message().c_str());
    QVERIFY2(QByteArray::fromStdString(s.message()).contains(place), s.message().c_str());
    QCOMPARE(r, sample(99)); // untouched on failure
}

void TestBadInput::msgpackRecordBad_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("place");
    const QByteArray good = msgpackRecord(1);
    QTest::newRow("truncated in map") << good.left(50) << QByteArray("truncated input: the value at byte 0 is cut short at byte 50");
    QTest::newRow("truncated in data") << good.left(good.size() - 3)
                                       << QByteArray("failed decoding event after record: truncated input");
    QTest::newRow("invalid code") << QByteArray(good).replace(0, 1, "\xc1") << QByteArray("invalid code=c1 at byte 0");
    QTest::newRow("invalid code inside") << QByteArray(good).replace(3, 1, "\xc1") << QByteArray("invalid code=c1 at byte 3");
    QTest::newRow("not a map") << QByteArray("\x93\x01\x02\x03") << QByteArray("expected the record map, found an array (code=93) at byte 0");
    QTest::newRow("string field wrong type")
        << QByteArray(good).replace("\xa1\x61\xa5thing", "\xa1\x61\xc3")
        << QByteArray("field \"a\" (aggregateType): expected a string, found true before byte 4");
    const qsizetype g = good.indexOf("\xa1\x67\xcf");
    QTest::newRow("uint field negative")
        << QByteArray(good.left(g) + "\xa1\x67\xff" + good.mid(g + 11))
        << QByteArray("field \"g\" (globalSequenceNumber): expected a non-negative integer, found -1 before byte "
                      + QByteArray::number(g + 3));
    QTest::newRow("missing fields")
        << QByteArray("\x82\xa1\x61\xa1x\xa1\x74\xa1y\xc0", 10)
        << QByteArray("missing required fields \"aggregateID\" (key \"i\")");
    QTest::newRow("non-string key in data") << good.left(good.size() - 22) + QByteArray("\x81\x01\x02")
                                            << QByteArray("map keys must be strings, found an integer before byte 105");
    QTest::newRow("ext in metadata") << QByteArray(good).replace(QByteArray("\xa1\x6d\xc0"), QByteArray("\xa1\x6d\xd4\x01\x00"))
                                     << QByteArray("unsupported msgpack extension type before byte");
    QTest::newRow("NaN in data") << good.left(good.size() - 22) + QByteArray("\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00", 9)
                                 << QByteArray("cannot be written as JSON");
    QTest::newRow("trailing bytes") << good + "x" << QByteArray("unexpected bytes after the record at byte 125");
    QTest::newRow("garbage") << QByteArray("fwj@!#R@#") << QByteArray("failed decoding record: expected the record map, found an integer (code=66) at byte 0");
}

void TestBadInput::msgpackRecordBad()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, place);
    Record r = sample(99);
    const Status s = codec::decodeMsgpack(input.toStdString(), r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY2(QByteArray::fromStdString(s.message()).contains(place), s.message().c_str());
    QCOMPARE(r, sample(99));
}

void TestBadInput::streamBadThirdRecord_data()
{
    QTest::addColumn<StreamFormat>("format");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("place");
    const QByteArray nd = jsonRecord(1) + "\n" + jsonRecord(2) + "\n";
    const QByteArray arr = "[" + jsonRecord(1) + "," + jsonRecord(2) + ",";
    const QByteArray mp = msgpackRecord(1) + msgpackRecord(2);
    const QByteArray third = jsonRecord(3);
    QTest::newRow("ndjson truncated") << StreamFormat::Ndjson << nd + third.left(60)
                                      << QByteArray("record 3: failed unmarshalling record: unexpected end of input at line 3, column 61");
    QTest::newRow("ndjson garbage") << StreamFormat::Ndjson << nd + "garbage\n"
                                    << QByteArray("record 3: failed unmarshalling record: invalid value, near \"garbage\\n\" at line 3, column 1 (byte "
                                                  + QByteArray::number(nd.size()) + ")");
    QTest::newRow("ndjson wrong type") << StreamFormat::Ndjson << nd + QByteArray(third).replace("\"eventID\":\"d2", "\"eventID\":true,\"x\":\"d2")
                                       << QByteArray("record 3: failed unmarshalling record: field \"eventID\": expected a string, found true at line 3, column ");
    QTest::newRow("ndjson missing fields") << StreamFormat::Ndjson << nd + "{\"aggregateType\":\"thing\"}"
                                           << QByteArray("record 3: failed unmarshalling record: missing required fields \"aggregateID\"");
    QTest::newRow("ndjson invalid UTF-8") << StreamFormat::Ndjson << nd + QByteArray(third).replace("ThingWasDone", "Thing\xe2\x82WasDone")
                                          << QByteArray("record 3: failed unmarshalling record: invalid UTF-8 in a string");
    QTest::newRow("json truncated") << StreamFormat::JsonArray << arr + third.left(60)
                                    << QByteArray("record 3: failed unmarshalling record: unexpected end of input at line 1, column ");
    QTest::newRow("json garbage") << StreamFormat::JsonArray << arr + "nul]"
                                  << QByteArray("record 3: failed unmarshalling record: invalid value");
    QTest::newRow("json bad separator") << StreamFormat::JsonArray << "[" + jsonRecord(1) + "," + jsonRecord(2) + ";" + third + "]"
                                        << QByteArray("record 3: expected ',' or ']' after the previous record, found \";{");
    QTest::newRow("json trailing") << StreamFormat::JsonArray << "[" + jsonRecord(1) + "," + jsonRecord(2) + "] ]"
                                   << QByteArray("record 3: unexpected text after the closing ']', \"]\" at line 1, column ");
    QTest::newRow("msgpack truncated") << StreamFormat::Msgpack << mp + msgpackRecord(3).left(70)
                                       << QByteArray("record 3: failed decoding record: truncated input: the value at byte " + QByteArray::number(mp.size())
                                                     + " is cut short at byte " + QByteArray::number(mp.size() + 70));
    QTest::newRow("msgpack truncated data") << StreamFormat::Msgpack << mp + msgpackRecord(3).left(110)
                                            << QByteArray("record 3: failed decoding event after record: truncated input: the value at byte "
                                                          + QByteArray::number(mp.size() + 103));
    QTest::newRow("msgpack no data") << StreamFormat::Msgpack << mp + msgpackRecord(3).left(103)
                                     << QByteArray("record 3: failed decoding event after record: EOF (truncated input: the data object that follows the record map is missing at byte "
                                                   + QByteArray::number(mp.size() + 103) + ")");
    QTest::newRow("msgpack garbage") << StreamFormat::Msgpack << mp + "\xc1garbage"
                                     << QByteArray("record 3: failed decoding record: invalid code=c1 at byte " + QByteArray::number(mp.size()));
    QTest::newRow("msgpack json") << StreamFormat::Msgpack << mp + third
                                  << QByteArray("record 3: failed decoding record: expected the record map, found an integer (code=7b) at byte "
                                                + QByteArray::number(mp.size()));
}

void TestBadInput::streamBadThirdRecord()
{
    QFETCH(StreamFormat, format);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, place);
    const ReadResult read = readAll(input, format);
    QCOMPARE(read.records, 2);
    QCOMPARE(read.status.code(), ErrorCode::DecodeError);
    QVERIFY2(read.message().startsWith("bad.input: record 3: "), read.message().constData());
    QVERIFY2(read.message().contains(place), read.message().constData());
}

void TestBadInput::jsonDeepNesting100k()
{
    QByteArray deep = jsonRecord(1);
    deep.replace("{\"id\":\"A\",\"number\":1}", QByteArray(QByteArray(100000, '[') + QByteArray(100000, ']')));
    Record r;
    const Status s = codec::decodeJson(deep.toStdString(), r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    const QByteArray msg = QByteArray::fromStdString(s.message());
    const int dataAt = deep.indexOf("\"data\":") + 7;
    QVERIFY2(msg.contains("nesting deeper than 1000 levels"), msg.constData());
    QVERIFY2(msg.contains(QByteArray("at line 1, column " + QByteArray::number(dataAt + 999 + 1))), msg.constData());

    const ReadResult read = readAll(jsonRecord(1) + "\n" + jsonRecord(2) + "\n" + deep, StreamFormat::Ndjson);
    QCOMPARE(read.records, 2);
    QVERIFY2(read.message().contains("record 3: failed unmarshalling record: nesting deeper than 1000 levels"),
             read.message().constData());
    QVERIFY(read.message().contains("line 3"));

    // Deep but within the limit still works (depth 1000 counted from the record object).
    QByteArray ok = jsonRecord(1);
    ok.replace("{\"id\":\"A\",\"number\":1}", QByteArray(QByteArray(999, '[') + QByteArray(999, ']')));
    QVERIFY(codec::decodeJson(ok.toStdString(), r).ok());
}

void TestBadInput::msgpackDeepNesting100k()
{
    const QByteArray good = msgpackRecord(1);
    const QByteArray head = good.left(good.size() - 22);
    Record r;
    Status s = codec::decodeMsgpack(QByteArray(head + deepMsgpackArray(100000)).toStdString(), r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY2(QByteArray::fromStdString(s.message())
                 .contains(QByteArray("nesting deeper than 1000 levels before byte " + QByteArray::number(head.size() + 1001))),
             s.message().c_str());

    std::string text;
    s = codec::msgpackToJson(deepMsgpackArray(100000).toStdString(), text);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY(QByteArray::fromStdString(s.message()).contains("nesting deeper than 1000 levels"));
    QVERIFY(codec::msgpackToJson(deepMsgpackArray(1000).toStdString(), text).ok());

    // Deep metadata inside the record map.
    QByteArray deepMeta = good;
    deepMeta.replace(QByteArray("\xa1\x6d\xc0"), QByteArray(QByteArray("\xa1\x6d") + deepMsgpackArray(100000)));
    s = codec::decodeMsgpack(deepMeta.toStdString(), r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY(QByteArray::fromStdString(s.message()).contains("nesting deeper than 1000 levels"));

    const ReadResult read = readAll(msgpackRecord(1) + msgpackRecord(2) + head + deepMsgpackArray(100000), StreamFormat::Msgpack);
    QCOMPARE(read.records, 2);
    QVERIFY2(read.message().contains("record 3: failed decoding event after record: nesting deeper than 1000 levels before byte "),
             read.message().constData());
}

void TestBadInput::msgpackHugeLengthHeaders_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("str32 4 GiB") << QByteArray("\xdb\xff\xff\xff\xff" "abc", 8);
    QTest::newRow("bin32 4 GiB") << QByteArray("\xc6\xff\xff\xff\xff" "abc", 8);
    QTest::newRow("ext32 4 GiB") << QByteArray("\xc9\xff\xff\xff\xfe\x01" "abc", 9);
    QTest::newRow("array32 4G items") << QByteArray("\xdd\xff\xff\xff\xff\xc0\xc0", 7);
    QTest::newRow("map32 4G pairs") << QByteArray("\xdf\xff\xff\xff\xff\xa1x\xc0", 8);
    QTest::newRow("str16 cut") << QByteArray("\xda\x01\x00" "abc", 6);
}

void TestBadInput::msgpackHugeLengthHeaders()
{
    QFETCH(QByteArray, value);
    const QByteArray good = msgpackRecord(1);
    const QByteArray head = good.left(good.size() - 22);
    Record r;
    const Status s = codec::decodeMsgpack(QByteArray(head + value).toStdString(), r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    const QByteArray msg = QByteArray::fromStdString(s.message());
    QVERIFY2(msg.contains(QByteArray("truncated input: the value at byte " + QByteArray::number(head.size()) + " is cut short at byte "
                                     + QByteArray::number(head.size() + value.size()))),
             msg.constData());

    // As a metadata value inside the record map too.
    QByteArray inMap = good;
    inMap.replace(QByteArray("\xa1\x6d\xc0"), QByteArray(QByteArray("\xa1\x6d") + value));
    QCOMPARE(codec::decodeMsgpack(inMap.toStdString(), r).code(), ErrorCode::DecodeError);

    // A stream reads on to the end of the input, then reports the truncation.
    const ReadResult read = readAll(msgpackRecord(1) + msgpackRecord(2) + head + value, StreamFormat::Msgpack);
    QCOMPARE(read.records, 2);
    QVERIFY2(read.message().contains("record 3: failed decoding event after record: truncated input"), read.message().constData());
}

void TestBadInput::msgpackInvalidUtf8IsReplacedAsGoDoes()
{
    // JSON input must be valid UTF-8 (a DecodeError above), but msgpack strings are bytes:
    // like Go's encoding/json we write each invalid byte as \ufffd.
    const QByteArray good = msgpackRecord(1);
    const QByteArray bad = good.left(good.size() - 22) + QByteArray("\x81\xa2\x69\x64\xa2\xff\x41", 7);
    Record r;
    const Status s = codec::decodeMsgpack(bad.toStdString(), r);
    QVERIFY2(s.ok(), s.message().c_str());
    QCOMPARE(r.data, std::string(R"({"id":"\ufffdA"})"));
}

void TestBadInput::recordLargerThanLimit()
{
    // One NDJSON record of more than 64 MiB: refused without reading the rest.
    QByteArray big = jsonRecord(1) + "\n" + jsonRecord(2) + "\n{\"aggregateType\":\"";
    big.append(QByteArray(65 * 1024 * 1024, 'x'));
    big.append("\"}");
    const ReadResult read = readAll(big, StreamFormat::Ndjson);
    QCOMPARE(read.records, 2);
    QVERIFY2(read.message().contains("record 3: larger than 64 MiB (starting at line 3, column 1"), read.message().constData());

    QByteArray bigMsgpack = msgpackRecord(1) + msgpackRecord(2) + "\x89\xa1\x61\xdb\x04\x20\x00\x00";
    bigMsgpack.append(QByteArray(66 * 1024 * 1024, 'x'));
    const ReadResult readMsgpack = readAll(bigMsgpack, StreamFormat::Msgpack);
    QCOMPARE(readMsgpack.records, 2);
    QVERIFY2(readMsgpack.message().contains("record 3: larger than 64 MiB (starting at byte 250)"),
             readMsgpack.message().constData());
}

void TestBadInput::encodeRejectsInvalidJson()
{
    Record r = sample(1);
    r.data = "{not json";
    std::string out;
    const Status s = codec::appendMsgpack(out, r);
    QCOMPARE(s.code(), ErrorCode::EncodeError);
    QVERIFY2(QByteArray::fromStdString(s.message()).contains("data: invalid JSON"), s.message().c_str());
    QVERIFY(out.empty());
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_badinput.moc"
