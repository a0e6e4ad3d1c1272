// The two record serializers (core/FORMAT.md, "Record values"): rangedb's
// VerifyRecordSerializer cases S1-S4, the golden bytes of both formats, the serializer
// error cases, and exact round trips of awkward values.

#include "rangedb/codec.h"
#include "rangedb/json.h"

#include <QByteArray>
#include <QTest>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

using namespace rangedb;

Q_DECLARE_METATYPE(rangedb::Serializer)

namespace {

constexpr std::uint64_t kMaxUint64 = std::numeric_limits<std::uint64_t>::max();

Record thingRecord(const std::string &aggregateId, const std::string &data)
{
    Record r;
    r.aggregateType = "thing";
    r.aggregateId = aggregateId;
    r.globalSequenceNumber = kMaxUint64;
    r.streamSequenceNumber = kMaxUint64;
    r.insertTimestamp = kMaxUint64;
    r.eventId = "";
    r.eventType = "ThingWasDone";
    r.data = data;
    r.metadata = "null";
    return r;
}

std::string encode(Serializer serializer, const Record &record)
{
    std::string out;
    if (serializer == Serializer::Json) {
        codec::appendJson(out, record);
    } else {
        const Status s = codec::appendMsgpack(out, record);
        if (!s.ok())
            qWarning("%s", s.message().c_str());
    }
    return out;
}

Status decode(Serializer serializer, const std::string &bytes, Record &record)
{
    return serializer == Serializer::Json ? codec::decodeJson(bytes, record)
                                          : codec::decodeMsgpack(bytes, record);
}

std::string hex(const std::string &bytes)
{
    return QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size())).toHex().toStdString();
}

std::string fromHex(const char *hexText)
{
    return QByteArray::fromHex(QByteArray(hexText)).toStdString();
}

// The record of reference §3.1/§3.2: the library's own golden test.
Record goldenRecord()
{
    Record r;
    r.aggregateType = "thing";
    r.aggregateId = "60f01cc527844cde9953c998a2c077a7";
    r.globalSequenceNumber = 100;
    r.streamSequenceNumber = 2;
    r.insertTimestamp = 1576892379;
    r.eventType = "ThingWasDone";
    r.data = R"({"id":"A","number":1})";
    return r;
}

const char kGoldenJson[] =
    R"({"aggregateType":"thing","aggregateID":"60f01cc527844cde9953c998a2c077a7","globalSequenceNumber":100,)"
    R"("streamSequenceNumber":2,"insertTimestamp":1576892379,"eventID":"","eventType":"ThingWasDone",)"
    R"("data":{"id":"A","number":1},"metadata":null})";

const char kGoldenMsgpackHex[] =
    "89a161a57468696e67a169d9203630663031636335323738343463646539393533633939386132633037376137"
    "a167cf0000000000000064a173cf0000000000000002a175cf000000005dfd77dba165a0a174ac5468696e6757"
    "6173446f6e65a164c0a16dc082a26964a141a66e756d626572d30000000000000001";

} // namespace

class TestRecordSerializer : public QObject
{
    Q_OBJECT

private slots:
    // reference §5.3, for both serializers. Our records carry data as JSON text, so
    // "bound" and "unbound" differ only in how the test compares data; all four run.
    void serializeAndDeserializeWithBoundEvent_data();
    void serializeAndDeserializeWithBoundEvent();
    void serializeAndDeserializeWithUnboundEvent_data();
    void serializeAndDeserializeWithUnboundEvent();
    void serializeWithBoundEventDeserializeWithUnbound_data();
    void serializeWithBoundEventDeserializeWithUnbound();
    void serializeWithUnboundEventDeserializeWithBound_data();
    void serializeWithUnboundEventDeserializeWithBound();

    void goldenJson();
    void goldenJsonDecodesExactly();
    void goldenMsgpack();
    void goldenMsgpackDecodes();
    void goldenMsgpackWithMetadata();

    void exactValuesRoundTrip_data();
    void exactValuesRoundTrip();

