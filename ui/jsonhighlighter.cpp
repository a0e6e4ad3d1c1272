#include "jsonhighlighter.h"

#include <QGuiApplication>

namespace rangedb::ui {

JsonHighlighter::JsonHighlighter(QTextDocument *document) : QSyntaxHighlighter(document)
{
    setPalette(QGuiApplication::palette());
}

bool JsonHighlighter::isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

void JsonHighlighter::setPalette(const QPalette &palette)
{
    m_dark = isDarkPalette(palette);
    // Hues that read well on white and on near-black: darker, saturated ones for light
    // backgrounds, lighter ones for dark backgrounds (both keep WCAG AA contrast against
    // the usual Base colours).
    struct Pair
    {
        QColor light;
        QColor dark;
        bool bold;
    };
    const Pair pairs[TokenCount] = {
        {QColor(0x00, 0x4f, 0x9e), QColor(0x8c, 0xc4, 0xff), false}, // Key: blue
        {QColor(0x0a, 0x6e, 0x1f), QColor(0x9c, 0xdc, 0x8a), false}, // String: green
        {QColor(0xa3, 0x3d, 0x00), QColor(0xf7, 0xb0, 0x6e), false}, // Number: orange
        {QColor(0x8a, 0x1f, 0x8f), QColor(0xe0, 0x9c, 0xf0), true},  // Keyword: purple
        {QColor(0x5f, 0x63, 0x68), QColor(0xa0, 0xa6, 0xad), false}, // Punctuation: grey
    };
    for (int t = 0; t < TokenCount; ++t) {
        QTextCharFormat format;
        format.setForeground(m_dark ? pairs[t].dark : pairs[t].light);
        if (pairs[t].bold)
            format.setFontWeight(QFont::DemiBold);
        m_formats[t] = format;
    }
    rehighlight();
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    const qsizetype n = text.size();
    qsizetype i = 0;
    while (i < n) {
        const QChar c = text[i];
        if (c == QLatin1Char('"')) {
            qsizetype end = i + 1;
            while (end < n && text[end] != QLatin1Char('"'))
                end += text[end] == QLatin1Char('\\') ? 2 : 1;
            end = std::min(end + 1, n);
            // A string followed by ':' is a member name.
            qsizetype next = end;
            while (next < n && text[next].isSpace())
                ++next;
            const bool isKey = next < n && text[next] == QLatin1Char(':');
            setFormat(static_cast<int>(i), static_cast<int>(end - i), m_formats[isKey ? Key : String]);
            i = end;
        } else if (c == QLatin1Char('-') || c.isDigit()) {
            qsizetype end = i + 1;
            while (end < n
                   && (text[end].isDigit() || text[end] == QLatin1Char('.') || text[end] == QLatin1Char('e')
                       || text[end] == QLatin1Char('E') || text[end] == QLatin1Char('+') || text[end] == QLatin1Char('-')))
                ++end;
            setFormat(static_cast<int>(i), static_cast<int>(end - i), m_formats[Number]);
            i = end;
        } else if (c.isLetter()) {
            qsizetype end = i + 1;
            while (end < n && text[end].isLetter())
                ++end;
            const QStringView word = QStringView(text).mid(i, end - i);
            if (word == u"true" || word == u"false" || word == u"null")
                setFormat(static_cast<int>(i), static_cast<int>(end - i), m_formats[Keyword]);
            i = end;
        } else if (c == QLatin1Char('{') || c == QLatin1Char('}') || c == QLatin1Char('[') || c == QLatin1Char(']')
                   || c == QLatin1Char(':') || c == QLatin1Char(',')) {
            setFormat(static_cast<int>(i), 1, m_formats[Punctuation]);
            ++i;
        } else {
            ++i;
        }
    }
}

} // namespace rangedb::ui
