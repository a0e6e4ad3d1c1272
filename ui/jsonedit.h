#pragma once

#include <QString>
#include <QWidget>

#include <string>

class QLabel;
class QPlainTextEdit;
class QToolButton;

namespace rangedb::ui {

class JsonHighlighter;

// A JSON text editor for event data and metadata: highlighting, validation as you type
// (the first error with its line and column, underlined in the text), and a Format button.
//
// The text is never parsed into QJsonDocument: validation and formatting use rangedb::json
// (number literals and key order kept), so what the user types is what the store keeps.
// Empty text stands for JSON null. GUI thread only.
class JsonEdit : public QWidget
{
    Q_OBJECT

public:
    explicit JsonEdit(const QString &objectName, QWidget *parent = nullptr);

    QString text() const;
    // Replaces the text (undoable) and validates it at once.
    void setText(const QString &text);
    // The text as UTF-8 for EventRecord: "null" when empty.
    std::string value() const;

    bool isValid() const { return m_error.isEmpty(); }
    // "line 2, column 5 (byte 14): missing a comma or '}'", empty when valid.
    QString errorText() const { return m_error; }

    // Pretty-prints the text (2 spaces), keeping number literals; does nothing when invalid.
    void format();

    QPlainTextEdit *editor() const { return m_edit; }

Q_SIGNALS:
    // The text changed (validity may have changed with it).
    void edited();

protected:
    void changeEvent(QEvent *event) override;

private:
    void validate();

    QPlainTextEdit *m_edit;
    JsonHighlighter *m_highlighter;
    QLabel *m_status;
    QToolButton *m_format;
    QString m_error;
};

} // namespace rangedb::ui