    void jsonFailsOnGarbage();
    void msgpackFailsOnGarbage();
    void jsonNullDataIsNotAnError();
    void jsonMissingRequiredFields();
    void jsonWrongFieldType_data();
    void jsonWrongFieldType();
    void msgpackRecordWithoutDataObject();
    void emptyInput_data();
    void emptyInput();

    void jsonKeysMatchCaseInsensitivelyLastDuplicateWins();
    void jsonCanonicalFlag_data();
    void jsonCanonicalFlag();
    void jsonDataIsNormalizedWhenNotCompact();
    void jsonTrailingBytes();

    void msgpackIntegerWidths();
    void msgpackWritesGoEncodings();
    void msgpackNumbersBeyond64BitsFailToEncode();
    void msgpackFloatFormatting_data();
    void msgpackFloatFormatting();
    void msgpackBinaryAndBadKeys();
    void msgpackTrailingBytesAndConsumed();
    void decodeDetectsFormat();
};

static void addSerializerRows()
{
    QTest::addColumn<Serializer>("serializer");
    QTest::newRow("json") << Serializer::Json;
    QTest::newRow("msgpack") << Serializer::Msgpack;
}

void TestRecordSerializer::serializeAndDeserializeWithBoundEvent_data()
{
    addSerializerRows();
}

void TestRecordSerializer::serializeAndDeserializeWithBoundEvent()
{
    QFETCH(Serializer, serializer);
    const Record original = thingRecord("60f01cc527844cde9953c998a2c077a7", R"({"id":"A","number":1})");
    Record decoded;
    const Status s = decode(serializer, encode(serializer, original), decoded);
    QVERIFY2(s.ok(), s.message().c_str());
    QCOMPARE(decoded, original); // typed equality: every byte of data, uint64 max kept
}

void TestRecordSerializer::serializeAndDeserializeWithUnboundEvent_data()
{
    addSerializerRows();
}

void TestRecordSerializer::serializeAndDeserializeWithUnboundEvent()
{
    QFETCH(Serializer, serializer);
    const Record original = thingRecord("7e488a8af27148cb98920f11902d930c", R"({"id":"A","number":1})");
    Record decoded;
    const Status s = decode(serializer, encode(serializer, original), decoded);
    QVERIFY2(s.ok(), s.message().c_str());
    QVERIFY(json::equal(decoded.data, R"({"number":1,"id":"A"})"));
    QCOMPARE(decoded.aggregateType, original.aggregateType);
    QCOMPARE(decoded.aggregateId, original.aggregateId);
    QCOMPARE(decoded.globalSequenceNumber, kMaxUint64);
    QCOMPARE(decoded.streamSequenceNumber, kMaxUint64);
    QCOMPARE(decoded.insertTimestamp, kMaxUint64);
    QCOMPARE(decoded.eventId, std::string());
    QCOMPARE(decoded.eventType, original.eventType);
    QCOMPARE(decoded.metadata, std::string("null"));
}

void TestRecordSerializer::serializeWithBoundEventDeserializeWithUnbound_data()
{
    addSerializerRows();
}

void TestRecordSerializer::serializeWithBoundEventDeserializeWithUnbound()
{
    QFETCH(Serializer, serializer);
    const Record original = thingRecord("7e488a8af27148cb98920f11902d930c", R"({"id":"A","number":1})");
    Record decoded;
    QVERIFY(decode(serializer, encode(serializer, original), decoded).ok());
    QVERIFY(json::equal(decoded.data, R"({"id":"A","number":1})"));
    Record expected = original;
    expected.data = decoded.data;
    QCOMPARE(decoded, expected);
}

void TestRecordSerializer::serializeWithUnboundEventDeserializeWithBound_data()
{
    addSerializerRows();
}

void TestRecordSerializer::serializeWithUnboundEventDeserializeWithBound()
{
    QFETCH(Serializer, serializer);
    // "Unbound" data as a caller would type it: spaced out, then normalized on save.
    auto normalized = json::normalize(R"({ "id" : "A", "number" : 1 })");
    QVERIFY(normalized.ok());
    const Record original = thingRecord("7e488a8af27148cb98920f11902d930c", *normalized);
    Record decoded;
    QVERIFY(decode(serializer, encode(serializer, original), decoded).ok());
    QCOMPARE(decoded, thingRecord("7e488a8af27148cb98920f11902d930c", R"({"id":"A","number":1})"));
}

