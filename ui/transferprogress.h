#pragma once

#include "rangedb/transfer.h"

#include <QElapsedTimer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace rangedb::ui {

// The progress of an export or import, shown inside the export and import dialogs while
// the work runs on a worker: a bar, records, bytes, rate, time left, and Cancel.
//
// The bar follows bytes when the total is known (an import reads a file of known size, in
// two passes: checking, then writing; a dry run is the first pass alone), else records against an expected count (an export
// of a scope whose size the tree or table knows); with neither it is a busy bar.
// GUI thread only.
class TransferProgressPanel : public QWidget
{
    Q_OBJECT

public:
    enum class Kind { Export, Import, DryRun };

    explicit TransferProgressPanel(QWidget *parent = nullptr);

    // Shows the panel, resets the clock and the figures. `expectedRecords` 0: unknown.
    void start(Kind kind, quint64 expectedRecords = 0);
    // The latest figures from the worker.
    void setProgress(const TransferProgress &progress);
    // Hides the bar and Cancel; the panel keeps the last line.
    void stop();
    bool isRunning() const { return m_running; }

    // The figures line: "12,345 records · 3.4 MB · 25,000 records/s · about 12 s left".
    // The rate counts this pass's records over `passMs`; the time left extrapolates
    // `totalMs` by `fraction` of the work done (< 0: unknown).
    static QString describe(Kind kind, const TransferProgress &progress, qint64 passMs, qint64 totalMs,
                            double fraction);
    static QString formatBytes(quint64 bytes);
    static QString formatDuration(qint64 seconds);
    // The share of the work done, 0..1, or -1 when it cannot be known.
    static double fractionDone(Kind kind, const TransferProgress &progress, quint64 expectedRecords);

    QLabel *figuresLabel() const { return m_figures; }
    QPushButton *cancelButton() const { return m_cancel; }

Q_SIGNALS:
    void cancelRequested();

private:
    Kind m_kind = Kind::Export;
    quint64 m_expected = 0;
    bool m_running = false;
    int m_pass = 1;
    QElapsedTimer m_clock;
    QElapsedTimer m_passClock;
    QLabel *m_phase;
    QProgressBar *m_bar;
    QLabel *m_figures;
    QPushButton *m_cancel;
};

} // namespace rangedb::ui
