#pragma once

#include "rangedb/record.h"

#include <QWidget>

#include <vector>

class QDialogButtonBox;
class QLabel;
class QTableView;

namespace rangedb::ui {

class ConflictRecordsModel;

// Explains an optimistic-concurrency conflict on one stream: what the user expected, what
// the stream holds now, and the events appended since the expected number (the ones that
// "intruded"). The owner fetches those on a worker (Store::eventsByStream(expected + 1))
// and adds its own buttons (re-base, discard, ...) to buttons(). GUI thread only.
class ConflictView : public QWidget
{
    Q_OBJECT

public:
    // At most this many intruding events are listed; the headline gives the full count.
    static constexpr std::size_t kMaxListed = 1000;

    explicit ConflictView(QWidget *parent = nullptr);

    // `action` says what was refused ("Saving 3 events", "Deleting"). `intruders` are the
    // events after `expected` (at most kMaxListed of them).
    void setConflict(const QString &action, const QString &stream, quint64 expected, quint64 actual,
                     std::vector<Record> intruders);
    // The headline, e.g. "account!1 has 7 events; you expected 4. 3 events were appended since:".
    QString headline() const;
    quint64 expected() const { return m_expected; }
    quint64 actual() const { return m_actual; }
    const std::vector<Record> &intruders() const;
    QTableView *view() const { return m_view; }
    QDialogButtonBox *buttons() const { return m_buttons; }

private:
    QLabel *m_headline;
    QTableView *m_view;
    ConflictRecordsModel *m_model;
    QDialogButtonBox *m_buttons;
    quint64 m_expected = 0;
    quint64 m_actual = 0;
};

} // namespace rangedb::ui