void TestRecordSerializer::goldenJson()
{
    QCOMPARE(codec::toJson(goldenRecord()), std::string(kGoldenJson));
    std::string appended = "prefix";
    codec::appendJson(appended, goldenRecord());
    QCOMPARE(appended, "prefix" + std::string(kGoldenJson));
}

void TestRecordSerializer::goldenJsonDecodesExactly()
{
    Record r;
    bool canonical = false;
    const Status s = codec::decodeJson(kGoldenJson, r, &canonical);
    QVERIFY2(s.ok(), s.message().c_str());
    QVERIFY(canonical);
    QCOMPARE(r, goldenRecord());
    // rangedb keeps the literal 1 (json.Number); so do we, as text.
    QCOMPARE(r.data, std::string(R"({"id":"A","number":1})"));
}

void TestRecordSerializer::goldenMsgpack()
{
    std::string out;
    const Status s = codec::appendMsgpack(out, goldenRecord());
    QVERIFY2(s.ok(), s.message().c_str());
    QCOMPARE(out.size(), std::size_t(124));
    QCOMPARE(hex(out), std::string(kGoldenMsgpackHex));
}

void TestRecordSerializer::goldenMsgpackDecodes()
{
    Record r;
    std::size_t consumed = 0;
    const Status s = codec::decodeMsgpack(fromHex(kGoldenMsgpackHex), r, &consumed);
    QVERIFY2(s.ok(), s.message().c_str());
    QCOMPARE(consumed, std::size_t(124));
    QCOMPARE(r, goldenRecord());
}

void TestRecordSerializer::goldenMsgpackWithMetadata()
{
    Record record = goldenRecord();
    record.data = "null";
    record.metadata = R"({"k":"v"})";
    std::string out;
    QVERIFY(codec::appendMsgpack(out, record).ok());
    const std::string golden = hex(out);
    const std::string prefix = std::string(kGoldenMsgpackHex).substr(0, std::string(kGoldenMsgpackHex).find("a164c0") + 6);
    QCOMPARE(golden, prefix + "a16d81a16ba176c0");
    Record back;
    QVERIFY(codec::decodeMsgpack(out, back).ok());
    QCOMPARE(back, record);
}

void TestRecordSerializer::exactValuesRoundTrip_data()
{
    QTest::addColumn<QByteArray>("data");
    // What the data reads as after a trip through msgpack, where numbers become int64,
    // uint64 or float64 and floats are written the way Go writes them.
    QTest::addColumn<QByteArray>("afterMsgpack");
    const auto row = [](const char *name, const char *data, const char *afterMsgpack = nullptr) {
        QTest::newRow(name) << QByteArray(data) << QByteArray(afterMsgpack ? afterMsgpack : data);
    };
    row("uint64 max", R"({"n":18446744073709551615})");
    row("int64 min", R"({"n":-9223372036854775808})");
    row("int64 max", R"({"n":9223372036854775807})");
    row("2^53+1", R"({"n":9007199254740993,"m":-9007199254740993})");
    row("1.5", R"({"f":1.5})");
    row("1.50 literal", R"({"f":1.50})", R"({"f":1.5})");
    row("-0.0", R"({"f":-0.0})", R"({"f":-0})");
    row("-0 literal stays a float", R"({"f":-0})");
    row("1.5e-7", R"({"f":1.5e-7})");
    row("1e21", R"({"f":1e21})", R"({"f":1e+21})");
    row("1e+21", R"({"f":1e+21})");
    row("pi", R"({"f":3.141592653589793})");
    row("-273.15", R"({"f":-273.15})");
    row("1/3", R"({"f":0.3333333333333333})");
    row("2.0", R"({"f":2.0})", R"({"f":2})");
    row("2147483647", R"({"i":2147483647})");
    row("Go's spelling of float64 5e19", R"({"f":50000000000000000000})");
    row("Go's spelling of float64 -3.355549781278213e20", R"({"f":-335554978127821300000})");
    row("unicode", R"({"s":"é中文\u2028\u2029😀Ｆｕｌｌ"})");
    row("escapes", R"({"s":"\"\\/\n\t\r\u0001\u003c\u003e\u0026"})");
    row("nested and empty", R"({"a":{"b":{"c":[]}},"e":{},"l":[[],[{}],null],"m":[1,"x",true,null,2.5]})");
    row("null", "null");
    row("empty array", "[]");
    row("key order kept", R"({"zeta":1,"alpha":2,"mid":3})");
    row("string", R"("just a string")");
}

