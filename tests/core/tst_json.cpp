// The number-exact JSON helpers (core/FORMAT.md, "JSON text"): normalize with Go's
// escaping, equal by meaning, pretty, positionOf.

#include "rangedb/json.h"

#include <QByteArray>
#include <QTest>

#include <string>

using namespace rangedb;

namespace {

QByteArray bytes(const std::string &s)
{
    return QByteArray::fromStdString(s);
}

} // namespace

class TestJson : public QObject
{
    Q_OBJECT

private slots:
    void normalize_data();
    void normalize();
    void normalizeErrors_data();
    void normalizeErrors();
    void normalizeDeepNesting();
    void appendQuoted_data();
    void appendQuoted();
    void equal_data();
    void equal();
    void pretty_data();
    void pretty();
    void positionOf_data();
    void positionOf();
};

void TestJson::normalize_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("compact stays") << QByteArray(R"({"id":"A","number":1})") << QByteArray(R"({"id":"A","number":1})");
    QTest::newRow("whitespace removed")
        << QByteArray(" {\n\t\"a\" : [ 1 , 2 ] ,\r\n \"b\" : { } }\n ") << QByteArray(R"({"a":[1,2],"b":{}})");
    QTest::newRow("key order kept") << QByteArray(R"({"z":1,"a":2,"m":3})") << QByteArray(R"({"z":1,"a":2,"m":3})");
    QTest::newRow("duplicate keys kept") << QByteArray(R"({"a":1,"a":2})") << QByteArray(R"({"a":1,"a":2})");
    QTest::newRow("literals kept")
        << QByteArray("[1.50, 1e3, 1E+3, -0, -0.0, 18446744073709551615, 123456789012345678901234567890, 0.1e-400]")
        << QByteArray("[1.50,1e3,1E+3,-0,-0.0,18446744073709551615,123456789012345678901234567890,0.1e-400]");
    QTest::newRow("html escaped") << QByteArray(R"("<a href='x'>&</a>")")
                                  << QByteArray(R"("\u003ca href='x'\u003e\u0026\u003c/a\u003e")");
    QTest::newRow("line separators") << QByteArray("\"a\xe2\x80\xa8" "b\xe2\x80\xa9\"") << QByteArray(R"("a\u2028b\u2029")");
    QTest::newRow("control chars") << QByteArray(R"("\b\f\n\r\t\u0001\u001F\u007f")")
                                   << QByteArray("\"\\u0008\\u000c\\n\\r\\t\\u0001\\u001f\x7f\"");
    QTest::newRow("needless escapes undone") << QByteArray(R"("\/\u0041\u00e9\u4e2d")")
                                             << QByteArray("\"/A\xc3\xa9\xe4\xb8\xad\"");
    QTest::newRow("surrogate pair to raw emoji") << QByteArray(R"("\ud83d\ude00")") << QByteArray("\"\xf0\x9f\x98\x80\"");
    QTest::newRow("lone low surrogate as U+FFFD") << QByteArray(R"("\udc00")") << QByteArray("\"\xef\xbf\xbd\"");
    QTest::newRow("quote and backslash") << QByteArray(R"("\"\\")") << QByteArray(R"("\"\\")");
    QTest::newRow("NUL") << QByteArray(R"("a\u0000b")") << QByteArray(R"("a\u0000b")");
    QTest::newRow("non-ASCII raw") << QByteArray("\"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"")
                                   << QByteArray("\"\xc3\xa9\xe4\xb8\xad\xf0\x9f\x98\x80\"");
    QTest::newRow("scalars") << QByteArray(" null ") << QByteArray("null");
    QTest::newRow("true") << QByteArray("true") << QByteArray("true");
    QTest::newRow("keys escaped too") << QByteArray(R"({"<k>":1})") << QByteArray(R"({"\u003ck\u003e":1})");
}

void TestJson::normalize()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    const auto result = json::normalize(input.toStdString());
    QVERIFY2(result.ok(), result.status().message().c_str());
    QCOMPARE(bytes(*result), expected);
    // Normalizing is idempotent.
    const auto again = json::normalize(*result);
    QVERIFY(again.ok());
    QCOMPARE(bytes(*again), expected);
}

