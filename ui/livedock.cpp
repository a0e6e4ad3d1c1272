#include "livedock.h"

#include "ratemeter.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMetaMethod>
#include <QRegularExpression>
#include <QScrollBar>
#include <QSpinBox>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace rangedb::ui {

namespace {

QToolButton *toolButton(QWidget *parent, const QString &text, const QString &objectName, bool checkable = false)
{
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setObjectName(objectName);
    button->setCheckable(checkable);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setAutoRaise(true);
    return button;
}

std::vector<std::string> parseTypes(const QString &text)
{
    std::vector<std::string> types;
    for (const QString &part : text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts))
        types.push_back(part.toStdString());
    return types;
}

} // namespace

LiveDock::LiveDock(StoreService *service, QWidget *parent)
    : QDockWidget(tr("Live"), parent), m_service(service), m_model(new LiveModel(this))
{
    buildUi();
    m_drainTimer.setInterval(kDrainIntervalMs);
    connect(&m_drainTimer, &QTimer::timeout, this, &LiveDock::drain);

    connect(m_service, &StoreService::closed, this, [this] {
        // The service stopped the subscription with the store; the rows stay to be read.
        m_resumeOnOpen = isFollowing();
        m_subscription = 0;
        m_live = false;
        m_drainTimer.stop();
        m_followButton->setChecked(false);
        updateStatus();
    });
    connect(m_service, &StoreService::opened, this, [this] {
        if (std::exchange(m_resumeOnOpen, false))
            follow(m_options);
        updateStatus();
    });
    updateStatus();
}

LiveDock::~LiveDock()
{
    if (m_subscription && m_service)
        m_service->unsubscribe(m_subscription);
}