void TestRecordSerializer::exactValuesRoundTrip()
{
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, afterMsgpack);
    Record record = thingRecord("A", data.toStdString());
    record.metadata = data.toStdString();

    Record viaJson;
    QVERIFY(codec::decodeJson(codec::toJson(record), viaJson).ok());
    QCOMPARE(viaJson, record); // JSON keeps every literal byte for byte

    std::string packed;
    const Status s = codec::appendMsgpack(packed, record);
    QVERIFY2(s.ok(), s.message().c_str());
    Record viaMsgpack;
    const Status d = codec::decodeMsgpack(packed, viaMsgpack);
    QVERIFY2(d.ok(), d.message().c_str());
    QCOMPARE(QByteArray::fromStdString(viaMsgpack.data), afterMsgpack);
    QCOMPARE(QByteArray::fromStdString(viaMsgpack.metadata), afterMsgpack);
    QVERIFY(json::equal(viaMsgpack.data, record.data) || data.contains("-0.0"));
}

void TestRecordSerializer::jsonFailsOnGarbage()
{
    Record r;
    const Status s = codec::decodeJson("fwj@!#R@#", r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY2(QByteArray::fromStdString(s.message()).startsWith("failed unmarshalling record: "), s.message().c_str());
    QVERIFY2(s.message().find("line 1, column 2 (byte 1)") != std::string::npos, s.message().c_str());
}

void TestRecordSerializer::msgpackFailsOnGarbage()
{
    Record r;
    const Status s = codec::decodeMsgpack("fwj@!#R@#", r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY2(QByteArray::fromStdString(s.message()).startsWith("failed decoding record: "), s.message().c_str());
    QVERIFY2(s.message().find("code=66") != std::string::npos, s.message().c_str());
    QVERIFY2(s.message().find("byte 0") != std::string::npos, s.message().c_str());
}

// rangedb fails `{"EventType":"ThingWasDone","Data":null}` because its data is null
// ("failed unmarshalling event within record: EOF"). We read null data as null, so that
// record is rejected only for its missing required fields (core/FORMAT.md, "Divergences").
void TestRecordSerializer::jsonNullDataIsNotAnError()
{
    Record r;
    const char *full =
        R"({"aggregateType":"all","aggregateID":"X","globalSequenceNumber":5,"streamSequenceNumber":1,)"
        R"("insertTimestamp":4,"eventID":"00000000000000000000000000000005","eventType":"AllEvent","data":null,"metadata":null})";
    bool canonical = false;
    const Status s = codec::decodeJson(full, r, &canonical);
    QVERIFY2(s.ok(), s.message().c_str());
    QVERIFY(canonical);
    QCOMPARE(r.data, std::string("null"));

    const char *missing =
        R"({"aggregateType":"all","aggregateID":"X","globalSequenceNumber":5,"streamSequenceNumber":1,)"
        R"("insertTimestamp":4,"eventID":"e","eventType":"AllEvent"})";
    bool canonicalMissing = true;
    QVERIFY(codec::decodeJson(missing, r, &canonicalMissing).ok());
    QVERIFY(!canonicalMissing); // appendJson would add "data":null,"metadata":null
    QCOMPARE(r.data, std::string("null"));
    QCOMPARE(r.metadata, std::string("null"));
}

void TestRecordSerializer::jsonMissingRequiredFields()
{
    Record r;
    const Status s = codec::decodeJson(R"({"EventType":"ThingWasDone","Data":null})", r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    const QByteArray msg = QByteArray::fromStdString(s.message());
    QVERIFY2(msg.startsWith("failed unmarshalling record: missing required fields"), msg.constData());
    QVERIFY(msg.contains("\"aggregateType\""));
    QVERIFY(msg.contains("\"insertTimestamp\""));
    QVERIFY(!msg.contains("\"eventType\""));
    QVERIFY(!msg.contains("\"data\""));
}

void TestRecordSerializer::jsonWrongFieldType_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray head = R"({"aggregateType":"t","aggregateID":"i",)";
    QTest::newRow("string for uint64")
        << head + R"("globalSequenceNumber":"abc","streamSequenceNumber":1,"insertTimestamp":1,"eventID":"","eventType":"T"})"
        << QByteArray(R"(record: field "globalSequenceNumber": expected a non-negative integer, found "abc" at line 1, column 63 (byte 62))");
    QTest::newRow("negative")
        << head + R"("globalSequenceNumber":1,"streamSequenceNumber":-1,"insertTimestamp":1,"eventID":"","eventType":"T"})"
        << QByteArray(R"(field "streamSequenceNumber": expected a non-negative integer, found -1)");
    QTest::newRow("float")
        << head + R"("globalSequenceNumber":1,"streamSequenceNumber":1,"insertTimestamp":1.0,"eventID":"","eventType":"T"})"
        << QByteArray(R"(field "insertTimestamp": expected a non-negative integer, found 1.0)");
    QTest::newRow("beyond uint64")
        << head + R"("globalSequenceNumber":18446744073709551616,"streamSequenceNumber":1,"insertTimestamp":1,"eventID":"","eventType":"T"})"
        << QByteArray(R"(expected a non-negative integer up to 18446744073709551615, found 18446744073709551616)");
    QTest::newRow("number for string")
        << head + R"("globalSequenceNumber":1,"streamSequenceNumber":1,"insertTimestamp":1,"eventID":7,"eventType":"T"})"
        << QByteArray(R"(field "eventID": expected a string, found 7)");
    QTest::newRow("object for string")
        << head + R"("globalSequenceNumber":1,"streamSequenceNumber":1,"insertTimestamp":1,"eventID":"","eventType":{"a":1}})"
        << QByteArray(R"(field "eventType": expected a string, found {)");
    QTest::newRow("null for string")
        << QByteArray(R"({"aggregateType":null})") << QByteArray(R"(field "aggregateType": expected a string, found null at line 1, column 18)");
    QTest::newRow("not an object") << QByteArray("[1,2]") << QByteArray("expected a JSON object at line 1, column 1");
    QTest::newRow("scalar") << QByteArray("  42") << QByteArray("expected a JSON object at line 1, column 3");
}

void TestRecordSerializer::jsonWrongFieldType()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, expected);
    Record r;
    const Status s = codec::decodeJson(json.toStdString(), r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY2(QByteArray::fromStdString(s.message()).contains(expected), s.message().c_str());
}

void TestRecordSerializer::msgpackRecordWithoutDataObject()
{
    std::string packed;
    QVERIFY(codec::appendMsgpack(packed, goldenRecord()).ok());
    const std::string mapOnly = packed.substr(0, packed.size() - 22); // drop the 22-byte data object
    QCOMPARE(static_cast<unsigned char>(mapOnly.back()), 0xc0u);
    Record r;
    const Status s = codec::decodeMsgpack(mapOnly, r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    const QByteArray msg = QByteArray::fromStdString(s.message());
    QVERIFY2(msg.startsWith("failed decoding event after record: EOF"), msg.constData());
    QVERIFY(msg.contains("truncated"));
    QVERIFY(msg.contains("byte 102"));
}

void TestRecordSerializer::emptyInput_data()
{
    addSerializerRows();
}

void TestRecordSerializer::emptyInput()
{
    QFETCH(Serializer, serializer);
    Record r;
    const Status s = decode(serializer, std::string(), r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY(!s.message().empty());
}

void TestRecordSerializer::jsonKeysMatchCaseInsensitivelyLastDuplicateWins()
{
    const char *text =
        R"({"AGGREGATETYPE":"a","aggregateid":"b","GlobalSequenceNumber":1,"streamSequenceNumber":2,)"
        R"("insertTimestamp":3,"eventID":"e","eventType":"x","eventType":"y","unknown":[1,{"data":2}],)"
        R"("Data":{"first":1},"data":{"second":2},"Metadata":"m"})";
    Record r;
    bool canonical = true;
    const Status s = codec::decodeJson(text, r, &canonical);
    QVERIFY2(s.ok(), s.message().c_str());
    QVERIFY(!canonical);
    QCOMPARE(r.aggregateType, std::string("a"));
    QCOMPARE(r.aggregateId, std::string("b"));
    QCOMPARE(r.globalSequenceNumber, 1u);
    QCOMPARE(r.eventType, std::string("y"));
    QCOMPARE(r.data, std::string(R"({"second":2})"));
    QCOMPARE(r.metadata, std::string(R"("m")"));
}

void TestRecordSerializer::jsonCanonicalFlag_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("canonical");
    const QByteArray golden(kGoldenJson);
    QTest::newRow("golden") << golden << true;
    QTest::newRow("trailing newline") << golden + "\n" << false;
    QTest::newRow("space in data") << QByteArray(golden).replace(R"({"id":"A",)", R"({"id": "A",)") << false;
    QTest::newRow("key case") << QByteArray(golden).replace("eventID", "EventID") << false;
    QTest::newRow("key order")
        << QByteArray(golden).replace(R"("eventID":"","eventType":"ThingWasDone")", R"("eventType":"ThingWasDone","eventID":"")")
        << false;
    QTest::newRow("non-Go escape") << QByteArray(golden).replace(R"("id":"A")", R"("id":"\u0041")") << false;
    QTest::newRow("Go escapes")
        << QByteArray(golden).replace(R"("id":"A")", R"("id":"\u003c\u0026\n\u0001\u2028")") << true;
    QTest::newRow("raw <") << QByteArray(golden).replace(R"("id":"A")", R"("id":"<")") << false;
}

void TestRecordSerializer::jsonCanonicalFlag()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, canonical);
    Record r;
    bool isCanonical = !canonical;
    const Status s = codec::decodeJson(json.toStdString(), r, &isCanonical);
    QVERIFY2(s.ok(), s.message().c_str());
    QCOMPARE(isCanonical, canonical);
    // The flag's promise: exactly what appendJson writes.
    QCOMPARE(codec::toJson(r) == json.toStdString(), canonical);
}