void TestJson::normalizeErrors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("what");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("missing comma") << QByteArray(R"({"a":1 "b":2})") << QByteArray("data")
                                   << QByteArray("data: line 1, column 8 (byte 7): missing a comma or '}'");
    QTest::newRow("second line") << QByteArray("{\n  \"a\": tru\n}") << QByteArray()
                                 << QByteArray("line 2, column 11 (byte 12): invalid value");
    QTest::newRow("empty") << QByteArray("") << QByteArray("metadata")
                           << QByteArray("metadata: line 1, column 1 (byte 0): unexpected end of input");
    QTest::newRow("truncated") << QByteArray(R"({"a":[1,2)") << QByteArray()
                               << QByteArray("line 1, column 10 (byte 9): unexpected end of input");
    QTest::newRow("trailing") << QByteArray("{} x") << QByteArray()
                              << QByteArray("line 1, column 4 (byte 3): unexpected text after the value");
    QTest::newRow("two values") << QByteArray("1 2") << QByteArray()
                                << QByteArray("line 1, column 3 (byte 2): unexpected text after the value");
    QTest::newRow("invalid UTF-8") << QByteArray("[\"ab\xff\"]") << QByteArray()
                                   << QByteArray("line 1, column 5 (byte 4): invalid UTF-8 in a string");
    QTest::newRow("raw control char") << QByteArray("\"a\tb\"") << QByteArray()
                                      << QByteArray("line 1, column 3 (byte 2): invalid escape sequence or unescaped control character");
    QTest::newRow("bad escape") << QByteArray(R"("\x")") << QByteArray() << QByteArray("invalid escape");
    QTest::newRow("lone high surrogate") << QByteArray(R"("\ud800x")") << QByteArray() << QByteArray("surrogate");
    QTest::newRow("leading zero") << QByteArray("01") << QByteArray() << QByteArray("line 1, column 2");
    QTest::newRow("NaN") << QByteArray("NaN") << QByteArray() << QByteArray("invalid value");
    QTest::newRow("single quotes") << QByteArray("{'a':1}") << QByteArray() << QByteArray("quoted member name");
    QTest::newRow("comment") << QByteArray("[1 /* x */]") << QByteArray() << QByteArray("missing a comma or ']'");
    QTest::newRow("trailing comma") << QByteArray("[1,]") << QByteArray() << QByteArray("line 1, column 4");
}

void TestJson::normalizeErrors()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, what);
    QFETCH(QByteArray, message);
    const auto result = json::normalize(input.toStdString(), what.toStdString());
    QVERIFY(!result.ok());
    QCOMPARE(result.status().code(), ErrorCode::DecodeError);
    QVERIFY2(bytes(result.status().message()).contains(message), result.status().message().c_str());
}

void TestJson::normalizeDeepNesting()
{
    // At the limit: fine. One deeper: a DecodeError, and 100,000 levels do not overflow.
    const std::string atLimit = std::string(json::kMaxDepth, '[') + std::string(json::kMaxDepth, ']');
    QVERIFY(json::normalize(atLimit).ok());
    const std::string over = std::string(json::kMaxDepth + 1, '[') + std::string(json::kMaxDepth + 1, ']');
    const auto overResult = json::normalize(over);
    QVERIFY(!overResult.ok());
    QVERIFY2(bytes(overResult.status().message()).contains("nesting deeper than 1000 levels"),
             overResult.status().message().c_str());
    QVERIFY(bytes(overResult.status().message()).contains("column 1001"));
    std::string deep;
    for (int i = 0; i < 100000; ++i)
        deep += "{\"a\":";
    const auto deepResult = json::normalize(deep);
    QVERIFY(!deepResult.ok());
    QVERIFY(bytes(deepResult.status().message()).contains("nesting deeper than 1000 levels"));
    QVERIFY(!json::equal(deep, deep));
    QVERIFY(!json::pretty(deep).ok());
}

void TestJson::appendQuoted_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QByteArray>("quoted");
    QTest::newRow("plain") << QByteArray("thing") << QByteArray(R"("thing")");
    QTest::newRow("empty") << QByteArray("") << QByteArray(R"("")");
    QTest::newRow("go escapes") << QByteArray("a\"b\\c\nd\re\tf\bg\fh<i>j&k/")
                                << QByteArray(R"("a\"b\\c\nd\re\tf\u0008g\u000ch\u003ci\u003ej\u0026k/")");
    QTest::newRow("U+2028/9") << QByteArray("\xe2\x80\xa8\xe2\x80\xa9") << QByteArray(R"("\u2028\u2029")");
    QTest::newRow("other non-ASCII raw") << QByteArray("z\xc3\xbcrich \xf0\x9f\x98\x80")
                                         << QByteArray("\"z\xc3\xbcrich \xf0\x9f\x98\x80\"");
    // Go replaces each byte that does not start a valid sequence.
    QTest::newRow("invalid UTF-8") << QByteArray("a\xff" "b\xc3") << QByteArray(R"("a\ufffdb\ufffd")");
    QTest::newRow("overlong") << QByteArray("\xc0\xaf") << QByteArray(R"("\ufffd\ufffd")");
    QTest::newRow("surrogate bytes") << QByteArray("\xed\xa0\x80") << QByteArray(R"("\ufffd\ufffd\ufffd")");
    QTest::newRow("NUL") << QByteArray("a\0b", 3) << QByteArray(R"("a\u0000b")");
    QTest::newRow("DEL raw") << QByteArray("\x7f") << QByteArray("\"\x7f\"");
}

