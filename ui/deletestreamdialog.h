#pragma once

#include "rangedb/record.h"

#include <QDialog>

#include <vector>

class QLabel;
class QLineEdit;
class QPushButton;

namespace rangedb::ui {

class ConflictView;

// Asks the user to confirm deleting one stream: names the stream and its event count,
// and enables Delete only once the stream name is typed exactly.
//
// It writes nothing (house style 5): Delete emits deleteRequested(expected count), and the
// owner deletes with that count as the expected number. On a conflict the owner calls
// showConflict() with what the stream holds now; the dialog then lists the events appended
// meanwhile and asks again with the new count. On success the owner calls accept().
class DeleteStreamDialog : public QDialog
{
    Q_OBJECT

public:
    DeleteStreamDialog(const QString &stream, quint64 eventCount, QWidget *parent = nullptr);

    QString stream() const { return m_stream; }
    // The count the user confirmed: the expected number of the delete.
    quint64 expectedCount() const { return m_count; }
    QLineEdit *confirmEdit() const { return m_confirm; }
    QPushButton *deleteButton() const { return m_delete; }
    ConflictView *conflictView() const { return m_conflict; }

    // The delete was refused: the stream holds `actual` events now; `intruders` are the ones
    // after the confirmed count. The user confirms again for the new count.
    void showConflict(quint64 actual, std::vector<Record> intruders);
    // Another failure: shown in the dialog; the user may retry or cancel.
    void showError(const QString &message);
    // While the owner works: the buttons are disabled.
    void setBusy(bool busy);

Q_SIGNALS:
    void deleteRequested(quint64 expectedCount);

private:
    void updateText();
    void updateButton();

    QString m_stream;
    quint64 m_count;
    bool m_busy = false;
    QLabel *m_question;
    QLineEdit *m_confirm;
    QLabel *m_error;
    ConflictView *m_conflict;
    QPushButton *m_delete;
};

} // namespace rangedb::ui