void TestRecordSerializer::jsonDataIsNormalizedWhenNotCompact()
{
    const char *text = "{ \"aggregateType\" : \"thing\", \"aggregateID\":\"A\",\n"
                       "  \"globalSequenceNumber\": 1, \"streamSequenceNumber\": 1, \"insertTimestamp\": 0,\n"
                       "  \"eventID\": \"e\", \"eventType\": \"T\",\n"
                       "  \"data\": { \"b\" : [ 1.50 , \"<\\u0041\\/>\" ], \"a\" : null },\n"
                       "  \"metadata\" : { }\n}\n";
    Record r;
    const Status s = codec::decodeJson(text, r);
    QVERIFY2(s.ok(), s.message().c_str());
    QCOMPARE(r.data, std::string(R"({"b":[1.50,"\u003cA/\u003e"],"a":null})"));
    QCOMPARE(r.metadata, std::string("{}"));
}

void TestRecordSerializer::jsonTrailingBytes()
{
    Record r;
    const Status s = codec::decodeJson(std::string(kGoldenJson) + " x", r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY2(s.message().find("unexpected text after the record") != std::string::npos, s.message().c_str());
    QVERIFY2(s.message().find("column 242 (byte 241)") != std::string::npos, s.message().c_str());
}

void TestRecordSerializer::msgpackIntegerWidths()
{
    // Integer record fields of any width (and nil) decode, as in rangedb's msgpack v4.
    std::string bytes = fromHex("89a161a174a169a149"
                                "a1670a"                 // g: fixint 10
                                "a173cd0102"             // s: uint16 258
                                "a175c0"                 // u: nil -> 0
                                "a165a0a174a158a164c0a16dc0"
                                "84a161d0ffa162cc80a163cbbff8000000000000a164ca3fc00000");
    Record r;
    const Status s = codec::decodeMsgpack(bytes, r);
    QVERIFY2(s.ok(), s.message().c_str());
    QCOMPARE(r.globalSequenceNumber, 10u);
    QCOMPARE(r.streamSequenceNumber, 258u);
    QCOMPARE(r.insertTimestamp, 0u);
    QCOMPARE(r.data, std::string(R"({"a":-1,"b":128,"c":-1.5,"d":1.5})"));
}

void TestRecordSerializer::msgpackWritesGoEncodings()
{
    // Go's int is always 0xd3, uint64 above int64 0xcf, float64 always 0xcb (also 2.0).
    Record record = goldenRecord();
    record.data = R"({"i":1,"u":18446744073709551615,"n":-1,"f":2.0,"s":"60f01cc527844cde9953c998a2c077a7"})";
    std::string out;
    QVERIFY(codec::appendMsgpack(out, record).ok());
    const std::string tail = hex(out).substr(hex(out).find("a16dc0") + 6);
    QCOMPARE(tail, std::string("85a169d30000000000000001a175cfffffffffffffffffa16ed3ffffffffffffffff"
                               "a166cb4000000000000000a173d9203630663031636335323738343463646539393533"
                               "633939386132633037376137"));
}

void TestRecordSerializer::msgpackNumbersBeyond64BitsFailToEncode()
{
    Record record = goldenRecord();
    record.data = R"({"big":18446744073709551616})";
    std::string out = "keep";
    Status s = codec::appendMsgpack(out, record);
    QCOMPARE(s.code(), ErrorCode::EncodeError);
    QCOMPARE(out, std::string("keep")); // nothing appended on failure
    QVERIFY2(QByteArray::fromStdString(s.message()).startsWith("failed encoding record data: data: integer 18446744073709551616"),
             s.message().c_str());
    QVERIFY2(s.message().find("column 8") != std::string::npos, s.message().c_str());

    record = goldenRecord();
    record.metadata = R"([-9223372036854775809])";
    s = codec::appendMsgpack(out, record);
    QCOMPARE(s.code(), ErrorCode::EncodeError);
    QVERIFY2(QByteArray::fromStdString(s.message()).startsWith("failed encoding record: metadata: integer -9223372036854775809"),
             s.message().c_str());

    record.metadata = R"([1.8e308])";
    s = codec::appendMsgpack(out, record);
    QCOMPARE(s.code(), ErrorCode::EncodeError);
    QVERIFY2(s.message().find("beyond the range of a double") != std::string::npos, s.message().c_str());

    // Tiny values round to zero, as Go's ParseFloat does.
    record.metadata = R"([1e-400])";
    out.clear();
    s = codec::appendMsgpack(out, record);
    if (s.ok()) {
        Record back;
        QVERIFY(codec::decodeMsgpack(out, back).ok());
        QCOMPARE(back.metadata, std::string("[0]"));
    } else {
        // RapidJSON may refuse the literal before we see it; either way it is an error value.
        QCOMPARE(s.code(), ErrorCode::EncodeError);
    }
}

void TestRecordSerializer::msgpackFloatFormatting_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("go");
    QTest::newRow("pi") << 3.141592653589793 << QByteArray("3.141592653589793");
    QTest::newRow("-273.15") << -273.15 << QByteArray("-273.15");
    QTest::newRow("1/3") << 1.0 / 3.0 << QByteArray("0.3333333333333333");
    QTest::newRow("1.5e-7") << 1.5e-7 << QByteArray("1.5e-7");
    QTest::newRow("1e-6") << 1e-6 << QByteArray("0.000001");
    QTest::newRow("1e21") << 1e21 << QByteArray("1e+21");
    QTest::newRow("1e20") << 1e20 << QByteArray("100000000000000000000");
    QTest::newRow("-0") << -0.0 << QByteArray("-0");
    QTest::newRow("2") << 2.0 << QByteArray("2");
    QTest::newRow("12345678901234567890") << 12345678901234567890.0 << QByteArray("12345678901234567000");
    QTest::newRow("1e-100") << 1e-100 << QByteArray("1e-100");
    QTest::newRow("5e-324") << 5e-324 << QByteArray("5e-324");
}

