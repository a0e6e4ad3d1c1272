// The record streams (core/FORMAT.md, "Record streams"): rangedb's VerifyRecordIoStream
// cases I1-I4 for the three formats, the golden round trips and io-stream cases of
// reference §3.3/§5.5, and the rangedb v0.12.0 fixture exports.

#include "rangedb/codec.h"
#include "rangedb/json.h"
#include "rangedb/recordstream.h"

#include <QBuffer>
#include <QByteArray>
#include <QFile>
#include <QTest>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using namespace rangedb;

Q_DECLARE_METATYPE(rangedb::StreamFormat)

namespace {

constexpr std::uint64_t kMaxUint64 = std::numeric_limits<std::uint64_t>::max();

QString fixturePath(const char *name)
{
    return QStringLiteral(RANGEDB_TEST_DATA_DIR "/rangedb-v0.12.0/") + QString::fromUtf8(name);
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

Record thing(const std::string &data)
{
    Record r;
    r.aggregateType = "thing";
    r.aggregateId = "60f01cc527844cde9953c998a2c077a7";
    r.globalSequenceNumber = kMaxUint64;
    r.streamSequenceNumber = kMaxUint64;
    r.insertTimestamp = kMaxUint64;
    r.eventType = "ThingWasDone";
    r.data = data;
    return r;
}

struct ReadResult
{
    std::vector<Record> records;
    Status status;
};

ReadResult readAll(const QByteArray &bytes, StreamFormat format, const QString &source = QStringLiteral("test"))
{
    QByteArray copy = bytes;
    QBuffer buffer(&copy);
    buffer.open(QIODevice::ReadOnly);
    RecordReader reader(&buffer, format, source);
    ReadResult result;
    while (reader.next())
        result.records.push_back(reader.record());
    result.status = reader.status();
    if (result.status.ok() && reader.recordIndex() != result.records.size())
        result.status = Status::error(ErrorCode::IoError, "recordIndex() disagrees");
    return result;
}

QByteArray writeAll(const std::vector<Record> &records, StreamFormat format, Status *status = nullptr)
{
    QByteArray out;
    QBuffer buffer(&out);
    buffer.open(QIODevice::WriteOnly);
    {
        RecordWriter writer(&buffer, format);
        for (const Record &r : records) {
            Status s = writer.write(r);
            if (!s.ok()) {
                if (status)
                    *status = s;
                return out;
            }
        }
        Status s = writer.finish();
        if (status)
            *status = s;
    }
    return out;
}

// Test helper: the same JSON with every number literal turned into a string, which is
// what msgpack v4 makes of the json.Number values of a JSON store (fixture README).
std::string numbersAsStrings(const std::string &json)
{
    std::string out;
    bool inString = false;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const char c = json[i];
        if (inString) {
            out.push_back(c);
            if (c == '\\') {
                out.push_back(json[++i]);
            } else if (c == '"') {
                inString = false;
            }
            continue;
        }
        if (c == '"') {
            inString = true;
            out.push_back(c);
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            std::size_t end = i;
            while (end < json.size() && std::string_view("+-.eE0123456789").find(json[end]) != std::string_view::npos)
                ++end;
            out += '"' + json.substr(i, end - i) + '"';
            i = end - 1;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

bool sameRecordsByMeaning(const std::vector<Record> &a, const std::vector<Record> &b, QByteArray *why)
{
    if (a.size() != b.size()) {
        *why = "count " + QByteArray::number(qulonglong(a.size())) + " vs " + QByteArray::number(qulonglong(b.size()));
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        Record x = a[i];
        Record y = b[i];
        if (!json::equal(x.data, y.data) || !json::equal(x.metadata, y.metadata)) {
            *why = "record " + QByteArray::number(qulonglong(i + 1)) + ": " + QByteArray::fromStdString(x.data) + " vs "
                + QByteArray::fromStdString(y.data);
            return false;
        }
        x.data = y.data;
        x.metadata = y.metadata;
        if (!(x == y)) {
            *why = "record " + QByteArray::number(qulonglong(i + 1)) + " fields differ";
            return false;
        }
    }
    return true;
}

const char kGoldenTemplate[] =
    R"([{"aggregateType":"scalar","aggregateID":"1","globalSequenceNumber":10,"streamSequenceNumber":2,)"
    R"("insertTimestamp":123,"eventID":"1ccd9eeb3a8e42dfb12cee36b908c212","eventType":"Thing","data":<D>,"metadata":null}])";

const char kNdjsonExample[] =
    R"({"aggregateType":"scalar","aggregateID":"1","globalSequenceNumber":10,"streamSequenceNumber":2,"insertTimestamp":123,"eventID":"1ccd9eeb3a8e42dfb12cee36b908c212","eventType":"Thing","data":{"ID":"abc"},"metadata":null})"
    "\n"
    R"({"aggregateType":"scalar","aggregateID":"1","globalSequenceNumber":11,"streamSequenceNumber":3,"insertTimestamp":124,"eventID":"9a4f747335594a68a316b8c7fc2a75bf","eventType":"Thing","data":{"ID":"xyz"},"metadata":null})";

} // namespace

class TestRecordIoStream : public QObject
{
    Q_OBJECT

private slots:
    // reference §5.4, for JSON array, NDJSON and msgpack.
    void writeAndReadWithBoundEvent_data();
    void writeAndReadWithBoundEvent();
    void writeAndReadWithUnboundEvent_data();
    void writeAndReadWithUnboundEvent();
    void writeWithBoundEventReadWithUnbound_data();
    void writeWithBoundEventReadWithUnbound();
    void writeWithUnboundEventReadWithBound_data();
    void writeWithUnboundEventReadWithBound();

    void jsonGoldenRoundTrip_data();
    void jsonGoldenRoundTrip();
    void ndjsonTwoRecordExample();
    void ndjsonAcceptsAnyWhitespace();
    void emptyInput_data();
    void emptyInput();
    void emptyJsonArray();
    void jsonInvalidElement();
    void jsonInvalidFirstToken();
    void jsonArrayFraming_data();
    void jsonArrayFraming();
    void zeroRecordsWrite_data();
    void zeroRecordsWrite();
    void msgpackRoundTripNumber100();
    void msgpackTwoRecordsAre248Bytes();
    void rawJsonIsCopiedThrough();
    void writerFailsOnUnencodableRecord();
    void largeStreamsCrossChunks_data();
    void largeStreamsCrossChunks();
    void positionsAcrossChunks();

    void fixtureExportsRead();
    void fixtureMsgpackFromJsonStoreHoldsStrings();
    void fixtureExportsWrittenBack();

    void formatNames();
    void sniffFormat_data();
    void sniffFormat();
};

static void addFormatRows()
{
    QTest::addColumn<StreamFormat>("format");
    QTest::newRow("json") << StreamFormat::JsonArray;
    QTest::newRow("ndjson") << StreamFormat::Ndjson;
    QTest::newRow("msgpack") << StreamFormat::Msgpack;
}

void TestRecordIoStream::writeAndReadWithBoundEvent_data()
{
    addFormatRows();
}

void TestRecordIoStream::writeAndReadWithBoundEvent()
{
    QFETCH(StreamFormat, format);
    const std::vector<Record> records = {thing(R"({"id":"A","number":1})"), thing(R"({"id":"B","number":2})")};
    Status written;
    const QByteArray bytes = writeAll(records, format, &written);
    QVERIFY2(written.ok(), written.message().c_str());
    const ReadResult read = readAll(bytes, format);
    QVERIFY2(read.status.ok(), read.status.message().c_str());
    QCOMPARE(read.records.size(), std::size_t(2));
    QCOMPARE(read.records[0], records[0]);
    QCOMPARE(read.records[1], records[1]);
}

void TestRecordIoStream::writeAndReadWithUnboundEvent_data()
{
    addFormatRows();
}

void TestRecordIoStream::writeAndReadWithUnboundEvent()
{
    QFETCH(StreamFormat, format);
    const std::vector<Record> records = {thing(R"({"id":"A","number":1})"), thing(R"({"id":"B","number":2})")};
    const ReadResult read = readAll(writeAll(records, format), format);
    QVERIFY2(read.status.ok(), read.status.message().c_str());
    QCOMPARE(read.records.size(), std::size_t(2));
    QVERIFY(json::equal(read.records[0].data, R"({"number":1,"id":"A"})"));
    QVERIFY(json::equal(read.records[1].data, R"({"number":2,"id":"B"})"));
}

void TestRecordIoStream::writeWithBoundEventReadWithUnbound_data()
{
    addFormatRows();
}

void TestRecordIoStream::writeWithBoundEventReadWithUnbound()
{
    QFETCH(StreamFormat, format);
    const std::vector<Record> records = {thing(R"({"id":"A","number":1})"), thing(R"({"id":"B","number":2})")};
    const ReadResult read = readAll(writeAll(records, format), format);
    QVERIFY(read.status.ok());
    QByteArray why;
    QVERIFY2(sameRecordsByMeaning(read.records, records, &why), why.constData());
}

void TestRecordIoStream::writeWithUnboundEventReadWithBound_data()
{
    addFormatRows();
}

void TestRecordIoStream::writeWithUnboundEventReadWithBound()
{
    QFETCH(StreamFormat, format);
    std::vector<Record> records = {thing(*json::normalize(R"({ "id": "A", "number": 1 })")),
                                   thing(*json::normalize(R"({ "id": "B", "number": 2 })"))};
    const ReadResult read = readAll(writeAll(records, format), format);
    QVERIFY(read.status.ok());
    QCOMPARE(read.records.size(), std::size_t(2));
    QCOMPARE(read.records[0], thing(R"({"id":"A","number":1})"));
    QCOMPARE(read.records[1], thing(R"({"id":"B","number":2})"));
}

void TestRecordIoStream::jsonGoldenRoundTrip_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::newRow("name and timestamp") << QByteArray(R"({"Name":"John","Timestamp":1570515152})");
    QTest::newRow("categories") << QByteArray(R"({"Categories":["email","provider"]})");
    QTest::newRow("address") << QByteArray(R"({"Address":{"City":"Austin","Street":"123 any"}})");
    QTest::newRow("locations") << QByteArray(R"({"Locations":[{"Address":"123 any"},{"Address":"456 main st"}]})");
}

void TestRecordIoStream::jsonGoldenRoundTrip()
{
    QFETCH(QByteArray, data);
    const QByteArray golden = QByteArray(kGoldenTemplate).replace("<D>", data);
    const ReadResult read = readAll(golden, StreamFormat::JsonArray);
    QVERIFY2(read.status.ok(), read.status.message().c_str());
    QCOMPARE(read.records.size(), std::size_t(1));
    QCOMPARE(writeAll(read.records, StreamFormat::JsonArray), golden);

    // The same record as NDJSON: the array's inside, byte for byte.
    const QByteArray line = golden.mid(1, golden.size() - 2);
    QCOMPARE(writeAll(read.records, StreamFormat::Ndjson), line);
    const ReadResult again = readAll(line, StreamFormat::Ndjson);
    QVERIFY(again.status.ok());
    QCOMPARE(again.records, read.records);
}

void TestRecordIoStream::ndjsonTwoRecordExample()
{
    const ReadResult read = readAll(kNdjsonExample, StreamFormat::Ndjson);
    QVERIFY2(read.status.ok(), read.status.message().c_str());
    QCOMPARE(read.records.size(), std::size_t(2));
    QCOMPARE(read.records[0].globalSequenceNumber, 10u);
    QCOMPARE(read.records[1].eventId, std::string("9a4f747335594a68a316b8c7fc2a75bf"));
    QCOMPARE(read.records[1].data, std::string(R"({"ID":"xyz"})"));
    QCOMPARE(writeAll(read.records, StreamFormat::Ndjson), QByteArray(kNdjsonExample));
    // A trailing newline is fine when reading.
    QCOMPARE(readAll(QByteArray(kNdjsonExample) + "\n", StreamFormat::Ndjson).records.size(), std::size_t(2));
}

void TestRecordIoStream::ndjsonAcceptsAnyWhitespace()
{
    const QByteArray spaced = QByteArray(kNdjsonExample).replace("}\n{", "}  \r\n\t {");
    const ReadResult read = readAll(" \n" + spaced + "\n\n", StreamFormat::Ndjson);
    QVERIFY2(read.status.ok(), read.status.message().c_str());
    QCOMPARE(read.records.size(), std::size_t(2));
    const ReadResult glued = readAll(QByteArray(kNdjsonExample).replace("}\n{", "}{"), StreamFormat::Ndjson);
    QVERIFY(glued.status.ok());
    QCOMPARE(glued.records.size(), std::size_t(2));
}

void TestRecordIoStream::emptyInput_data()
{
    addFormatRows();
}

void TestRecordIoStream::emptyInput()
{
    QFETCH(StreamFormat, format);
    const ReadResult read = readAll(QByteArray(), format);
    QVERIFY2(read.status.ok(), read.status.message().c_str());
    QVERIFY(read.records.empty());
}

void TestRecordIoStream::emptyJsonArray()
{
    const ReadResult json = readAll("[]", StreamFormat::JsonArray);
    QVERIFY2(json.status.ok(), json.status.message().c_str());
    QVERIFY(json.records.empty());
    QVERIFY(readAll(" [ \n ] \n", StreamFormat::JsonArray).status.ok());

    const ReadResult ndjson = readAll("[]", StreamFormat::Ndjson);
    QCOMPARE(ndjson.status.code(), ErrorCode::DecodeError);
    const QByteArray msg = QByteArray::fromStdString(ndjson.status.message());
    QVERIFY2(msg.startsWith("test: record 1: failed unmarshalling record: expected a JSON object at line 1, column 1"),
             msg.constData());
}

void TestRecordIoStream::jsonInvalidElement()
{
    const ReadResult read = readAll("[invalid]", StreamFormat::JsonArray);
    QCOMPARE(read.status.code(), ErrorCode::DecodeError);
    const QByteArray msg = QByteArray::fromStdString(read.status.message());
    QVERIFY2(msg.startsWith("test: record 1: failed unmarshalling record: invalid value"), msg.constData());
    QVERIFY2(msg.contains("line 1, column 2"), msg.constData());
}

void TestRecordIoStream::jsonInvalidFirstToken()
{
    const ReadResult read = readAll("-invalid", StreamFormat::JsonArray);
    QCOMPARE(read.status.code(), ErrorCode::DecodeError);
    const QByteArray msg = QByteArray::fromStdString(read.status.message());
    QVERIFY2(msg.contains("expected '[' to start a JSON array, found \"-invalid\" at line 1, column 1 (byte 0)"),
             msg.constData());
}

void TestRecordIoStream::jsonArrayFraming_data()
{
    // We check the array's framing, which rangedb does not (core/FORMAT.md).
    QTest::addColumn<QByteArray>("suffix");
    QTest::addColumn<int>("records");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("closed") << QByteArray("]") << 2 << QByteArray();
    QTest::newRow("closed, trailing space") << QByteArray("] \n") << 2 << QByteArray();
    QTest::newRow("no closing bracket") << QByteArray("") << 2 << QByteArray("record 3: unexpected end of input");
    QTest::newRow("trailing comma") << QByteArray(",]") << 2 << QByteArray("record 3: expected a record after ','");
    QTest::newRow("garbage after") << QByteArray("]x") << 2 << QByteArray("unexpected text after the closing ']'");
    QTest::newRow("missing comma") << QByteArray(" {}]") << 2 << QByteArray("record 3: expected ',' or ']'");
    QTest::newRow("second array") << QByteArray("][]") << 2 << QByteArray("unexpected text after the closing ']'");
}

void TestRecordIoStream::jsonArrayFraming()
{
    QFETCH(QByteArray, suffix);
    QFETCH(int, records);
    QFETCH(QByteArray, message);
    const QByteArray ndjson(kNdjsonExample);
    const QByteArray body = "[" + QByteArray(ndjson).replace('\n', ',');
    const ReadResult read = readAll(body + suffix, StreamFormat::JsonArray);
    QCOMPARE(int(read.records.size()), records);
    if (message.isEmpty()) {
        QVERIFY2(read.status.ok(), read.status.message().c_str());
    } else {
        QCOMPARE(read.status.code(), ErrorCode::DecodeError);
        QVERIFY2(QByteArray::fromStdString(read.status.message()).contains(message), read.status.message().c_str());
    }
}

void TestRecordIoStream::zeroRecordsWrite_data()
{
    QTest::addColumn<StreamFormat>("format");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("json") << StreamFormat::JsonArray << QByteArray("[]");
    QTest::newRow("ndjson") << StreamFormat::Ndjson << QByteArray("");
    QTest::newRow("msgpack") << StreamFormat::Msgpack << QByteArray("");
}

void TestRecordIoStream::zeroRecordsWrite()
{
    QFETCH(StreamFormat, format);
    QFETCH(QByteArray, expected);
    Status s;
    QCOMPARE(writeAll({}, format, &s), expected);
    QVERIFY(s.ok());
}

void TestRecordIoStream::msgpackRoundTripNumber100()
{
    Record record = thing(R"({"number":100})");
    const QByteArray bytes = writeAll({record}, StreamFormat::Msgpack);
    QVERIFY(bytes.toHex().contains("a66e756d626572d30000000000000064")); // "number" -> int64 100
    const ReadResult read = readAll(bytes, StreamFormat::Msgpack);
    QVERIFY(read.status.ok());
    QCOMPARE(read.records.size(), std::size_t(1));
    QCOMPARE(read.records[0].data, std::string(R"({"number":100})"));
}

void TestRecordIoStream::msgpackTwoRecordsAre248Bytes()
{
    Record record;
    record.aggregateType = "thing";
    record.aggregateId = "60f01cc527844cde9953c998a2c077a7";
    record.globalSequenceNumber = 100;
    record.streamSequenceNumber = 2;
    record.insertTimestamp = 1576892379;
    record.eventType = "ThingWasDone";
    record.data = R"({"id":"A","number":1})";
    QByteArray out;
    QBuffer buffer(&out);
    buffer.open(QIODevice::WriteOnly);
    RecordWriter writer(&buffer, StreamFormat::Msgpack);
    QVERIFY(writer.write(record).ok());
    QVERIFY(writer.write(record).ok());
    QVERIFY(writer.finish().ok());
    QCOMPARE(out.size(), 248);
    QCOMPARE(writer.recordsWritten(), 2u);
    QCOMPARE(writer.bytesWritten(), 248u);
    QCOMPARE(out.left(124), out.mid(124));
    // The HTTP API's base64 form of one record (standard alphabet, no padding).
    QCOMPARE(out.left(124).toBase64(QByteArray::OmitTrailingEquals),
             QByteArray("iaFhpXRoaW5noWnZIDYwZjAxY2M1Mjc4NDRjZGU5OTUzYzk5OGEyYzA3N2E3oWfPAAAAAAAAAGShc88AAAAAAAAAAqF1zwAAAABd"
                        "/XfboWWgoXSsVGhpbmdXYXNEb25loWTAoW3AgqJpZKFBpm51bWJlctMAAAAAAAAAAQ"));
    const ReadResult read = readAll(out, StreamFormat::Msgpack);
    QVERIFY(read.status.ok());
    QCOMPARE(read.records.size(), std::size_t(2));
    QCOMPARE(read.records[1], record);
}

void TestRecordIoStream::rawJsonIsCopiedThrough()
{
    const Record record = thing(R"({"id":"A"})");
    const std::string raw = codec::toJson(record);
    for (StreamFormat format : {StreamFormat::JsonArray, StreamFormat::Ndjson}) {
        QByteArray out;
        QBuffer buffer(&out);
        buffer.open(QIODevice::WriteOnly);
        RecordWriter writer(&buffer, format);
        // A marker proves the bytes come from rawJson, not from re-encoding.
        const std::string marked = raw.substr(0, raw.size() - 1) + ",\"copied\":true}";
        QVERIFY(writer.write(record, marked).ok());
        QVERIFY(writer.write(record).ok());
        QVERIFY(writer.finish().ok());
        QVERIFY(out.contains("\"copied\":true"));
        QCOMPARE(out.count("\"copied\""), 1);
    }
}

void TestRecordIoStream::writerFailsOnUnencodableRecord()
{
    QByteArray out;
    QBuffer buffer(&out);
    buffer.open(QIODevice::WriteOnly);
    RecordWriter writer(&buffer, StreamFormat::Msgpack);
    QVERIFY(writer.write(thing(R"({"n":1})")).ok());
    const Status s = writer.write(thing(R"({"n":123456789012345678901234567890})"));
    QCOMPARE(s.code(), ErrorCode::EncodeError);
    QVERIFY2(QByteArray::fromStdString(s.message()).startsWith("record 2: failed encoding record data: data: integer"),
             s.message().c_str());
    QVERIFY(writer.finish().ok());
    // Nothing of the failed record was written.
    const ReadResult read = readAll(out, StreamFormat::Msgpack);
    QVERIFY(read.status.ok());
    QCOMPARE(read.records.size(), std::size_t(1));
}

void TestRecordIoStream::largeStreamsCrossChunks_data()
{
    addFormatRows();
}

void TestRecordIoStream::largeStreamsCrossChunks()
{
    QFETCH(StreamFormat, format);
    std::vector<Record> records;
    for (int i = 0; i < 3000; ++i) {
        Record r = thing(R"({"i":)" + std::to_string(i) + R"(,"s":")" + std::string(std::size_t(i % 97), 'x') + R"("})");
        r.globalSequenceNumber = std::uint64_t(i + 1);
        records.push_back(r);
        if (i % 1000 == 500) { // a few records larger than a chunk
            Record big = thing(R"({"big":")" + std::string(200 * 1024 + std::size_t(i), 'y') + R"("})");
            records.push_back(big);
        }
    }
    const QByteArray bytes = writeAll(records, format);
    QVERIFY(bytes.size() > 4 * 64 * 1024);
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    RecordReader reader(&buffer, format, QStringLiteral("big"));
    std::size_t n = 0;
    while (reader.next()) {
        QVERIFY(n < records.size());
        if (!(reader.record() == records[n]))
            QFAIL(qPrintable(QStringLiteral("record %1 differs").arg(n + 1)));
        ++n;
    }
    QVERIFY2(reader.status().ok(), reader.status().message().c_str());
    QCOMPARE(n, records.size());
    QCOMPARE(reader.bytesRead(), std::uint64_t(bytes.size()));
}

void TestRecordIoStream::positionsAcrossChunks()
{
    // 2000 good NDJSON lines (well over a chunk), then a bad one: the line number must be
    // counted across chunk boundaries.
    QByteArray text;
    const QByteArray line = QByteArray(kNdjsonExample).split('\n').front();
    for (int i = 0; i < 2000; ++i)
        text += line + "\n";
    text += R"({"aggregateType":"scalar","aggregateID":1})";
    const ReadResult read = readAll(text, StreamFormat::Ndjson, QStringLiteral("events.ndjson"));
    QCOMPARE(read.records.size(), std::size_t(2000));
    QCOMPARE(read.status.code(), ErrorCode::DecodeError);
    const QByteArray msg = QByteArray::fromStdString(read.status.message());
    QVERIFY2(msg.startsWith("events.ndjson: record 2001: "), msg.constData());
    const QByteArray expected = "field \"aggregateID\": expected a string, found 1 at line 2001, column 41 (byte "
        + QByteArray::number(2000 * (line.size() + 1) + 40) + ")";
    QVERIFY2(msg.contains(expected), msg.constData());
}

void TestRecordIoStream::fixtureExportsRead()
{
    const ReadResult json = readAll(readFile(fixturePath("all-events.json")), StreamFormat::JsonArray);
    const ReadResult ndjson = readAll(readFile(fixturePath("all-events.ndjson")), StreamFormat::Ndjson);
    const ReadResult msgpack =
        readAll(readFile(fixturePath("exports-from-msgpack-store/all-events.msgpack")), StreamFormat::Msgpack);
    for (const ReadResult *r : {&json, &ndjson, &msgpack}) {
        QVERIFY2(r->status.ok(), r->status.message().c_str());
        QCOMPARE(r->records.size(), std::size_t(60));
    }
    QCOMPARE(json.records, ndjson.records); // the same text, so the same bytes
    QByteArray why;
    QVERIFY2(sameRecordsByMeaning(json.records, msgpack.records, &why), why.constData());

    QCOMPARE(json.records.front().eventId, std::string("d2ba8e70072943388203c438d4e94bf3"));
    QCOMPARE(json.records.front().insertTimestamp, 1609459200u);
    QCOMPARE(json.records.back().globalSequenceNumber, 64u);

    // The other exports of the msgpack store agree too.
    const ReadResult json2 =
        readAll(readFile(fixturePath("exports-from-msgpack-store/all-events.json")), StreamFormat::JsonArray);
    const ReadResult ndjson2 =
        readAll(readFile(fixturePath("exports-from-msgpack-store/all-events.ndjson")), StreamFormat::Ndjson);
    QVERIFY(json2.status.ok() && ndjson2.status.ok());
    QCOMPARE(json2.records, json.records);
    QCOMPARE(ndjson2.records, json.records);

    const ReadResult stream = readAll(readFile(fixturePath("stream-account_acct-0001.eu.json")), StreamFormat::JsonArray);
    QVERIFY(stream.status.ok());
    QCOMPARE(stream.records.size(), std::size_t(9));
    for (const Record &r : stream.records)
        QCOMPARE(r.streamName(), std::string("account!acct-0001.eu"));
}

void TestRecordIoStream::fixtureMsgpackFromJsonStoreHoldsStrings()
{
    // rangedb's msgpack export of a JSON store writes every json.Number as a msgpack
    // string; we read what is there, so those numbers come back as JSON strings.
    const ReadResult json = readAll(readFile(fixturePath("all-events.json")), StreamFormat::JsonArray);
    const ReadResult msgpack = readAll(readFile(fixturePath("all-events.msgpack")), StreamFormat::Msgpack);
    QVERIFY2(msgpack.status.ok(), msgpack.status.message().c_str());
    QCOMPARE(msgpack.records.size(), std::size_t(60));
    int withNumbers = 0;
    for (std::size_t i = 0; i < json.records.size(); ++i) {
        const Record &j = json.records[i];
        const Record &m = msgpack.records[i];
        QVERIFY2(json::equal(numbersAsStrings(j.data), m.data), m.data.c_str());
        QVERIFY2(json::equal(numbersAsStrings(j.metadata), m.metadata), m.metadata.c_str());
        if (numbersAsStrings(j.data) != j.data)
            ++withNumbers;
        QCOMPARE(m.globalSequenceNumber, j.globalSequenceNumber);
        QCOMPARE(m.eventId, j.eventId);
    }
    QVERIFY(withNumbers > 10);
    bool found = false;
    for (const Record &m : msgpack.records)
        found = found || m.data.find(R"("9007199254740993")") != std::string::npos;
    QVERIFY(found);
}

void TestRecordIoStream::fixtureExportsWrittenBack()
{
    const QByteArray ndjsonFile = readFile(fixturePath("all-events.ndjson"));
    const QByteArray jsonFile = readFile(fixturePath("all-events.json"));
    const ReadResult read = readAll(ndjsonFile, StreamFormat::Ndjson);
    QVERIFY(read.status.ok());

    // Value for value (keys may be ordered differently in general) ...
    const QByteArray ourJson = writeAll(read.records, StreamFormat::JsonArray);
    const QByteArray ourNdjson = writeAll(read.records, StreamFormat::Ndjson);
    QByteArray why;
    QVERIFY2(sameRecordsByMeaning(readAll(ourJson, StreamFormat::JsonArray).records,
                                  readAll(jsonFile, StreamFormat::JsonArray).records, &why),
             why.constData());
    QVERIFY2(sameRecordsByMeaning(readAll(ourNdjson, StreamFormat::Ndjson).records, read.records, &why),
             why.constData());
    // ... and here byte for byte, because we keep the key order we read.
    QCOMPARE(ourJson, jsonFile);
    QCOMPARE(ourNdjson, ndjsonFile);

    // msgpack: the msgpack store's export written by us reads back the same.
    const ReadResult msgpack =
        readAll(readFile(fixturePath("exports-from-msgpack-store/all-events.msgpack")), StreamFormat::Msgpack);
    const QByteArray ourMsgpack = writeAll(msgpack.records, StreamFormat::Msgpack);
    const ReadResult again = readAll(ourMsgpack, StreamFormat::Msgpack);
    QVERIFY2(again.status.ok(), again.status.message().c_str());
    QCOMPARE(again.records, msgpack.records);
    QCOMPARE(ourMsgpack.size(), readFile(fixturePath("exports-from-msgpack-store/all-events.msgpack")).size());
}

void TestRecordIoStream::formatNames()
{
    for (StreamFormat f : {StreamFormat::JsonArray, StreamFormat::Ndjson, StreamFormat::Msgpack}) {
        const auto parsed = parseStreamFormat(streamFormatName(f));
        QVERIFY(parsed.ok());
        QCOMPARE(*parsed, f);
    }
    QCOMPARE(std::string(streamFormatName(StreamFormat::JsonArray)), std::string("json"));
    QCOMPARE(parseStreamFormat("xml").status().code(), ErrorCode::InvalidArgument);
}

void TestRecordIoStream::sniffFormat_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("format"); // -1: error
    QTest::newRow("array") << QByteArray(" \n[{") << int(StreamFormat::JsonArray);
    QTest::newRow("ndjson") << QByteArray("{\"a") << int(StreamFormat::Ndjson);
    QTest::newRow("msgpack") << QByteArray("\x89\xa1" "a") << int(StreamFormat::Msgpack);
    QTest::newRow("empty") << QByteArray("  ") << -1;
    QTest::newRow("garbage") << QByteArray("xyz") << -1;
}

void TestRecordIoStream::sniffFormat()
{
    QFETCH(QByteArray, head);
    QFETCH(int, format);
    const auto sniffed = sniffStreamFormat(head.toStdString());
    if (format < 0) {
        QCOMPARE(sniffed.status().code(), ErrorCode::InvalidArgument);
    } else {
        QVERIFY(sniffed.ok());
        QCOMPARE(int(*sniffed), format);
    }
}

QTEST_GUILESS_MAIN(TestRecordIoStream)
#include "tst_recordiostream.moc"