void LiveDock::buildUi()
{
    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);

    // What to follow.
    auto *source = new QHBoxLayout;
    m_typesEdit = new QLineEdit(content);
    m_typesEdit->setObjectName(QStringLiteral("liveTypes"));
    m_typesEdit->setPlaceholderText(tr("All events — or aggregate types: account, order"));
    m_typesEdit->setClearButtonEnabled(true);
    m_startCombo = new QComboBox(content);
    m_startCombo->setObjectName(QStringLiteral("liveStart"));
    m_startCombo->addItem(tr("From now"), int(LiveOptions::Start::Now));
    m_startCombo->addItem(tr("From the beginning"), int(LiveOptions::Start::Beginning));
    m_startCombo->addItem(tr("From global #"), int(LiveOptions::Start::FromGlobalSequence));
    m_fromEdit = new QLineEdit(content);
    m_fromEdit->setObjectName(QStringLiteral("liveFrom"));
    m_fromEdit->setPlaceholderText(tr("global #"));
    m_fromEdit->setMaximumWidth(110);
    m_fromEdit->setEnabled(false);
    m_followButton = toolButton(content, tr("Follow"), QStringLiteral("liveFollow"), true);
    m_followButton->setToolTip(tr("Start (or restart) following what is chosen on the left"));
    source->addWidget(m_typesEdit, 1);
    source->addWidget(m_startCombo);
    source->addWidget(m_fromEdit);
    source->addWidget(m_followButton);
    connect(m_startCombo, &QComboBox::currentIndexChanged, this, [this] {
        m_fromEdit->setEnabled(m_startCombo->currentData().toInt() == int(LiveOptions::Start::FromGlobalSequence));
    });
    connect(m_followButton, &QToolButton::clicked, this, [this](bool checked) {
        if (checked)
            followFromControls();
        else
            stop();
    });
    connect(m_typesEdit, &QLineEdit::returnPressed, this, &LiveDock::followFromControls);
    connect(m_fromEdit, &QLineEdit::returnPressed, this, &LiveDock::followFromControls);

    // How to show it.
    auto *tools = new QHBoxLayout;
    m_pauseButton = toolButton(content, tr("Pause"), QStringLiteral("livePause"), true);
    m_pauseButton->setToolTip(tr("Hold new rows back (they are still counted) until resumed"));
    connect(m_pauseButton, &QToolButton::toggled, this, &LiveDock::setPaused);
    m_clearButton = toolButton(content, tr("Clear"), QStringLiteral("liveClear"));
    connect(m_clearButton, &QToolButton::clicked, this, [this] {
        m_model->clear();
        m_rate->reset();
    });
    m_maxRows = new QSpinBox(content);
    m_maxRows->setObjectName(QStringLiteral("liveMaxRows"));
    m_maxRows->setRange(100, 1'000'000);
    m_maxRows->setSingleStep(1000);
    m_maxRows->setValue(LiveModel::kDefaultMaxRows);
    m_maxRows->setPrefix(tr("keep "));
    m_maxRows->setSuffix(tr(" rows"));
    m_maxRows->setGroupSeparatorShown(true);
    m_maxRows->setToolTip(tr("The most rows this pane keeps; older rows are dropped (and counted)"));
    connect(m_maxRows, &QSpinBox::valueChanged, this, [this](int rows) {
        m_model->setMaxRows(rows);
        if (m_queue)
            m_queue->setCapacity(std::size_t(rows));
    });
    m_eventTypeCombo = new QComboBox(content);
    m_eventTypeCombo->setObjectName(QStringLiteral("liveEventType"));
    m_eventTypeCombo->addItem(tr("All event types"));
    m_eventTypeCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_eventTypeCombo, &QComboBox::currentIndexChanged, this, &LiveDock::applyFilter);
    connect(m_model, &LiveModel::eventTypeSeen, this, [this](const QString &type) {
        // Kept sorted after the "all" entry.
        int at = 1;
        while (at < m_eventTypeCombo->count() && m_eventTypeCombo->itemText(at) < type)
            ++at;
        m_eventTypeCombo->insertItem(at, type);
    });
    m_filterEdit = new QLineEdit(content);
    m_filterEdit->setObjectName(QStringLiteral("liveFilter"));
    m_filterEdit->setPlaceholderText(tr("Filter: words, or amount > 100, eventType = …"));
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::textChanged, this, &LiveDock::applyFilter);
    m_rate = new RateMeter(content);
    tools->addWidget(m_pauseButton);
    tools->addWidget(m_clearButton);
    tools->addWidget(m_maxRows);
    tools->addWidget(m_eventTypeCombo);
    tools->addWidget(m_filterEdit, 1);
    tools->addWidget(m_rate);

    m_view = new QTableView(content);
    m_view->setObjectName(QStringLiteral("liveView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setVerticalScrollMode(QAbstractItemView::ScrollPerItem);
    m_view->setWordWrap(false);
    m_view->setAlternatingRowColors(true);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->verticalHeader()->hide();
    // Fixed heights: appending thousands of rows costs no measuring.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    const int digit = m_view->fontMetrics().horizontalAdvance(QLatin1Char('0'));
    m_view->setColumnWidth(LiveModel::GlobalSequence, digit * 10);
    m_view->setColumnWidth(LiveModel::StreamSequence, digit * 8);
    m_view->setColumnWidth(LiveModel::Time, digit * 20);
    m_view->setColumnWidth(LiveModel::AggregateType, digit * 14);
    m_view->setColumnWidth(LiveModel::AggregateId, digit * 14);
    m_view->setColumnWidth(LiveModel::EventType, digit * 22);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &LiveDock::onRowsInserted);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this](const QModelIndex &, int first, int last) {
        // Rows left at the top: keep what the user reads in place when not following.
        if (m_autoScroll || first != 0)
            return;
        QScrollBar *bar = m_view->verticalScrollBar();
        m_scrolling = true;
        bar->setValue(std::max(0, bar->value() - (last - first + 1)));
        m_scrolling = false;
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (m_autoScroll)
            m_view->scrollToBottom();
    });
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this, &LiveDock::onScrolled);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { Q_EMIT currentRecordChanged(m_model->rowAt(current.row())); });
    connect(m_view, &QWidget::customContextMenuRequested, this, &LiveDock::showContextMenu);
    connect(m_model, &LiveModel::countsChanged, this, &LiveDock::updateStatus);

    m_status = new QLabel(content);
    m_status->setObjectName(QStringLiteral("liveStatus"));
    m_status->setTextFormat(Qt::PlainText);

    layout->addLayout(source);
    layout->addLayout(tools);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    setWidget(content);
}

