#include "ratemeter.h"

#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace rangedb::ui {

RateMeter::RateMeter(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("rateMeter"));
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &RateMeter::tick);
    m_timer.start();
    setToolTip(tr("Events per second arriving in this pane, over the last minute"));
}

void RateMeter::tick()
{
    m_history.push_back(m_current);
    m_current = 0;
    while (m_history.size() > std::size_t(kSeconds))
        m_history.pop_front();
    update();
}

void RateMeter::reset()
{
    m_current = 0;
    m_history.clear();
    update();
}

QSize RateMeter::sizeHint() const
{
    const QFontMetrics metrics(font());
    return {metrics.horizontalAdvance(QStringLiteral("000,000/s")) + 8 + kSeconds * 2 + 4,
            std::max(22, metrics.height() + 6)};
}

QSize RateMeter::minimumSizeHint() const
{
    return sizeHint();
}

void RateMeter::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics metrics(font());
    const int textWidth = metrics.horizontalAdvance(QStringLiteral("000,000/s"));
    const QString text = QLocale().toString(eventsPerSecond()) + QStringLiteral("/s");
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(0, 0, textWidth, height()), Qt::AlignRight | Qt::AlignVCenter, text);

    // The sparkline: one point per second, the newest at the right edge, scaled to the
    // minute's peak so that a quiet minute still shows its shape.
    const QRectF area(textWidth + 8, 3, width() - textWidth - 10, height() - 6);
    // A framed well, so that the minute's extent shows before it has filled.
    painter.setPen(QPen(palette().color(QPalette::Mid), 1));
    painter.setBrush(palette().color(QPalette::Base));
    painter.drawRoundedRect(area.adjusted(-1, -1, 1, 1), 2, 2);
    painter.setBrush(Qt::NoBrush);
    if (m_history.empty())
        return;
    const quint64 peak = std::max<quint64>(1, *std::max_element(m_history.begin(), m_history.end()));
    const double step = area.width() / double(kSeconds - 1);
    QPainterPath line;
    const std::size_t n = m_history.size();
    for (std::size_t i = 0; i < n; ++i) {
        const double x = area.right() - double(n - 1 - i) * step;
        const double y = area.bottom() - area.height() * double(m_history[i]) / double(peak);
        if (i == 0)
            line.moveTo(x, y);
        else
            line.lineTo(x, y);
    }
    QPainterPath fill = line;
    fill.lineTo(area.right(), area.bottom());
    fill.lineTo(area.right() - double(n - 1) * step, area.bottom());
    fill.closeSubpath();
    QColor accent = palette().color(QPalette::Highlight);
    QColor shade = accent;
    shade.setAlpha(60);
    painter.fillPath(fill, shade);
    painter.setPen(QPen(accent, 1.5));
    painter.drawPath(line);
}

} // namespace rangedb::ui
