// Search conditions (README.md, "Search syntax"): parse errors with their column, each
// operator, nested paths, arrays, exact big numbers, unicode, and missing fields.

#include "rangedb/recordfilter.h"

#include "testutil.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <thread>

using namespace rangedb;

namespace {

// The record every matches() row runs against; rows choose data and metadata.
Record sampleRecord(const QByteArray &data, const QByteArray &metadata)
{
    Record r;
    r.aggregateType = "account";
    r.aggregateId = "acct-0001.eu";
    r.globalSequenceNumber = 42;
    r.streamSequenceNumber = 3;
    r.insertTimestamp = 1609459200; // 2021-01-01T00:00:00Z
    r.eventId = "d2ba8e70072943388203c438d4e94bf3";
    r.eventType = "AccountWasOpened";
    r.data = data.toStdString();
    r.metadata = metadata.toStdString();
    return r;
}

// Compact, Go-escaped JSON, as every stored record holds.
const QByteArray kData = QByteArrayLiteral(
    R"({"amount":150,"balance":-20.5,"big":18446744073709551615,"bigNeg":-9223372036854775808,)"
    R"("huge":123456789012345678901234567890,"tiny":1e-400,"owner":"Zo\u003ce Ångström",)"
    R"("city":"Zürich","user":{"id":7,"name":"ann","roles":["admin","ops"]},)"
    R"("items":[{"sku":"A1","qty":2},{"sku":"B2","qty":1,"price":2.25}],)"
    R"("a.b":1,"with space":"yes","flag":true,"off":false,"nothing":null,"empty":{},"none":[],)"
    R"("emoji":"🥐","matrix":[[1,2],[3,4]],"eventType":"inData","zero":0})");
const QByteArray kMetadata = QByteArrayLiteral(R"({"source":"cli","user":{"id":"7"},"ip":"10.0.0.1"})");

void row(const char *name, const char *query, bool expected)
{
    QTest::newRow(name) << QByteArray(query) << expected;
}

void errorRow(const char *name, const char *query, const char *message)
{
    QTest::newRow(name) << QByteArray(query) << QByteArray(message);
}

} // namespace

class TestRecordFilter : public QObject
{
    Q_OBJECT

private slots:
    void matches_data();
    void matches();
    void parseErrors_data();
    void parseErrors();
    void emptyQuery();
    void needsJsonParsing();
    void fixtureRecords();
    void concurrentMatching();
};