void TestJson::appendQuoted()
{
    QFETCH(QByteArray, raw);
    QFETCH(QByteArray, quoted);
    std::string out = "x";
    json::appendQuoted(out, std::string_view(raw.constData(), static_cast<std::size_t>(raw.size())));
    QCOMPARE(bytes(out), "x" + quoted);
    QCOMPARE(bytes(json::quoted(std::string_view(raw.constData(), static_cast<std::size_t>(raw.size())))), quoted);
}

void TestJson::equal_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");
    QTest::newRow("key order") << QByteArray(R"({"a":1,"b":[1,2]})") << QByteArray(R"({"b":[1,2],"a":1})") << true;
    QTest::newRow("array order") << QByteArray("[1,2]") << QByteArray("[2,1]") << false;
    QTest::newRow("1.50 == 1.5") << QByteArray("1.50") << QByteArray("1.5") << true;
    QTest::newRow("1e3 == 1000") << QByteArray("1e3") << QByteArray("1000") << true;
    QTest::newRow("0.001 == 1e-3") << QByteArray("0.001") << QByteArray("1E-3") << true;
    QTest::newRow("-0 == 0") << QByteArray("-0.0") << QByteArray("0") << true;
    QTest::newRow("uint64 exact") << QByteArray("18446744073709551615") << QByteArray("18446744073709551614") << false;
    QTest::newRow("2^53+1 exact") << QByteArray("9007199254740993") << QByteArray("9007199254740992") << false;
    QTest::newRow("number vs string") << QByteArray("1") << QByteArray(R"("1")") << false;
    QTest::newRow("escapes") << QByteArray(R"("\u0041\/")") << QByteArray(R"("A/")") << true;
    QTest::newRow("whitespace") << QByteArray(" { \"a\" : null } ") << QByteArray(R"({"a":null})") << true;
    QTest::newRow("missing member") << QByteArray(R"({"a":1})") << QByteArray(R"({"a":1,"b":2})") << false;
    QTest::newRow("last duplicate wins") << QByteArray(R"({"a":1,"a":2})") << QByteArray(R"({"a":2})") << true;
    QTest::newRow("nested") << QByteArray(R"({"x":{"q":[{"b":1,"a":2}]}})") << QByteArray(R"({"x":{"q":[{"a":2,"b":1}]}})")
                            << true;
    QTest::newRow("invalid") << QByteArray("{") << QByteArray("{") << false;
    QTest::newRow("empty containers") << QByteArray("[{},[]]") << QByteArray("[{},[]]") << true;
    QTest::newRow("object vs array") << QByteArray("{}") << QByteArray("[]") << false;
}

void TestJson::equal()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    QCOMPARE(json::equal(a.toStdString(), b.toStdString()), equal);
    QCOMPARE(json::equal(b.toStdString(), a.toStdString()), equal);
}

void TestJson::pretty_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("indent");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("object") << QByteArray(R"({"b":[1,2.50,{}],"a":{"c":null,"d":[]}})") << 2
                            << QByteArray("{\n  \"b\": [\n    1,\n    2.50,\n    {}\n  ],\n  \"a\": {\n    \"c\": null,\n"
                                          "    \"d\": []\n  }\n}");
    QTest::newRow("scalar") << QByteArray(" \"<x>\" ") << 4 << QByteArray(R"("\u003cx\u003e")");
    QTest::newRow("indent 0 is compact") << QByteArray("[ 1, 2 ]") << 0 << QByteArray("[1,2]");
}

void TestJson::pretty()
{
    QFETCH(QByteArray, input);
    QFETCH(int, indent);
    QFETCH(QByteArray, expected);
    const auto result = json::pretty(input.toStdString(), indent);
    QVERIFY2(result.ok(), result.status().message().c_str());
    QCOMPARE(bytes(*result), expected);
    QVERIFY(json::equal(*result, input.toStdString()));
    QVERIFY(!json::pretty("[1,").ok());
}

void TestJson::positionOf_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::newRow("start") << QByteArray("abc") << 0 << 1 << 1;
    QTest::newRow("first line") << QByteArray("abc") << 2 << 1 << 3;
    QTest::newRow("end") << QByteArray("abc") << 3 << 1 << 4;
    QTest::newRow("second line") << QByteArray("ab\ncd") << 4 << 2 << 2;
    QTest::newRow("at newline") << QByteArray("ab\ncd") << 2 << 1 << 3;
    QTest::newRow("after newline") << QByteArray("ab\n\ncd") << 4 << 3 << 1;
    QTest::newRow("bytes not chars") << QByteArray("\xc3\xa9x") << 2 << 1 << 3;
    QTest::newRow("clamped") << QByteArray("a\nb") << 99 << 2 << 2;
}

void TestJson::positionOf()
{
    QFETCH(QByteArray, text);
    QFETCH(int, offset);
    QFETCH(int, line);
    QFETCH(int, column);
    const json::TextPosition pos = json::positionOf(text.toStdString(), static_cast<std::size_t>(offset));
    QCOMPARE(pos.line, line);
    QCOMPARE(pos.column, column);
}

QTEST_GUILESS_MAIN(TestJson)
#include "tst_json.moc"
