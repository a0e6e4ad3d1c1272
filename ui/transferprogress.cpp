#include "transferprogress.h"

#include <QGridLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>

#include <cmath>

namespace rangedb::ui {

TransferProgressPanel::TransferProgressPanel(QWidget *parent)
    : QWidget(parent),
      m_phase(new QLabel(this)),
      m_bar(new QProgressBar(this)),
      m_figures(new QLabel(this)),
      m_cancel(new QPushButton(tr("Cancel"), this))
{
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_phase->setObjectName(QStringLiteral("transferPhase"));
    m_figures->setObjectName(QStringLiteral("transferFigures"));
    m_figures->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_cancel->setObjectName(QStringLiteral("transferCancel"));
    m_bar->setRange(0, 1000);
    m_bar->setTextVisible(false);
    layout->addWidget(m_phase, 0, 0, 1, 2);
    layout->addWidget(m_bar, 1, 0);
    layout->addWidget(m_cancel, 1, 1);
    layout->addWidget(m_figures, 2, 0, 1, 2);
    layout->setColumnStretch(0, 1);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_cancel->setEnabled(false);
        m_phase->setText(tr("Cancelling…"));
        Q_EMIT cancelRequested();
    });
    hide();
}

void TransferProgressPanel::start(Kind kind, quint64 expectedRecords)
{
    m_kind = kind;
    m_expected = expectedRecords;
    m_running = true;
    m_pass = 1;
    m_clock.start();
    m_passClock.start();
    m_phase->setText(kind == Kind::Export   ? tr("Exporting…")
                     : kind == Kind::DryRun ? tr("Dry run: reading the whole file…")
                                            : tr("Checking the file (pass 1 of 2)…"));
    m_figures->setText(describe(kind, {}, 0, 0, -1));
    m_bar->setRange(0, expectedRecords > 0 || kind != Kind::Export ? 1000 : 0);
    m_bar->setValue(0);
    m_bar->show();
    m_cancel->setEnabled(true);
    m_cancel->show();
    show();
}

void TransferProgressPanel::setProgress(const TransferProgress &progress)
{
    if (!m_running)
        return;
    if (progress.pass != m_pass) {
        m_pass = progress.pass;
        m_passClock.start();
    }
    const double fraction = fractionDone(m_kind, progress, m_expected);
    if (fraction >= 0) {
        m_bar->setRange(0, 1000);
        m_bar->setValue(int(std::lround(fraction * 1000)));
    }
    if (m_kind == Kind::Import && m_cancel->isEnabled())
        m_phase->setText(progress.pass == 1 ? tr("Checking the file (pass 1 of 2)…") : tr("Writing (pass 2 of 2)…"));
    m_figures->setText(describe(m_kind, progress, m_passClock.elapsed(), m_clock.elapsed(), fraction));
}

void TransferProgressPanel::stop()
{
    m_running = false;
    m_bar->hide();
    m_cancel->hide();
    m_phase->clear();
}

double TransferProgressPanel::fractionDone(Kind kind, const TransferProgress &progress, quint64 expectedRecords)
{
    if (kind == Kind::DryRun)
        return progress.totalBytes == 0 ? -1 : std::min(1.0, double(progress.bytes) / double(progress.totalBytes));
    if (kind == Kind::Import) {
        if (progress.totalBytes == 0)
            return -1;
        // Two passes over the same bytes: checking is the first half, writing the second.
        const double inPass = std::min(1.0, double(progress.bytes) / double(progress.totalBytes));
        return (std::clamp(progress.pass, 1, 2) - 1 + inPass) / 2.0;
    }
    if (expectedRecords == 0)
        return -1;
    return std::min(1.0, double(progress.records) / double(expectedRecords));
}

QString TransferProgressPanel::formatBytes(quint64 bytes)
{
    return QLocale().formattedDataSize(qint64(bytes), 1, QLocale::DataSizeSIFormat);
}

QString TransferProgressPanel::formatDuration(qint64 seconds)
{
    if (seconds < 60)
        return tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return tr("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
}

QString TransferProgressPanel::describe(Kind kind, const TransferProgress &progress, qint64 passMs, qint64 totalMs,
                                        double fraction)
{
    const QLocale locale;
    QStringList parts;
    parts << (progress.records == 1 ? tr("1 record") : tr("%1 records").arg(locale.toString(progress.records)));
    if (kind != Kind::Export && progress.totalBytes > 0)
        parts << tr("%1 of %2").arg(formatBytes(progress.bytes), formatBytes(progress.totalBytes));
    else
        parts << formatBytes(progress.bytes);
    // Rates and estimates only once there is something to go on.
    if (passMs >= 200 && progress.records > 0)
        parts << tr("%1 records/s").arg(locale.toString(qint64(double(progress.records) * 1000.0 / double(passMs))));
    if (totalMs >= 200 && fraction > 0.0 && fraction < 1.0) {
        const double seconds = double(totalMs) / 1000.0;
        const auto left = qint64(std::ceil(seconds * (1.0 - fraction) / fraction));
        parts << tr("about %1 left").arg(formatDuration(left));
    }
    return parts.join(QStringLiteral(" · "));
}

} // namespace rangedb::ui