void TestRecordFilter::matches_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<bool>("expected");

    // Plain words over envelope and JSON text, case-insensitive.
    row("word in event type", "wasopened", true);
    row("word in aggregate type", "ACCOUNT", true);
    row("word in aggregate id", "0001.EU", true);
    row("word in event id", "D2BA8E", true);
    row("word in data value", "ann", true);
    row("word in data key", "roles", true);
    row("word in metadata", "10.0.0", true);
    row("word absent", "bob", false);
    row("two words both present", "ann cli", true);
    row("two words one absent", "ann bob", false);
    row("quoted text with space", "\"Account\"", true);
    row("quoted phrase absent", "\"ann cli\"", false);
    row("escaped in json text", "\"zo<e\"", true);
    row("unicode word exact", "zürich", true);
    row("unicode word folded", "ZÜRICH", true);
    row("unicode Å folded", "ångström", true);
    row("emoji word", "🥐", true);
    row("keyword quoted is text", "\"and\"", false);

    // = and != on numbers, strings, booleans, null.
    row("number =", "amount = 150", true);
    row("number == alias", "amount == 150", true);
    row("number = other", "amount = 151", false);
    row("number = as float", "amount = 150.0", true);
    row("number = exponent", "amount = 1.5e2", true);
    row("number !=", "amount != 151", true);
    row("number != same", "amount != 150", false);
    row("number vs string literal", "amount = \"150\"", false);
    row("string vs number literal", "metadata.user.id = 7", false);
    row("string =", "user.name = ann", true);
    row("string = quoted", "user.name = \"ann\"", true);
    row("string = is case-sensitive", "user.name = Ann", false);
    row("string != different kind", "user.name != 5", true);
    row("unicode string =", "city = \"Zürich\"", true);
    row("escaped string =", "owner = \"Zo<e Ångström\"", true);
    row("string via \\u escape", "city = \"Z\\u00fcrich\"", true);
    row("emoji via surrogates", "emoji = \"\\ud83e\\udd50\"", true);
    row("true =", "flag = true", true);
    row("false =", "off = false", true);
    row("true != false", "flag != false", true);
    row("bool vs string", "flag = \"true\"", false);
    row("null =", "nothing = null", true);
    row("null != null", "nothing != null", false);
    row("not null", "amount != null", true);

    // Orderings.
    row(">", "amount > 100", true);
    row("> equal", "amount > 150", false);
    row(">=", "amount >= 150", true);
    row("<", "amount < 150.5", true);
    row("<=", "amount <= 149.999", false);
    row("negative float <", "balance < -20", true);
    row("negative float >", "balance > -21", true);
    row("zero vs -0", "zero = -0", true);
    row("string <", "user.name < bob", true);
    row("string > by code point", "city > Zz", true);
    row("order number vs string", "amount > abc", false);
    row("no spaces", "amount>100", true);

    // Exact big numbers.
    row("uint64 max =", "big = 18446744073709551615", true);
    row("uint64 max != neighbour", "big = 18446744073709551614", false);
    row("uint64 max > neighbour", "big > 18446744073709551614", true);
    row("uint64 max < next", "big < 18446744073709551616", true);
    row("int64 min =", "bigNeg = -9223372036854775808", true);
    row("int64 min < -max", "bigNeg < -9223372036854775807", true);
    row("int64 min > longer negative", "bigNeg > -19223372036854775808", true);
    row("beyond 64 bits =", "huge = 123456789012345678901234567890", true);
    row("beyond 64 bits last digit", "huge = 123456789012345678901234567891", false);
    row("beyond 64 bits > uint64", "huge > 18446744073709551615", true);
    row("big vs float", "big > 1.8e19", true);
    row("underflow is tiny", "tiny < 1e-300", true);
    row("underflow is not negative", "tiny >= 0", true);
    row("huge literal in query", "amount < 1e400", true);

    // ~ substring.
    row("~ string", "user.name ~ AN", true);
    row("~ unicode folded", "owner ~ \"ÅNGSTRÖM\"", true);
    row("~ number text", "amount ~ 15", true);
    row("~ absent", "user.name ~ x", false);
    row("~ array text", "user.roles ~ OPS", true);
    row("~ object text", "items[1] ~ \"\\\"price\\\":2.25\"", true);
    row("~ bool", "flag ~ tru", true);

    // Paths.
    row("nested", "user.id = 7", true);
    row("nested explicit data", "data.user.id = 7", true);
    row("DATA prefix is case-insensitive", "DATA.user.id = 7", true);
    row("array element", "items[0].sku = A1", true);
    row("array element 2", "data.items[1].qty = 1", true);
    row("array element order", "items[1].sku = A1", false);
    row("array index out of range", "items[2].sku = A1", false);
    row("array of arrays", "matrix[1][0] = 3", true);
    row("array of scalars", "user.roles[1] = ops", true);
    row("quoted segment with dot", "data.\"a.b\" = 1", true);
    row("quoted first segment", "\"a.b\" = 1", true);
    row("quoted segment with space", "\"with space\" = yes", true);
    row("unquoted dotted is nested", "a.b = 1", false);
    row("metadata path", "metadata.source = \"cli\"", true);
    row("metadata nested string", "metadata.user.id = \"7\"", true);
    row("metadata not data", "metadata.amount = 150", false);
    row("index on object", "user[0] = 7", false);
    row("member of array", "items.sku = A1", false);
    row("whole data ~", "data ~ \"\\\"qty\\\":2\"", true);
    row("object = never", "user = 7", false);
    row("object != always", "user != 7", true);
    row("empty object exists", "exists(empty)", true);
    row("empty array exists", "exists(none)", true);

    // exists and missing fields.
    row("exists", "exists(user.id)", true);
    row("exists null", "exists(nothing)", true);
    row("exists missing", "exists(user.email)", false);
    row("exists with spaces", "exists ( metadata.ip )", true);
    row("not exists missing", "not exists(user.email)", true);
    row("not exists present", "not exists(user.id)", false);
    row("missing =", "missing = 1", false);
    row("missing !=", "missing != 1", false);
    row("missing <", "missing < 1", false);
    row("missing ~", "missing ~ x", false);
    row("missing = null", "missing = null", false);
    row("not missing = 1", "not missing = 1", true);
    row("missing nested under scalar", "amount.x = 1", false);
    row("key only in other object", "user.sku = A1", false);

    // Envelope fields.
    row("eventType", "eventType = AccountWasOpened", true);
    row("eventType other", "eventType = OrderWasPlaced", false);
    row("eventType name case-insensitive", "EVENTTYPE = AccountWasOpened", true);
    row("data member named eventType", "data.eventType = inData", true);
    row("aggregateType", "aggregateType = account", true);
    row("aggregateId text", "aggregateId = \"acct-0001.eu\"", true);
    row("aggregateID rangedb spelling", "aggregateID ~ 0001", true);
    row("eventId", "eventId = d2ba8e70072943388203c438d4e94bf3", true);
    row("globalSequenceNumber >", "globalSequenceNumber > 41", true);
    row("globalSequenceNumber =", "globalSequenceNumber = 42", true);
    row("streamSequenceNumber <=", "streamSequenceNumber <= 2", false);
    row("insertTimestamp seconds", "insertTimestamp = 1609459200", true);
    row("insertTimestamp ISO >=", "insertTimestamp >= \"2021-01-01T00:00:00Z\"", true);
    row("insertTimestamp ISO >", "insertTimestamp > \"2021-01-01T00:00:00Z\"", false);
    row("exists envelope", "exists(eventType)", true);

    // Logic.
    row("and", "amount > 100 and user.id = 7", true);
    row("and false", "amount > 100 and user.id = 8", false);
    row("AND upper", "amount > 100 AND user.id = 7", true);
    row("implicit and", "amount > 100 user.id = 8", false);
    row("or", "amount > 1000 or user.id = 7", true);
    row("or both false", "amount > 1000 or user.id = 8", false);
    row("not", "not amount > 1000", true);
    row("not not", "not not amount > 1000", false);
    row("and binds tighter", "user.id = 8 and amount > 1 or flag = true", true);
    row("parentheses", "user.id = 8 and (amount > 1 or flag = true)", false);
    row("nested parentheses", "((flag = true) and (not (nothing != null)))", true);
    row("not(", "not(user.id = 8)", true);
    row("word and condition", "ann and metadata.source = cli", true);
    row("android is a word", "android", false);
}

