#include "jsonedit.h"

#include "jsonhighlighter.h"

#include "rangedb/json.h"

#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QTextBlock>
#include <QToolButton>
#include <QVBoxLayout>

namespace rangedb::ui {

JsonEdit::JsonEdit(const QString &objectName, QWidget *parent)
    : QWidget(parent),
      m_edit(new QPlainTextEdit(this)),
      m_highlighter(new JsonHighlighter(m_edit->document())),
      m_status(new QLabel(this)),
      m_format(new QToolButton(this))
{
    setObjectName(objectName);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    m_edit->setObjectName(objectName + QStringLiteral("Text"));
    m_edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_edit->setPlaceholderText(tr("null"));
    m_edit->setTabChangesFocus(true);
    m_edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    layout->addWidget(m_edit, 1);

    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    m_status->setObjectName(objectName + QStringLiteral("Status"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_format->setObjectName(objectName + QStringLiteral("Format"));
    m_format->setText(tr("Format"));
    m_format->setToolTip(tr("Indent the JSON (numbers and key order stay as typed)"));
    row->addWidget(m_status, 1);
    row->addWidget(m_format, 0, Qt::AlignTop);
    layout->addLayout(row);

    connect(m_format, &QToolButton::clicked, this, &JsonEdit::format);
    connect(m_edit, &QPlainTextEdit::textChanged, this, [this] {
        validate();
        Q_EMIT edited();
    });
    validate();
}

QString JsonEdit::text() const
{
    return m_edit->toPlainText();
}

void JsonEdit::setText(const QString &text)
{
    // Through the cursor, so that Ctrl+Z brings the previous text back.
    QTextCursor cursor(m_edit->document());
    cursor.select(QTextCursor::Document);
    cursor.insertText(text);
    m_edit->moveCursor(QTextCursor::Start);
    validate();
}

std::string JsonEdit::value() const
{
    const QString current = text();
    if (current.trimmed().isEmpty())
        return "null";
    return current.toStdString();
}

void JsonEdit::format()
{
    const std::string current = value();
    auto pretty = json::pretty(current, 2);
    if (!pretty.ok())
        return;
    setText(QString::fromStdString(pretty.value()));
}

void JsonEdit::validate()
{
    const QString current = text();
    QList<QTextEdit::ExtraSelection> marks;
    if (current.trimmed().isEmpty()) {
        m_error.clear();
        m_status->setText(tr("Empty: stored as null"));
    } else {
        const QByteArray utf8 = current.toUtf8();
        auto normalized = json::normalize(std::string_view(utf8.constData(), std::size_t(utf8.size())));
        if (normalized.ok()) {
            m_error.clear();
            m_status->setText(tr("Valid JSON (%1 bytes stored)").arg(normalized.value().size()));
        } else {
            m_error = QString::fromStdString(normalized.status().message());
            m_status->setText(m_error);
            // Underline where the parser stopped (the message names the byte offset).
            static const QRegularExpression byte(QStringLiteral("\\(byte (\\d+)\\)"));
            const auto match = byte.match(m_error);
            if (match.hasMatch()) {
                const qsizetype offset = std::min<qsizetype>(match.captured(1).toLongLong(), utf8.size());
                const int position = int(QString::fromUtf8(utf8.left(offset)).size());
                QTextEdit::ExtraSelection mark;
                mark.cursor = QTextCursor(m_edit->document());
                mark.cursor.setPosition(std::min(position, int(current.size())));
                if (position < current.size())
                    mark.cursor.movePosition(QTextCursor::NextCharacter, QTextCursor::KeepAnchor);
                else
                    mark.cursor.movePosition(QTextCursor::PreviousCharacter, QTextCursor::KeepAnchor);
                mark.format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
                mark.format.setUnderlineColor(QColor(0xc0, 0x20, 0x20));
                mark.format.setBackground(QColor(0xc0, 0x20, 0x20, 60));
                marks.append(mark);
            }
        }
    }
    m_edit->setExtraSelections(marks);
    m_format->setEnabled(isValid() && !current.trimmed().isEmpty());
    m_status->setStyleSheet(isValid() ? QString() : QStringLiteral("color: #c02020"));
    if (isValid())
        m_status->setForegroundRole(QPalette::PlaceholderText);
}

void JsonEdit::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange) {
        m_highlighter->setPalette(palette());
    }
    QWidget::changeEvent(event);
}

} // namespace rangedb::ui