void TestRecordSerializer::msgpackFloatFormatting()
{
    QFETCH(double, value);
    QFETCH(QByteArray, go);
    std::uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    std::string packed(1, '\xcb');
    for (int i = 7; i >= 0; --i)
        packed.push_back(static_cast<char>((bits >> (i * 8)) & 0xff));
    std::string text;
    const Status s = codec::msgpackToJson(packed, text);
    QVERIFY2(s.ok(), s.message().c_str());
    QCOMPARE(text, go.toStdString());
}

void TestRecordSerializer::msgpackBinaryAndBadKeys()
{
    std::string text;
    QVERIFY(codec::msgpackToJson(fromHex("c403010203"), text).ok());
    QCOMPARE(text, std::string(R"("AQID")"));
    QVERIFY(codec::msgpackToJson(fromHex("ca3fc00000"), text).ok()); // float32 1.5
    QCOMPARE(text, std::string("1.5"));
    QVERIFY(codec::msgpackToJson(fromHex("a4e280a83c"), text).ok()); // "\u2028<"
    QCOMPARE(text, std::string(R"("\u2028\u003c")"));
    QVERIFY(codec::msgpackToJson(fromHex("a2ff41"), text).ok()); // invalid UTF-8, as Go writes it
    QCOMPARE(text, std::string(R"("\ufffdA")"));

    Status s = codec::msgpackToJson(fromHex("81 01 02"), text);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY2(s.message().find("map keys must be strings") != std::string::npos, s.message().c_str());

    s = codec::msgpackToJson(fromHex("d40100"), text);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY2(s.message().find("extension") != std::string::npos, s.message().c_str());

    s = codec::msgpackToJson(fromHex("cb7ff8000000000000"), text); // NaN
    QCOMPARE(s.code(), ErrorCode::DecodeError);
}