void TestRecordFilter::matches()
{
    QFETCH(QByteArray, query);
    QFETCH(bool, expected);
    const auto filter = RecordFilter::parse(query.toStdString());
    QVERIFY2(filter.ok(), filter.status().message().c_str());
    QCOMPARE(filter->matches(sampleRecord(kData, kMetadata)), expected);
    QCOMPARE(filter->query(), query.toStdString());
}

void TestRecordFilter::parseErrors_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("message");
    errorRow("value missing", "amount >" , "column 9: expected a value after '>'");
    errorRow("value missing before paren", "(amount = )" , "column 11: expected a value after '='");
    errorRow("field missing", "> 5" , "column 1: expected a field name before '>'");
    errorRow("lone bang", "amount ! 5" , "column 8: unknown operator '!' (did you mean '!='?)");
    errorRow("double operator", "amount => 5" , "column 9: unexpected '>' after '='");
    errorRow("unclosed paren", "(amount > 5" , "column 12: missing ')' to close the '(' at column 1");
    errorRow("stray close paren", "amount > 5)" , "column 11: unexpected ')'");
    errorRow("empty parens", "()" , "column 2: unexpected ')'");
    errorRow("unclosed string", "owner = \"abc" , "column 9: missing the closing '\"' of the string");
    errorRow("unclosed quoted word", "ann \"abc" , "column 5: missing the closing '\"' of the string");
    errorRow("bad escape", "owner = \"a\\qb\"" , "column 11: unknown escape \\q in a quoted string");
    errorRow("bad unicode escape", "owner = \"\\u12\"" , "column 10: expected four hex digits after \\u");
    errorRow("trailing and", "amount > 5 and" , "column 15: expected a search term at the end of the query");
    errorRow("trailing not", "not" , "column 4: expected a search term at the end of the query");
    errorRow("leading or", "or amount > 5" , "column 1: expected a search term before 'or'");
    errorRow("and and", "a and and b" , "column 7: expected a search term before 'and'");
    errorRow("empty member name", "user. = 5" , "column 5: expected a member name after '.'");
    errorRow("bad index", "items[x].sku = 1" , "column 7: expected an array index (digits) after '['");
    errorRow("unclosed index", "items[0.sku = 1" , "column 8: missing ']' to close the '[' at column 6");
    errorRow("order with bool", "flag < true" , "column 6: '<' needs a number or a string, not true");
    errorRow("order with null", "x >= null" , "column 3: '>=' needs a number or a string, not null");
    errorRow("envelope number", "globalSequenceNumber = abc"
                                     , "column 24: globalSequenceNumber is a number: expected a number after '=', not abc");
    errorRow("bad date", "insertTimestamp > \"yesterday\""
                              , "column 19: insertTimestamp compares with Unix seconds or an ISO date such as "
                                 "\"2021-01-01T00:00:00Z\", not \"yesterday\"");
    errorRow("exists without field", "exists()" , "column 8: expected a field name inside exists( )");
    errorRow("exists unclosed", "exists(user.id" , "column 15: missing ')' to close exists( at column 7");
    errorRow("empty quoted text", "\"\"" , "column 1: empty search text \"\"");
    // Columns count characters, not bytes.
    errorRow("column after unicode", "\"Zürich\" and city >" , "column 20: expected a value after '>'");
}

