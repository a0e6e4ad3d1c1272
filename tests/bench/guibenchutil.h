#pragma once

// Helpers of the benchmarks that drive the window (bench_workbench, bench_live): the
// process's memory, spinning the event loop until something happened, percentiles, and a
// probe of how long the GUI thread stalls. Header only; benchmarks only.

#include "benchutil.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QTimer>

#include <algorithm>
#include <cstring>
#include <functional>
#include <vector>

namespace rangedb::bench {

// VmRSS / VmHWM of this process in MiB.
inline double procStatusMiB(const char *field)
{
    QFile file(QStringLiteral("/proc/self/status"));
    if (!file.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(qsizetype(std::strlen(field))).trimmed().split(' ').front().toDouble() / 1024.0;
    }
    return 0;
}

// Spins the event loop until `done` or the timeout; false on timeout.
inline bool spinUntil(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
    }
    return true;
}

inline double percentile(std::vector<double> values, double p)
{
    require(!values.empty(), "percentile of no values");
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, std::size_t(p * double(values.size() - 1) + 0.5))];
}

// Measures how late a 1 ms timer fires: the time the GUI thread was busy elsewhere.
class LatencyProbe : public QObject
{
public:
    LatencyProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last >= 0)
                m_gaps.push_back(double(now - m_last) / 1e6);
            m_last = now;
        });
    }
    void start()
    {
        m_gaps.clear();
        m_last = -1;
        m_clock.start();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    const std::vector<double> &gaps() const { return m_gaps; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = -1;
    std::vector<double> m_gaps;
};

} // namespace rangedb::bench