void LiveDock::showOptions(const LiveOptions &options)
{
    QStringList types;
    for (const std::string &type : options.aggregateTypes)
        types.append(QString::fromStdString(type));
    m_typesEdit->setText(types.join(QStringLiteral(", ")));
    m_startCombo->setCurrentIndex(m_startCombo->findData(int(options.start)));
    m_fromEdit->setText(options.start == LiveOptions::Start::FromGlobalSequence ? QString::number(options.from)
                                                                                 : QString());
}

bool LiveDock::followFromControls()
{
    LiveOptions options;
    options.aggregateTypes = parseTypes(m_typesEdit->text());
    options.start = LiveOptions::Start(m_startCombo->currentData().toInt());
    if (options.start == LiveOptions::Start::FromGlobalSequence) {
        bool ok = false;
        options.from = m_fromEdit->text().trimmed().toULongLong(&ok);
        if (!ok) {
            m_error = tr("“%1” is not a global sequence number (a whole number from 1)").arg(m_fromEdit->text());
            m_followButton->setChecked(isFollowing()); // what runs keeps running
            updateStatus();
            Q_EMIT followFailed(m_error);
            return false;
        }
    }
    for (const std::string &type : options.aggregateTypes) {
        Status valid = validateAggregateType(type);
        if (!valid.ok()) {
            m_error = tr("Aggregate types: %1").arg(StoreService::describe(valid));
            m_followButton->setChecked(isFollowing()); // what runs keeps running
            updateStatus();
            Q_EMIT followFailed(m_error);
            return false;
        }
    }
    follow(options);
    return isFollowing();
}

void LiveDock::follow(const LiveOptions &options)
{
    stop();
    m_options = options;
    showOptions(options);
    m_error.clear();
    m_model->clear();
    m_rate->reset();
    m_autoScroll = true;
    m_queue = std::make_shared<LiveQueue>(std::size_t(m_model->maxRows()));
    m_lastReceived = 0;
    std::optional<quint64> from;
    if (options.start == LiveOptions::Start::Beginning)
        from = 0;
    else if (options.start == LiveOptions::Start::FromGlobalSequence)
        from = options.from;
    // The service calls back only for a subscription not yet unsubscribed: this one.
    const quint64 id = m_service->subscribe(this, options.aggregateTypes, from, m_queue,
                                            [this](const Status &status) { onStarted(status); });
    m_subscription = id;
    if (!id) {
        m_error = tr("No database is open.");
        Q_EMIT followFailed(m_error);
    } else {
        m_drainTimer.start();
    }
    m_followButton->setChecked(id != 0);
    updateStatus();
}

void LiveDock::onStarted(const Status &status)
{
    if (!status.ok()) {
        m_error = tr("Following failed: %1").arg(StoreService::describe(status));
        stop();
        Q_EMIT followFailed(m_error);
        return;
    }
    m_live = true;
    updateStatus();
    Q_EMIT followStarted();
}

void LiveDock::stop()
{
    if (m_subscription) {
        if (m_service)
            m_service->unsubscribe(m_subscription);
        m_subscription = 0;
    }
    // What arrived before the stop is still shown.
    drain();
    m_queue.reset();
    m_live = false;
    m_drainTimer.stop();
    m_followButton->setChecked(false);
    updateStatus();
}

void LiveDock::drain()
{
    if (!m_queue)
        return;
    const quint64 received = m_queue->received();
    m_rate->addEvents(received - m_lastReceived);
    m_lastReceived = received;
    LiveQueue::Taken taken = m_queue->take();
    if (!taken.items.empty() || taken.dropped > 0)
        m_model->append(std::move(taken.items), taken.dropped);
}

void LiveDock::setPaused(bool paused)
{
    m_model->setPaused(paused);
    m_pauseButton->setChecked(paused);
    m_pauseButton->setText(paused ? tr("Resume") : tr("Pause"));
}

