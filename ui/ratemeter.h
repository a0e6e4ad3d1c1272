#pragma once

#include <QTimer>
#include <QWidget>

#include <deque>

namespace rangedb::ui {

// Events per second with a sparkline of the last minute, painted by hand. Feed it with
// addEvents() as events arrive; every second it closes the current second's count and
// repaints. GUI thread only.
class RateMeter : public QWidget
{
    Q_OBJECT

public:
    static constexpr int kSeconds = 60;

    explicit RateMeter(QWidget *parent = nullptr);

    void addEvents(quint64 count) { m_current += count; }
    // Closes the current second (the one-second timer calls it; tests call it directly).
    void tick();
    // Forgets the history.
    void reset();
    // The count of the last closed second.
    quint64 eventsPerSecond() const { return m_history.empty() ? 0 : m_history.back(); }
    // Closed seconds, oldest first, at most kSeconds.
    const std::deque<quint64> &history() const { return m_history; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QTimer m_timer;
    quint64 m_current = 0;
    std::deque<quint64> m_history;
};

} // namespace rangedb::ui