void TestRecordSerializer::msgpackTrailingBytesAndConsumed()
{
    const std::string one = fromHex(kGoldenMsgpackHex);
    Record r;
    std::size_t consumed = 0;
    QVERIFY(codec::decodeMsgpack(one + one, r, &consumed).ok());
    QCOMPARE(consumed, one.size());
    const Status s = codec::decodeMsgpack(one + "x", r);
    QCOMPARE(s.code(), ErrorCode::DecodeError);
    QVERIFY2(s.message().find("byte 124") != std::string::npos, s.message().c_str());
}

void TestRecordSerializer::decodeDetectsFormat()
{
    Record a;
    Record b;
    bool canonical = false;
    QVERIFY(codec::decode(kGoldenJson, a, &canonical).ok());
    QVERIFY(canonical);
    QVERIFY(codec::decode(fromHex(kGoldenMsgpackHex), b, &canonical).ok());
    QVERIFY(!canonical);
    QCOMPARE(a, b);
    QCOMPARE(*codec::detect(kGoldenJson), Serializer::Json);
    QCOMPARE(*codec::detect(fromHex(kGoldenMsgpackHex)), Serializer::Msgpack);
    QCOMPARE(codec::detect("xyz").status().code(), ErrorCode::InvalidArgument);
    QCOMPARE(codec::decode("xyz", a).code(), ErrorCode::DecodeError);
    QCOMPARE(std::string(serializerName(Serializer::Json)), std::string("json"));
    QCOMPARE(std::string(serializerName(Serializer::Msgpack)), std::string("msgpack"));
}

QTEST_GUILESS_MAIN(TestRecordSerializer)
#include "tst_recordserializer.moc"
