#pragma once

#include "livemodel.h"
#include "storeservice.h"

#include <QDockWidget>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableView;
class QToolButton;

namespace rangedb::ui {

class RateMeter;

// What a Live pane follows: all events or some aggregate types, from now, from the
// beginning, or from a global sequence number (catch-up, then live).
struct LiveOptions
{
    enum class Start { Now, Beginning, FromGlobalSequence };
    std::vector<std::string> aggregateTypes; // empty: all events
    Start start = Start::Now;
    quint64 from = 0; // Start::FromGlobalSequence
};

// A "Live" dock: follows a subscription and shows what arrives, newest at the bottom.
//
// The subscription runs through StoreService::subscribe (created, started and stopped on
// workers); its callbacks only fill a LiveQueue, which a timer drains at most once a frame
// into the LiveModel as one batch. Pause, clear, row limit, event-type and text filters,
// auto-scroll (off when the user scrolls up, on again at the bottom) and a rate meter.
// Several may be open at once. GUI thread only.
class LiveDock : public QDockWidget
{
    Q_OBJECT

public:
    // How often arrived events are applied: about once a frame.
    static constexpr int kDrainIntervalMs = 16;

    explicit LiveDock(StoreService *service, QWidget *parent = nullptr);
    ~LiveDock() override;

    // Starts following (clearing the rows); stops what was followed before. Shows the
    // options in the pane's controls.
    void follow(const LiveOptions &options);
    // Starts following what the controls say; false (with the reason in the pane) when they
    // are invalid.
    bool followFromControls();
    void stop();
    bool isFollowing() const { return m_subscription != 0; }
    // The subscription is running (its start succeeded).
    bool isLive() const { return m_live; }
    const LiveOptions &options() const { return m_options; }

    void setPaused(bool paused);
    bool isPaused() const { return m_model->isPaused(); }
    bool isAutoScroll() const { return m_autoScroll; }
    void setUtc(bool utc) { m_model->setUtc(utc); }
    // Applies arrived events now (the timer does it every kDrainIntervalMs).
    void drain();

    LiveModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    RateMeter *rateMeter() const { return m_rate; }
    QLineEdit *filterEdit() const { return m_filterEdit; }
    QString statusText() const;

Q_SIGNALS:
    // The selection moved to a record (null for none or a marker row).
    void currentRecordChanged(const rangedb::ui::RecordRow *row);
    // "Append Like This…" on a row: the window opens the event editor with it.
    void appendLikeRequested(const rangedb::Record &record);
    void followStarted();
    void followFailed(const QString &message);

private:
    void buildUi();
    void showOptions(const LiveOptions &options);
    void onStarted(const Status &status);
    void onRowsInserted();
    void onScrolled(int value);
    void applyFilter();
    void updateStatus();
    void showContextMenu(const QPoint &position);

    // Guarded: in a window the service may be destroyed before its docks (it releases
    // every subscription then).
    QPointer<StoreService> m_service;
    LiveModel *m_model;
    std::shared_ptr<LiveQueue> m_queue;
    quint64 m_subscription = 0;
    bool m_live = false;
    bool m_resumeOnOpen = false;
    LiveOptions m_options;
    quint64 m_lastReceived = 0;
    QTimer m_drainTimer;
    QString m_error;

    bool m_autoScroll = true;
    bool m_scrolling = false; // the scroll bar moves because of us, not the user

    QLineEdit *m_typesEdit = nullptr;
    QComboBox *m_startCombo = nullptr;
    QLineEdit *m_fromEdit = nullptr;
    QToolButton *m_followButton = nullptr;
    QToolButton *m_pauseButton = nullptr;
    QToolButton *m_clearButton = nullptr;
    QSpinBox *m_maxRows = nullptr;
    QComboBox *m_eventTypeCombo = nullptr;
    QLineEdit *m_filterEdit = nullptr;
    RateMeter *m_rate = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace rangedb::ui
