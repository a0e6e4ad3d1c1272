#pragma once

#include <QPalette>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace rangedb::ui {

// Colours JSON text: member names, strings, numbers, true/false/null and punctuation.
//
// Works line by line, which is exact for JSON written by json::pretty (strings never span
// lines there) and harmless for anything else. Two colour sets, one for light and one for
// dark palettes; setPalette() picks by the window colour's lightness and rehighlights.
// GUI thread; the highlighter belongs to (and is a child of) its document.
class JsonHighlighter : public QSyntaxHighlighter
{
    Q_OBJECT

public:
    enum Token { Key, String, Number, Keyword, Punctuation, TokenCount };

    explicit JsonHighlighter(QTextDocument *document);

    void setPalette(const QPalette &palette);
    bool isDark() const { return m_dark; }
    QTextCharFormat format(Token token) const { return m_formats[token]; }

    // True when the palette's base (text background) colour is dark.
    static bool isDarkPalette(const QPalette &palette);

protected:
    void highlightBlock(const QString &text) override;

private:
    QTextCharFormat m_formats[TokenCount];
    bool m_dark = false;
};

} // namespace rangedb::ui
