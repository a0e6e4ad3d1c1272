#include "deletestreamdialog.h"

#include "conflictview.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace rangedb::ui {

DeleteStreamDialog::DeleteStreamDialog(const QString &stream, quint64 eventCount, QWidget *parent)
    : QDialog(parent),
      m_stream(stream),
      m_count(eventCount),
      m_question(new QLabel(this)),
      m_confirm(new QLineEdit(this)),
      m_error(new QLabel(this)),
      m_conflict(new ConflictView(this))
{
    setObjectName(QStringLiteral("deleteStreamDialog"));
    setWindowTitle(tr("Delete Stream"));
    auto *layout = new QVBoxLayout(this);
    m_question->setObjectName(QStringLiteral("deleteQuestion"));
    m_question->setWordWrap(true);
    m_question->setTextFormat(Qt::RichText);
    m_confirm->setObjectName(QStringLiteral("confirmStreamName"));
    m_confirm->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_confirm->setPlaceholderText(stream);
    m_confirm->setMinimumWidth(380);
    m_error->setObjectName(QStringLiteral("deleteError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c02020"));
    m_error->hide();
    m_conflict->hide();

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_delete = buttons->addButton(tr("Delete Stream"), QDialogButtonBox::DestructiveRole);
    m_delete->setObjectName(QStringLiteral("deleteButton"));
    m_delete->setAutoDefault(false);
    m_delete->setDefault(false);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_delete, &QPushButton::clicked, this, [this] {
        if (m_delete->isEnabled())
            Q_EMIT deleteRequested(m_count);
    });
    connect(m_confirm, &QLineEdit::textChanged, this, &DeleteStreamDialog::updateButton);

    layout->addWidget(m_question);
    layout->addWidget(m_confirm);
    layout->addWidget(m_error);
    layout->addWidget(m_conflict, 1);
    layout->addWidget(buttons);
    updateText();
    updateButton();
}

void DeleteStreamDialog::updateText()
{
    const QLocale locale;
    m_question->setText(tr("<p>Delete the stream <b>%1</b> and its <b>%2</b>?</p>"
                           "<p>This cannot be undone. The global sequence numbers of its events are not "
                           "reused.</p><p>Type the stream name to confirm:</p>")
                            .arg(m_stream.toHtmlEscaped(),
                                 m_count == 1 ? tr("1 event") : tr("%1 events").arg(locale.toString(m_count))));
    m_delete->setText(m_count == 1 ? tr("Delete 1 Event") : tr("Delete %1 Events").arg(locale.toString(m_count)));
}

void DeleteStreamDialog::updateButton()
{
    m_delete->setEnabled(!m_busy && m_count > 0 && m_confirm->text() == m_stream);
}

void DeleteStreamDialog::showConflict(quint64 actual, std::vector<Record> intruders)
{
    m_conflict->setConflict(tr("Deleting"), m_stream, m_count, actual, std::move(intruders));
    m_conflict->show();
    m_count = actual;
    // The user confirmed a different stream content: ask again.
    m_confirm->clear();
    m_error->hide();
    setBusy(false);
    updateText();
    adjustSize();
}

void DeleteStreamDialog::showError(const QString &message)
{
    m_error->setText(message);
    m_error->show();
    setBusy(false);
}

void DeleteStreamDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_confirm->setReadOnly(busy);
    updateButton();
}

} // namespace rangedb::ui