void LiveDock::onRowsInserted()
{
    if (!m_autoScroll)
        return;
    m_scrolling = true;
    m_view->scrollToBottom();
    m_scrolling = false;
}

void LiveDock::onScrolled(int value)
{
    if (m_scrolling)
        return;
    // The user moved: following the newest row only while at the bottom.
    const bool atBottom = value >= m_view->verticalScrollBar()->maximum();
    if (atBottom != m_autoScroll) {
        m_autoScroll = atBottom;
        updateStatus();
    }
}

void LiveDock::applyFilter()
{
    const QString text = m_filterEdit->text();
    auto parsed = RecordFilter::parse(text.toStdString());
    if (!parsed.ok()) {
        m_filterEdit->setStyleSheet(QStringLiteral("QLineEdit { color: #b3261e; }"));
        m_filterEdit->setToolTip(StoreService::describe(parsed.status()));
        return; // the last valid filter stays
    }
    m_filterEdit->setStyleSheet({});
    m_filterEdit->setToolTip({});
    const QStringList types = m_eventTypeCombo->currentIndex() > 0 ? QStringList{m_eventTypeCombo->currentText()}
                                                                   : QStringList{};
    if (types != m_model->eventTypes())
        m_model->setEventTypes(types);
    if (parsed.value().query() != m_model->filter().query())
        m_model->setFilter(parsed.value());
    updateStatus();
}

QString LiveDock::statusText() const
{
    return m_status->text();
}

void LiveDock::updateStatus()
{
    const QLocale locale;
    QStringList parts;
    if (!m_error.isEmpty()) {
        parts.append(m_error);
    } else if (!m_service || !m_service->isOpen()) {
        parts.append(tr("No database open"));
    } else if (!isFollowing()) {
        parts.append(tr("Stopped — choose what to follow and press Follow"));
    } else {
        QString what = m_options.aggregateTypes.empty()
            ? tr("all events")
            : tr("%n aggregate type(s)", nullptr, int(m_options.aggregateTypes.size()));
        switch (m_options.start) {
        case LiveOptions::Start::Now: break;
        case LiveOptions::Start::Beginning: what += tr(" from the beginning"); break;
        case LiveOptions::Start::FromGlobalSequence:
            what += tr(" from global # %1").arg(locale.toString(m_options.from));
            break;
        }
        parts.append((m_live ? tr("Following %1") : tr("Starting %1…")).arg(what));
    }
    parts.append(tr("%1 received").arg(locale.toString(m_model->receivedRecords())));
    if (m_model->rowCount() != int(m_model->keptRows()))
        parts.append(tr("%1 of %2 rows match").arg(locale.toString(m_model->rowCount()),
                                                  locale.toString(m_model->keptRows())));
    if (m_model->droppedRows() > 0)
        parts.append(tr("%1 oldest dropped (row limit)").arg(locale.toString(m_model->droppedRows())));
    if (m_model->missedRecords() > 0)
        parts.append(tr("⚠ %1 missed").arg(locale.toString(m_model->missedRecords())));
    if (m_model->isPaused())
        parts.append(tr("paused: %1 new").arg(locale.toString(m_model->pendingRows())));
    if (!m_autoScroll)
        parts.append(tr("auto-scroll off (scroll to the bottom to resume)"));
    m_status->setText(parts.join(QStringLiteral(" · ")));
}

void LiveDock::showContextMenu(const QPoint &position)
{
    const QModelIndex index = m_view->indexAt(position);
    const RecordRow *row = m_model->rowAt(index.row());
    if (!row)
        return;
    const Record record = row->record;
    QMenu menu(this);
    QAction *appendLike = menu.addAction(tr("Append Like This…"), this, [this, record] { Q_EMIT appendLikeRequested(record); });
    appendLike->setEnabled(isSignalConnected(QMetaMethod::fromSignal(&LiveDock::appendLikeRequested))
                           && !m_service->isReadOnly());
    menu.addAction(tr("Copy Stream Name"), this,
                   [record] { QApplication::clipboard()->setText(QString::fromStdString(record.streamName())); });
    menu.exec(m_view->viewport()->mapToGlobal(position));
}

} // namespace rangedb::ui