void TestRecordFilter::parseErrors()
{
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, message);
    const auto filter = RecordFilter::parse(query.toStdString());
    QVERIFY(!filter.ok());
    QCOMPARE(filter.status().code(), ErrorCode::InvalidArgument);
    QCOMPARE(QByteArray::fromStdString(filter.status().message()), message);
}

void TestRecordFilter::emptyQuery()
{
    for (const char *query : {"", "   ", "\t\n"}) {
        const auto filter = RecordFilter::parse(query);
        QVERIFY(filter.ok());
        QVERIFY(filter->isEmpty());
        QVERIFY(filter->matches(sampleRecord("null", "null")));
    }
    QVERIFY(RecordFilter().isEmpty());
    QVERIFY(RecordFilter().matches(Record()));
    QVERIFY(!RecordFilter::parse("x")->isEmpty());
}

void TestRecordFilter::needsJsonParsing()
{
    QVERIFY(!RecordFilter::parse("premium \"two words\"")->needsJsonParsing());
    QVERIFY(!RecordFilter::parse("eventType = X or globalSequenceNumber > 5")->needsJsonParsing());
    QVERIFY(RecordFilter::parse("amount > 5")->needsJsonParsing());
    QVERIFY(RecordFilter::parse("exists(metadata.x)")->needsJsonParsing());
}

// Against the records rangedb itself wrote: each condition agrees with the same question
// asked directly, and a query and its negation split the records.
void TestRecordFilter::fixtureRecords()
{
    const auto records = test::parseRecords(test::readFile(test::fixtureDir() + QStringLiteral("/all-events.json")),
                                            StreamFormat::JsonArray);
    QVERIFY(records.size() > 5);

    for (const Record &record : records) {
        const auto byType = RecordFilter::parse("eventType = \"" + record.eventType + "\"");
        QVERIFY(byType.ok());
        for (const Record &other : records)
            QCOMPARE(byType->matches(other), other.eventType == record.eventType);
        const auto bySeq = RecordFilter::parse("globalSequenceNumber = " + std::to_string(record.globalSequenceNumber));
        QCOMPARE(std::count_if(records.begin(), records.end(), [&](const Record &r) { return bySeq->matches(r); }), 1);
    }

    for (const char *query : {"metadata.user.id = 7", "items[0].sku = \"SKU-1\"", "Zürich", "exists(metadata.source)",
                              "data.balance >= 0 or aggregateType = order", "address.geo[0] > 47"}) {
        const auto filter = RecordFilter::parse(query);
        QVERIFY2(filter.ok(), query);
        const auto negated = RecordFilter::parse(std::string("not (") + query + ")");
        QVERIFY(negated.ok());
        const auto hits = std::count_if(records.begin(), records.end(), [&](const Record &r) { return filter->matches(r); });
        const auto misses = std::count_if(records.begin(), records.end(), [&](const Record &r) { return negated->matches(r); });
        QVERIFY2(hits > 0, query);
        QCOMPARE(static_cast<std::size_t>(hits + misses), records.size());
    }
    // The first fixture record: an account opened in Zürich by user 7.
    QVERIFY(RecordFilter::parse("address.city = \"Zürich\" and metadata.user.roles[0] = admin")->matches(records.front()));
}

// One filter, four threads, the same answers as one thread.
void TestRecordFilter::concurrentMatching()
{
    const auto records = test::parseRecords(test::readFile(test::fixtureDir() + QStringLiteral("/all-events.json")),
                                            StreamFormat::JsonArray);
    const auto filter = RecordFilter::parse("(amount > 1 or items[0].qty >= 2 or zürich) and not exists(metadata.none)");
    QVERIFY(filter.ok());
    std::size_t expected = 0;
    for (const Record &r : records)
        expected += filter->matches(r) ? 1 : 0;
    QVERIFY(expected > 0);

    std::atomic<std::size_t> total{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, copy = *filter] {
            for (int round = 0; round < 200; ++round)
                for (const Record &r : records)
                    total += copy.matches(r) ? 1 : 0;
        });
    }
    for (auto &thread : threads)
        thread.join();
    QCOMPARE(total.load(), expected * 4 * 200);
}

QTEST_GUILESS_MAIN(TestRecordFilter)
#include "tst_recordfilter.moc"
