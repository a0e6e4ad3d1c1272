#include "eventeditordock.h"

#include "conflictview.h"
#include "databasetreemodel.h"
#include "deletestreamdialog.h"
#include "eventtemplates.h"
#include "jsonedit.h"
#include "stagedeventmodel.h"

#include "rangedb/json.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFontMetrics>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSplitter>
#include <QStringListModel>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUuid>
#include <QVBoxLayout>

#include <set>

namespace rangedb::ui {

namespace {

// Event types for completion come from a bounded scan: the first and the most recent
// events of the aggregate type, at most this many each.
constexpr int kEventTypeScan = 10'000;
// The most recent events: those of the type among the last this-many global numbers.
constexpr quint64 kRecentWindow = 100'000;
constexpr int kMaxIdCompletions = 100'000;

QLabel *problemLabel(QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setStyleSheet(QStringLiteral("color: #c02020"));
    label->setWordWrap(true);
    label->hide();
    return label;
}

void showProblem(QLabel *label, const QString &problem)
{
    label->setText(problem);
    label->setVisible(!problem.isEmpty());
}

QString coreProblem(const Status &status)
{
    return status.ok() ? QString() : QString::fromStdString(status.message());
}

QString plural(quint64 n, const QString &one, const QString &many)
{
    return n == 1 ? one : many.arg(QLocale().toString(n));
}

struct Intruders
{
    std::vector<Record> records;
    Status error;
};

// The events of `stream` after `expected`, at most ConflictView::kMaxListed (on a worker).
Intruders readIntruders(Store &store, const std::string &stream, quint64 expected, std::stop_token stop)
{
    Intruders result;
    auto it = store.eventsByStream(expected + 1, stream, stop);
    while (result.records.size() < ConflictView::kMaxListed && it->next())
        result.records.push_back(*it->record());
    if (!it->error().ok() && it->error().code() != ErrorCode::StreamNotFound)
        result.error = it->error();
    return result;
}

} // namespace

EventEditorDock::EventEditorDock(StoreService *service, DatabaseTreeModel *tree, QWidget *parent)
    : QDockWidget(tr("Append"), parent),
      m_service(service),
      m_tree(tree),
      m_staged(new StagedEventModel(this)),
      m_formTimer(new QTimer(this)),
      m_typeModel(new QStringListModel(this)),
      m_idModel(new QStringListModel(this)),
      m_eventTypeModel(new QStringListModel(this))
{
    setObjectName(QStringLiteral("eventEditorDock"));
    auto *outer = new QWidget(this);
    auto *layout = new QVBoxLayout(outer);
    layout->setContentsMargins(6, 4, 6, 6);
    layout->setSpacing(4);
    m_banner = new QLabel(outer);
    m_banner->setObjectName(QStringLiteral("editorBanner"));
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #fff4ce; color: #5c4400; padding: 4px; border-radius: 3px; }"));
    layout->addWidget(m_banner);

    m_content = new QWidget(outer);
    auto *contentLayout = new QHBoxLayout(m_content);
    contentLayout->setContentsMargins(0, 0, 0, 0);
    auto *splitter = new QSplitter(Qt::Horizontal, m_content);
    splitter->addWidget(buildForm());
    splitter->addWidget(buildStaging());
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({760, 520});
    splitter->setChildrenCollapsible(false);
    contentLayout->addWidget(splitter);
    layout->addWidget(m_content, 1);
    setWidget(outer);

    m_appendAction = new QAction(tr("&Append Event…"), this);
    m_appendAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_appendAction->setToolTip(tr("Show the Append dock to write events (Ctrl+E)"));
    connect(m_appendAction, &QAction::triggered, this, [this] {
        show();
        raise();
        m_type->setFocus();
    });
    m_deleteAction = new QAction(tr("&Delete Stream…"), this);
    m_deleteAction->setToolTip(tr("Delete the stream named in the Append dock"));
    connect(m_deleteAction, &QAction::triggered, this, [this] {
        const QString stream = targetStream();
        if (stream.isEmpty()) {
            show();
            setStatus(tr("Enter the aggregate type and ID of the stream to delete."), true);
            m_type->setFocus();
            return;
        }
        deleteStream(stream);
    });

    // Stage and save from anywhere in the dock.
    auto *stageShortcut = new QAction(this);
    stageShortcut->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    stageShortcut->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(stageShortcut, &QAction::triggered, this, [this] {
        if (m_stageButton->isEnabled())
            stage();
    });
    addAction(stageShortcut);
    auto *saveShortcut = new QAction(this);
    saveShortcut->setShortcut(QKeySequence::Save);
    saveShortcut->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(saveShortcut, &QAction::triggered, this, [this] {
        if (m_saveButton->isEnabled())
            save();
    });
    addAction(saveShortcut);

    m_formTimer->setSingleShot(true);
    m_formTimer->setInterval(250);
    connect(m_formTimer, &QTimer::timeout, this, &EventEditorDock::onFormStreamSettled);

    connect(m_service, &StoreService::opened, this, &EventEditorDock::onOpened);
    connect(m_service, &StoreService::closed, this, &EventEditorDock::onClosed);
    connect(m_service, &StoreService::recordsAppended, this, &EventEditorDock::onRecordsAppended);
    connect(m_service, &StoreService::streamDeleted, this, &EventEditorDock::onStreamDeleted);
    connect(m_tree, &QAbstractItemModel::rowsInserted, this, &EventEditorDock::updateTypeCompletions);
    connect(m_tree, &QAbstractItemModel::modelReset, this, &EventEditorDock::updateTypeCompletions);
    connect(m_tree, &DatabaseTreeModel::countingFinished, this, &EventEditorDock::updateTypeCompletions);

    reloadTemplates();
    if (m_service->isOpen())
        onOpened(m_service->info());
    else
        onClosed();
}

EventEditorDock::~EventEditorDock() = default;

DeleteStreamDialog *EventEditorDock::deleteDialog() const
{
    return m_deleteDialog.data();
}

QWidget *EventEditorDock::buildForm()
{
    auto *panel = new QWidget(this);
    auto *layout = new QHBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);

    // The envelope.
    auto *envelope = new QWidget(panel);
    auto *form = new QFormLayout(envelope);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const auto field = [&](QLineEdit *&edit, QLabel *&problem, const QString &name, const QString &placeholder) {
        edit = new QLineEdit(envelope);
        edit->setObjectName(name);
        edit->setPlaceholderText(placeholder);
        problem = problemLabel(envelope, name + QStringLiteral("Problem"));
        connect(edit, &QLineEdit::textChanged, this, &EventEditorDock::validate);
    };
    field(m_type, m_typeProblem, QStringLiteral("aggregateType"), tr("e.g. account"));
    field(m_id, m_idProblem, QStringLiteral("aggregateId"), tr("e.g. acct-0001"));
    field(m_eventType, m_eventTypeProblem, QStringLiteral("eventType"), tr("e.g. AccountWasOpened"));
    connect(m_type, &QLineEdit::textChanged, m_formTimer, qOverload<>(&QTimer::start));
    connect(m_id, &QLineEdit::textChanged, m_formTimer, qOverload<>(&QTimer::start));

    const auto completer = [&](QLineEdit *edit, QStringListModel *model) {
        auto *c = new QCompleter(model, edit);
        c->setCaseSensitivity(Qt::CaseInsensitive);
        c->setFilterMode(Qt::MatchContains);
        c->setMaxVisibleItems(12);
        edit->setCompleter(c);
    };
    completer(m_type, m_typeModel);
    completer(m_id, m_idModel);
    completer(m_eventType, m_eventTypeModel);

    m_newId = new QPushButton(tr("New ID"), envelope);
    m_newId->setObjectName(QStringLiteral("newIdButton"));
    m_newId->setToolTip(tr("A fresh random UUID: a new stream"));
    connect(m_newId, &QPushButton::clicked, this,
            [this] { m_id->setText(QUuid::createUuid().toString(QUuid::WithoutBraces)); });
    auto *idRow = new QHBoxLayout;
    idRow->setContentsMargins(0, 0, 0, 0);
    idRow->addWidget(m_id, 1);
    idRow->addWidget(m_newId);

    const auto withProblem = [&](QLayout *fieldLayout, QLabel *problem) {
        auto *box = new QVBoxLayout;
        box->setContentsMargins(0, 0, 0, 0);
        box->setSpacing(1);
        box->addLayout(fieldLayout);
        box->addWidget(problem);
        return box;
    };
    const auto single = [](QWidget *widget) {
        auto *box = new QHBoxLayout;
        box->setContentsMargins(0, 0, 0, 0);
        box->addWidget(widget);
        return box;
    };
    // Labels with buddies, so that their Alt+letter shortcuts work (fields are layouts here).
    const auto addRow = [&](const QString &text, QWidget *buddy, QLayout *fieldLayout) {
        auto *label = new QLabel(text, envelope);
        label->setBuddy(buddy);
        form->addRow(label, fieldLayout);
    };
    addRow(tr("Aggregate &type:"), m_type, withProblem(single(m_type), m_typeProblem));
    addRow(tr("Aggregate &ID:"), m_id, withProblem(idRow, m_idProblem));
    addRow(tr("&Event type:"), m_eventType, withProblem(single(m_eventType), m_eventTypeProblem));

    m_templates = new QComboBox(envelope);
    m_templates->setObjectName(QStringLiteral("templateBox"));
    m_templates->setPlaceholderText(tr("Apply a template…"));
    m_templates->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_templates->setMinimumContentsLength(12);
    connect(m_templates, &QComboBox::activated, this, [this](int index) { applyTemplate(m_templates->itemText(index)); });
    m_saveTemplate = new QToolButton(envelope);
    m_saveTemplate->setText(tr("Save as…"));
    m_saveTemplate->setToolTip(tr("Keep this event as a named template"));
    connect(m_saveTemplate, &QToolButton::clicked, this, [this] {
        bool ok = false;
        const QString name = QInputDialog::getText(this, tr("Save Template"), tr("Template name:"), QLineEdit::Normal,
                                                   m_eventType->text(), &ok);
        if (ok && !name.trimmed().isEmpty())
            saveTemplate(name.trimmed());
    });
    m_removeTemplate = new QToolButton(envelope);
    m_removeTemplate->setText(tr("Remove"));
    m_removeTemplate->setToolTip(tr("Remove the chosen template"));
    connect(m_removeTemplate, &QToolButton::clicked, this, [this] {
        if (m_templates->currentIndex() >= 0)
            removeTemplate(m_templates->currentText());
    });
    auto *templateRow = new QHBoxLayout;
    templateRow->setContentsMargins(0, 0, 0, 0);
    templateRow->addWidget(m_templates, 1);
    templateRow->addWidget(m_saveTemplate);
    templateRow->addWidget(m_removeTemplate);
    addRow(tr("Te&mplate:"), m_templates, templateRow);

    m_stageButton = new QPushButton(tr("Stage"), envelope);
    m_stageButton->setObjectName(QStringLiteral("stageButton"));
    m_stageButton->setToolTip(tr("Add this event to the staged events (Ctrl+Enter)"));
    connect(m_stageButton, &QPushButton::clicked, this, [this] { stage(); });
    m_cancelEdit = new QPushButton(tr("Cancel Edit"), envelope);
    m_cancelEdit->hide();
    connect(m_cancelEdit, &QPushButton::clicked, this, [this] {
        m_editingRow = -1;
        validate();
    });
    auto *stageRow = new QHBoxLayout;
    stageRow->setContentsMargins(0, 0, 0, 0);
    stageRow->addWidget(m_stageButton);
    stageRow->addWidget(m_cancelEdit);
    stageRow->addStretch(1);
    form->addRow(QString(), stageRow);
    m_stageProblem = problemLabel(envelope, QStringLiteral("stageProblem"));
    form->addRow(QString(), m_stageProblem);

    // Data and metadata.
    m_jsonTabs = new QTabWidget(panel);
    m_data = new JsonEdit(QStringLiteral("dataEdit"), m_jsonTabs);
    m_metadata = new JsonEdit(QStringLiteral("metadataEdit"), m_jsonTabs);
    m_jsonTabs->addTab(m_data, tr("&Data"));
    m_jsonTabs->addTab(m_metadata, tr("Meta&data"));
    connect(m_data, &JsonEdit::edited, this, &EventEditorDock::validate);
    connect(m_metadata, &JsonEdit::edited, this, &EventEditorDock::validate);

    layout->addWidget(envelope, 2);
    layout->addWidget(m_jsonTabs, 3);
    return panel;
}

QWidget *EventEditorDock::buildStaging()
{
    auto *panel = new QWidget(this);
    auto *layout = new QVBoxLayout(panel);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    m_stagedTitle = new QLabel(panel);
    m_stagedTitle->setObjectName(QStringLiteral("stagedTitle"));
    m_stagedTitle->setWordWrap(true);
    m_stagedTitle->setTextFormat(Qt::RichText);
    layout->addWidget(m_stagedTitle);

    m_stagedView = new QTableView(panel);
    m_stagedView->setObjectName(QStringLiteral("stagedTable"));
    m_stagedView->setModel(m_staged);
    m_stagedView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_stagedView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_stagedView->verticalHeader()->hide();
    m_stagedView->setShowGrid(false);
    m_stagedView->setWordWrap(false);
    m_stagedView->setAlternatingRowColors(true);
    m_stagedView->horizontalHeader()->setStretchLastSection(true);
    m_stagedView->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 6);
    const QFontMetrics metrics(font());
    const auto width = [&](const char *sample) { return metrics.horizontalAdvance(QLatin1String(sample)) + 20; };
    m_stagedView->setColumnWidth(StagedEventModel::EventType, width("AccountWasOpened"));
    m_stagedView->setColumnWidth(StagedEventModel::StreamSequence, width("Stream #"));
    m_stagedView->setColumnWidth(StagedEventModel::GlobalSequence, width("Global #"));
    m_stagedView->setColumnWidth(StagedEventModel::Data, width("{\"amount\":100,\"x\"…"));
    connect(m_stagedView, &QTableView::doubleClicked, this, [this](const QModelIndex &index) { editStaged(index.row()); });
    const auto current = [this] { return m_stagedView->currentIndex().isValid() ? m_stagedView->currentIndex().row() : -1; };
    const auto tool = [&](QToolButton *&button, const QString &text, const QString &tip, const QKeySequence &key, auto slot) {
        button = new QToolButton(panel);
        button->setText(text);
        button->setToolTip(tip);
        button->setAutoRaise(false);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        connect(button, &QToolButton::clicked, this, slot);
        if (!key.isEmpty()) {
            auto *action = new QAction(m_stagedView);
            action->setShortcut(key);
            action->setShortcutContext(Qt::WidgetShortcut);
            connect(action, &QAction::triggered, this, slot);
            m_stagedView->addAction(action);
        }
    };
    tool(m_up, tr("Up"), tr("Move the event up (Ctrl+Up)"), QKeySequence(Qt::CTRL | Qt::Key_Up),
         [this, current] { moveStaged(current(), -1); });
    tool(m_down, tr("Down"), tr("Move the event down (Ctrl+Down)"), QKeySequence(Qt::CTRL | Qt::Key_Down),
         [this, current] { moveStaged(current(), 1); });
    tool(m_edit, tr("Edit"), tr("Load the event into the form (double-click)"), QKeySequence(Qt::Key_Return),
         [this, current] { editStaged(current()); });
    tool(m_remove, tr("Remove"), tr("Remove the event from the staged list (Delete)"), QKeySequence(QKeySequence::Delete),
         [this, current] { removeStaged(current()); });
    auto *tableRow = new QHBoxLayout;
    tableRow->setContentsMargins(0, 0, 0, 0);
    tableRow->addWidget(m_stagedView, 1);
    auto *tools = new QVBoxLayout;
    for (QToolButton *button : {m_up, m_down, m_edit, m_remove}) {
        button->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
        tools->addWidget(button);
    }
    tools->addStretch(1);
    tableRow->addLayout(tools);
    layout->addLayout(tableRow, 1);
    connect(m_stagedView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &EventEditorDock::validate);

    // The expected stream sequence number.
    auto *expectedRow = new QHBoxLayout;
    expectedRow->setContentsMargins(0, 0, 0, 0);
    auto *expectedLabel = new QLabel(tr("E&xpected stream #:"), panel);
    m_expected = new QLineEdit(panel);
    m_expected->setObjectName(QStringLiteral("expectedEdit"));
    m_expected->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9]{0,20}")), m_expected));
    m_expected->setMaximumWidth(130);
    m_expected->setToolTip(tr("Save only if the stream's last stream sequence number is this (0: a new stream). "
                              "Prefilled with the stream's head when you pick the stream."));
    expectedLabel->setBuddy(m_expected);
    connect(m_expected, &QLineEdit::textEdited, this, [this] {
        m_expectedEdited = true;
        validate();
    });
    m_any = new QCheckBox(tr("&Any"), panel);
    m_any->setObjectName(QStringLiteral("anyExpected"));
    m_any->setToolTip(tr("Save whatever the stream holds (no concurrency check)"));
    connect(m_any, &QCheckBox::toggled, this, [this](bool any) {
        m_expected->setEnabled(!any);
        validate();
    });
    expectedRow->addWidget(expectedLabel);
    expectedRow->addWidget(m_expected);
    expectedRow->addWidget(m_any);
    expectedRow->addStretch(1);
    layout->addLayout(expectedRow);
    m_expectedNote = new QLabel(panel);
    m_expectedNote->setObjectName(QStringLiteral("expectedNote"));
    m_expectedNote->setWordWrap(true);
    m_expectedNote->setStyleSheet(QStringLiteral("color: #a35a00"));
    m_expectedNote->hide();
    layout->addWidget(m_expectedNote);

    // The conflict, when a save was refused.
    m_conflict = new ConflictView(panel);
    m_rebaseButton = m_conflict->buttons()->addButton(tr("Re-base onto New Head"), QDialogButtonBox::AcceptRole);
    m_rebaseButton->setObjectName(QStringLiteral("rebaseButton"));
    m_rebaseButton->setToolTip(tr("Keep the staged events and expect the stream's current head; then Save again"));
    m_discardButton = m_conflict->buttons()->addButton(tr("Discard Staged Events"), QDialogButtonBox::DestructiveRole);
    m_discardButton->setObjectName(QStringLiteral("discardButton"));
    connect(m_rebaseButton, &QPushButton::clicked, this, &EventEditorDock::rebase);
    connect(m_discardButton, &QPushButton::clicked, this, &EventEditorDock::discardStaged);
    m_conflict->hide();
    layout->addWidget(m_conflict, 2);

    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    m_saveButton = new QPushButton(tr("Save"), panel);
    m_saveButton->setObjectName(QStringLiteral("saveButton"));
    m_saveButton->setToolTip(tr("Write the staged events in one atomic save (Ctrl+S)"));
    connect(m_saveButton, &QPushButton::clicked, this, &EventEditorDock::save);
    m_clearButton = new QPushButton(tr("Clear"), panel);
    m_clearButton->setToolTip(tr("Remove every staged event"));
    connect(m_clearButton, &QPushButton::clicked, this, &EventEditorDock::discardStaged);
    m_deleteButton = new QPushButton(tr("Delete Stream…"), panel);
    m_deleteButton->setObjectName(QStringLiteral("deleteStreamButton"));
    connect(m_deleteButton, &QPushButton::clicked, this, [this] { m_deleteAction->trigger(); });
    buttons->addWidget(m_saveButton);
    buttons->addWidget(m_clearButton);
    buttons->addStretch(1);
    buttons->addWidget(m_deleteButton);
    layout->addLayout(buttons);
    m_saveProblem = problemLabel(panel, QStringLiteral("saveProblem"));
    layout->addWidget(m_saveProblem);
    m_status = new QLabel(panel);
    m_status->setObjectName(QStringLiteral("editorStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_status);
    return panel;
}

// ---------------------------------------------------------------------------------------
// The database

void EventEditorDock::onOpened(const DatabaseInfo &info)
{
    m_saving = false;
    m_headStream.clear();
    m_headKnown = false;
    m_lastGlobal = 0;
    m_eventTypes.clear();
    m_completionType.clear();
    m_pendingSelection.reset();
    m_conflict->hide();
    m_banner->setText(tr("The database is open read-only: nothing can be appended or deleted."));
    m_banner->setVisible(info.readOnly);
    m_status->clear();
    m_service->run(
        this, [](Store &store, std::stop_token) { return store.lastGlobalSequenceNumber(); },
        [this](Result<std::uint64_t> last) {
            if (last.ok())
                m_lastGlobal = std::max<quint64>(m_lastGlobal, last.value());
            m_staged->setBase(m_head, m_lastGlobal);
            updateStagedTitle();
        });
    updateTypeCompletions();
    onFormStreamSettled();
    validate();
}

void EventEditorDock::onClosed()
{
    m_saving = false;
    m_headKnown = false;
    m_headStream.clear();
    m_pendingSelection.reset();
    m_conflict->hide();
    if (m_deleteDialog)
        m_deleteDialog->reject();
    m_banner->setText(tr("No database is open."));
    m_banner->show();
    validate();
}

void EventEditorDock::onRecordsAppended(const RecordBatch &batch)
{
    bool headMoved = false;
    for (const Record &record : *batch) {
        m_lastGlobal = std::max<quint64>(m_lastGlobal, record.globalSequenceNumber);
        m_eventTypes[QString::fromStdString(record.aggregateType)].insert(QString::fromStdString(record.eventType));
        // Also while the head is being read: the read and this batch merge by max().
        if (!m_headStream.isEmpty() && record.streamSequenceNumber > m_head
            && QString::fromStdString(record.streamName()) == m_headStream) {
            m_head = record.streamSequenceNumber;
            headMoved = true;
        }
    }
    m_staged->setBase(m_head, m_lastGlobal);
    if (!m_completionType.isEmpty()) {
        QStringList types = m_eventTypes.value(m_completionType).values();
        types.sort();
        if (types != m_eventTypeModel->stringList())
            m_eventTypeModel->setStringList(types);
    }
    if (headMoved)
        validate();
    else
        updateStagedTitle();
    if (m_pendingSelection && m_lastGlobal >= m_pendingSelection->last) {
        const PendingSelection done = *std::exchange(m_pendingSelection, std::nullopt);
        Q_EMIT saved(done.stream, done.first, done.last);
    }
}

void EventEditorDock::onStreamDeleted(const QString &stream)
{
    if (stream == m_headStream) {
        m_headStream.clear(); // re-read: the head went back to 0
        m_headKnown = false;
        trackStream(targetStream());
    }
    const auto parsed = parseStreamName(stream.toStdString());
    if (parsed.ok() && QString::fromStdString(parsed.value().first) == m_completionType) {
        QStringList ids = m_idModel->stringList();
        ids.removeAll(QString::fromStdString(parsed.value().second));
        m_idModel->setStringList(ids);
    }
}

QString EventEditorDock::formStream() const
{
    const std::string type = m_type->text().toStdString();
    const std::string id = m_id->text().toStdString();
    if (!validateAggregateType(type).ok() || !validateAggregateId(id).ok())
        return {};
    return QString::fromStdString(streamName(type, id));
}

QString EventEditorDock::targetStream() const
{
    return m_stagedStream.isEmpty() ? formStream() : m_stagedStream;
}

void EventEditorDock::onFormStreamSettled()
{
    if (!m_service->isOpen())
        return;
    const QString type = m_type->text();
    if (type != m_completionType && validateAggregateType(type.toStdString()).ok())
        fetchCompletions(type);
    trackStream(targetStream());
}

// Reads the head of `stream` (and the last global number) when it is not the one known.
void EventEditorDock::trackStream(const QString &stream)
{
    if (stream == m_headStream && (m_headKnown || stream.isEmpty()))
        return;
    m_headStream = stream;
    m_headKnown = false;
    m_head = 0;
    const quint64 generation = ++m_headGeneration;
    if (stream.isEmpty() || !m_service->isOpen()) {
        validate();
        return;
    }
    struct Heads
    {
        Result<std::uint64_t> head = std::uint64_t(0);
        Result<std::uint64_t> last = std::uint64_t(0);
    };
    m_service->run(
        this,
        [name = stream.toStdString()](Store &store, std::stop_token stop) {
            Heads heads;
            heads.head = store.totalEventsInStream(name, stop);
            heads.last = store.lastGlobalSequenceNumber();
            return heads;
        },
        [this, generation](Heads heads) {
            if (generation != m_headGeneration)
                return;
            if (!heads.head.ok()) {
                setStatus(tr("Could not read the stream's head: %1").arg(coreProblem(heads.head.status())), true);
                return;
            }
            // Live batches may have moved it on meanwhile: numbers only grow (deletes re-read).
            m_head = std::max<quint64>(m_head, heads.head.value());
            if (heads.last.ok())
                m_lastGlobal = std::max<quint64>(m_lastGlobal, heads.last.value());
            m_headKnown = true;
            if (!m_expectedEdited && m_staged->isEmpty())
                setExpected(m_head);
            m_staged->setBase(m_head, m_lastGlobal);
            validate();
        });
}

void EventEditorDock::fetchCompletions(const QString &aggregateType)
{
    m_completionType = aggregateType;
    const quint64 generation = ++m_completionGeneration;
    QStringList known = m_eventTypes.value(aggregateType).values();
    known.sort();
    m_eventTypeModel->setStringList(known);
    m_idModel->setStringList({});
    struct Completions
    {
        QStringList ids;
        QStringList eventTypes;
    };
    m_service->run(
        this,
        [type = aggregateType.toStdString()](Store &store, std::stop_token stop) {
            Completions result;
            auto streams = store.streams(type, stop);
            if (streams.ok()) {
                for (const StreamInfo &info : streams.value()) {
                    if (result.ids.size() >= kMaxIdCompletions)
                        break;
                    result.ids.append(QString::fromStdString(info.aggregateId));
                }
            }
            // Bounded: the first events of the type and those among the most recent ones.
            std::set<std::string> eventTypes;
            const auto scan = [&](std::uint64_t from) {
                auto it = store.eventsByAggregateTypes(from, {type}, stop);
                for (int n = 0; n < kEventTypeScan && it->next(); ++n)
                    eventTypes.insert(it->record()->eventType);
            };
            scan(0);
            auto last = store.lastGlobalSequenceNumber();
            if (last.ok() && last.value() > kRecentWindow)
                scan(last.value() - kRecentWindow);
            for (const std::string &eventType : eventTypes)
                result.eventTypes.append(QString::fromStdString(eventType));
            return result;
        },
        [this, generation, aggregateType](Completions result) {
            if (generation != m_completionGeneration)
                return;
            m_idModel->setStringList(result.ids);
            QSet<QString> &seen = m_eventTypes[aggregateType];
            for (const QString &eventType : std::as_const(result.eventTypes))
                seen.insert(eventType);
            QStringList types = seen.values();
            types.sort();
            m_eventTypeModel->setStringList(types);
        });
}

void EventEditorDock::updateTypeCompletions()
{
    const QStringList types = m_tree->aggregateTypes();
    if (types != m_typeModel->stringList())
        m_typeModel->setStringList(types);
}

QStringList EventEditorDock::eventTypeCompletions() const
{
    return m_eventTypeModel->stringList();
}

QStringList EventEditorDock::aggregateIdCompletions() const
{
    return m_idModel->stringList();
}

// ---------------------------------------------------------------------------------------
// The form

QString EventEditorDock::aggregateTypeProblem() const
{
    const QString type = m_type->text();
    if (type.isEmpty())
        return tr("Required.");
    return coreProblem(validateAggregateType(type.toStdString()));
}

QString EventEditorDock::aggregateIdProblem() const
{
    const QString id = m_id->text();
    if (id.isEmpty())
        return tr("Required.");
    return coreProblem(validateAggregateId(id.toStdString()));
}

QString EventEditorDock::eventTypeProblem() const
{
    return m_eventType->text().isEmpty() ? tr("Required.") : QString();
}

EventRecord EventEditorDock::formEvent() const
{
    EventRecord event;
    event.aggregateType = m_type->text().toStdString();
    event.aggregateId = m_id->text().toStdString();
    event.eventType = m_eventType->text().toStdString();
    // Compact, keeping key order and number literals: exactly what the store will write.
    auto dataText = json::normalize(m_data->value());
    auto metadataText = json::normalize(m_metadata->value());
    event.data = dataText.ok() ? dataText.value() : m_data->value();
    event.metadata = metadataText.ok() ? metadataText.value() : m_metadata->value();
    return event;
}

std::optional<quint64> EventEditorDock::expectedValue() const
{
    bool ok = false;
    const quint64 value = m_expected->text().toULongLong(&ok);
    return ok ? std::optional<quint64>(value) : std::nullopt;
}

void EventEditorDock::setExpected(quint64 value)
{
    m_expected->setText(QString::number(value));
}

QString EventEditorDock::saveBlocker() const
{
    if (!m_service->isOpen())
        return tr("No database is open.");
    if (m_service->isReadOnly())
        return tr("The database is open read-only.");
    if (m_saving)
        return tr("Saving…");
    if (!m_conflict->isHidden())
        return tr("Re-base or discard first (see the conflict above).");
    if (m_staged->isEmpty()) {
        // Save writes the form's event alone.
        const QString problems[] = {aggregateTypeProblem(), aggregateIdProblem(), eventTypeProblem()};
        const QString names[] = {tr("Aggregate type"), tr("Aggregate ID"), tr("Event type")};
        for (int i = 0; i < 3; ++i) {
            if (!problems[i].isEmpty())
                return tr("%1: %2").arg(names[i], problems[i]);
        }
        if (!m_data->isValid())
            return tr("Data: %1").arg(m_data->errorText());
        if (!m_metadata->isValid())
            return tr("Metadata: %1").arg(m_metadata->errorText());
    }
    if (!m_any->isChecked() && !expectedValue())
        return tr("Enter the expected stream sequence number, or tick Any.");
    return {};
}

void EventEditorDock::validate()
{
    const bool open = m_service->isOpen();
    const bool writable = open && !m_service->isReadOnly();
    m_content->setEnabled(open);

    showProblem(m_typeProblem, m_type->text().isEmpty() ? QString() : aggregateTypeProblem());
    showProblem(m_idProblem, m_id->text().isEmpty() ? QString() : aggregateIdProblem());
    // Empty fields are marked once the user has started on the event.
    const bool started = !m_type->text().isEmpty() || !m_id->text().isEmpty() || !m_eventType->text().isEmpty();
    if (started) {
        if (m_type->text().isEmpty())
            showProblem(m_typeProblem, aggregateTypeProblem());
        if (m_id->text().isEmpty())
            showProblem(m_idProblem, aggregateIdProblem());
        showProblem(m_eventTypeProblem, eventTypeProblem());
    } else {
        showProblem(m_eventTypeProblem, {});
    }
    m_jsonTabs->setTabText(0, m_data->isValid() ? tr("&Data") : tr("&Data ⚠"));
    m_jsonTabs->setTabText(1, m_metadata->isValid() ? tr("Meta&data") : tr("Meta&data ⚠"));

    const bool formValid = aggregateTypeProblem().isEmpty() && aggregateIdProblem().isEmpty()
        && eventTypeProblem().isEmpty() && m_data->isValid() && m_metadata->isValid();
    QString stageProblem;
    const QString stream = formStream();
    if (formValid && !m_stagedStream.isEmpty() && stream != m_stagedStream)
        stageProblem = tr("The staged events go to %1; one save writes one stream. Save or clear them first.")
                           .arg(m_stagedStream);
    showProblem(m_stageProblem, stageProblem);
    if (m_editingRow >= m_staged->size())
        m_editingRow = -1;
    m_stageButton->setText(m_editingRow >= 0 ? tr("Update Staged #%1").arg(m_editingRow + 1) : tr("Stage"));
    m_cancelEdit->setVisible(m_editingRow >= 0);
    m_stageButton->setEnabled(writable && !m_saving && formValid && stageProblem.isEmpty());

    const QString blocker = saveBlocker();
    m_saveButton->setEnabled(writable && blocker.isEmpty());
    m_saveButton->setText(m_staged->isEmpty() ? tr("Save Event")
                                              : plural(quint64(m_staged->size()), tr("Save 1 Staged Event"),
                                                       tr("Save %1 Staged Events")));
    // The conflict view explains itself; the line under Save would only repeat it.
    showProblem(m_saveProblem, open && m_conflict->isHidden() ? blocker : QString());
    m_clearButton->setEnabled(!m_staged->isEmpty() && !m_saving);
    m_deleteButton->setEnabled(writable && !targetStream().isEmpty() && !m_saving);
    m_newId->setEnabled(writable);

    const int row = m_stagedView->currentIndex().isValid() ? m_stagedView->currentIndex().row() : -1;
    m_up->setEnabled(!m_saving && row > 0);
    m_down->setEnabled(!m_saving && row >= 0 && row + 1 < m_staged->size());
    m_edit->setEnabled(!m_saving && row >= 0);
    m_remove->setEnabled(!m_saving && row >= 0);

    // Someone else moved the stream on since the expected number was taken.
    QString note;
    const auto expected = expectedValue();
    if (m_headKnown && !m_any->isChecked() && expected && *expected != m_head && m_headStream == targetStream())
        note = tr("%1 is now at event %2, not %3: saving with this expected number will be refused.")
                   .arg(m_headStream, QLocale().toString(m_head), QLocale().toString(*expected));
    showProblem(m_expectedNote, note);
    updateStagedTitle();
}

void EventEditorDock::updateStagedTitle()
{
    const QLocale locale;
    const QString stream = targetStream();
    QString text;
    if (m_staged->isEmpty())
        text = tr("<b>Nothing staged.</b> Stage events to save several at once.");
    else
        text = tr("<b>%1</b> for <b>%2</b>")
                   .arg(plural(quint64(m_staged->size()), tr("1 staged event"), tr("%1 staged events")),
                        m_stagedStream.toHtmlEscaped());
    if (!stream.isEmpty() && m_headKnown && stream == m_headStream)
        text += QStringLiteral("<br>") + tr("Stream head: %1%2 · last global #: %3")
                                             .arg(locale.toString(m_head), m_head == 0 ? tr(" (a new stream)") : QString(),
                                                  locale.toString(m_lastGlobal));
    m_stagedTitle->setText(text);
}

void EventEditorDock::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #c02020") : QString());
    if (!text.isEmpty())
        Q_EMIT statusMessage(text);
}

void EventEditorDock::appendLike(const Record &record)
{
    m_editingRow = -1;
    m_type->setText(QString::fromStdString(record.aggregateType));
    m_id->setText(QString::fromStdString(record.aggregateId));
    m_eventType->setText(QString::fromStdString(record.eventType));
    const auto pretty = [](const std::string &text) {
        auto formatted = json::pretty(text, 2);
        return QString::fromStdString(formatted.ok() ? formatted.value() : text);
    };
    m_data->setText(record.data == "null" ? QString() : pretty(record.data));
    m_metadata->setText(record.metadata == "null" ? QString() : pretty(record.metadata));
    m_formTimer->stop();
    onFormStreamSettled();
    validate();
    show();
    raise();
    m_data->editor()->setFocus();
}

void EventEditorDock::appendTo(const QString &aggregateType, const QString &aggregateId)
{
    m_type->setText(aggregateType);
    m_id->setText(aggregateId);
    m_formTimer->stop();
    onFormStreamSettled();
    show();
    raise();
    (aggregateId.isEmpty() ? m_id : m_eventType)->setFocus();
}

// ---------------------------------------------------------------------------------------
// Staging

bool EventEditorDock::stage()
{
    validate();
    if (!m_stageButton->isEnabled()) {
        setStatus(m_stageProblem->text().isEmpty() ? tr("Fix the fields marked in red first.") : m_stageProblem->text(), true);
        return false;
    }
    EventRecord event = formEvent();
    if (m_editingRow >= 0) {
        m_staged->replace(m_editingRow, std::move(event));
        m_editingRow = -1;
    } else {
        if (m_staged->isEmpty())
            m_stagedStream = formStream();
        m_staged->append(std::move(event));
        m_stagedView->scrollToBottom();
    }
    m_staged->setBase(m_head, m_lastGlobal);
    setStatus({}, false);
    trackStream(m_stagedStream);
    validate();
    return true;
}

void EventEditorDock::editStaged(int row)
{
    if (row < 0 || row >= m_staged->size())
        return;
    const EventRecord event = m_staged->at(row);
    Record record;
    record.aggregateType = event.aggregateType;
    record.aggregateId = event.aggregateId;
    record.eventType = event.eventType;
    record.data = event.data;
    record.metadata = event.metadata;
    appendLike(record);
    m_editingRow = row;
    validate();
}

void EventEditorDock::removeStaged(int row)
{
    if (row < 0 || row >= m_staged->size() || m_saving)
        return;
    m_staged->remove(row);
    if (m_editingRow == row)
        m_editingRow = -1;
    else if (m_editingRow > row)
        --m_editingRow;
    if (m_staged->isEmpty()) {
        m_stagedStream.clear();
        m_conflict->hide();
        trackStream(targetStream());
    }
    validate();
}

void EventEditorDock::moveStaged(int row, int delta)
{
    if (m_saving || !m_staged->move(row, delta))
        return;
    if (m_editingRow == row)
        m_editingRow = row + delta;
    else if (m_editingRow == row + delta)
        m_editingRow = row;
    m_stagedView->setCurrentIndex(m_staged->index(row + delta, 0));
    validate();
}

void EventEditorDock::discardStaged()
{
    if (m_saving)
        return;
    m_staged->clear();
    m_stagedStream.clear();
    m_editingRow = -1;
    m_conflict->hide();
    m_expectedEdited = false;
    trackStream(targetStream());
    if (m_headKnown)
        setExpected(m_head);
    validate();
}

void EventEditorDock::rebase()
{
    const quint64 actual = m_conflict->actual();
    m_conflict->hide();
    m_expectedEdited = true;
    setExpected(actual);
    setStatus(tr("Re-based: the events will follow event %1 of %2. Check them, then Save.")
                  .arg(QLocale().toString(actual), targetStream()),
              false);
    validate();
}

// ---------------------------------------------------------------------------------------
// Saving

void EventEditorDock::save()
{
    validate();
    if (!m_saveButton->isEnabled())
        return;
    std::vector<EventRecord> events = m_staged->isEmpty() ? std::vector<EventRecord>{formEvent()} : m_staged->events();
    const bool fromStaged = !m_staged->isEmpty();
    const QString stream = fromStaged ? m_stagedStream : formStream();
    const bool any = m_any->isChecked();
    const quint64 expected = any ? 0 : expectedValue().value_or(0);
    const quint64 count = events.size();
    m_saving = true;
    setStatus(tr("Saving %1…").arg(plural(count, tr("1 event"), tr("%1 events"))), false);
    validate();
    const auto handle = m_service->run(
        this,
        [events = std::move(events), any, expected](Store &store, std::stop_token stop) {
            // One call: the events of one stream land together or not at all.
            return any ? store.save(events, stop) : store.optimisticSave(expected, events, stop);
        },
        [this, stream, expected, count, fromStaged](Result<SaveResult> result) {
            m_saving = false;
            if (result.ok()) {
                const quint64 last = result.value().lastGlobalSequenceNumber;
                const quint64 first = last - count + 1;
                const quint64 lastStream = result.value().lastStreamSequenceNumber;
                if (fromStaged) {
                    m_staged->clear();
                    m_stagedStream.clear();
                    m_editingRow = -1;
                }
                if (stream == m_headStream) {
                    m_head = std::max<quint64>(m_head, lastStream);
                    m_headKnown = true;
                }
                m_expectedEdited = false;
                setExpected(stream == m_headStream ? m_head : lastStream);
                const QLocale locale;
                setStatus(tr("Saved %1 to %2: stream #%3–%4, global #%5–%6.")
                              .arg(plural(count, tr("1 event"), tr("%1 events")), stream,
                                   locale.toString(lastStream - count + 1), locale.toString(lastStream),
                                   locale.toString(first), locale.toString(last)),
                          false);
                m_pendingSelection = PendingSelection{stream, first, last};
                if (m_lastGlobal >= last) {
                    m_pendingSelection.reset();
                    Q_EMIT saved(stream, first, last);
                }
                trackStream(targetStream());
                validate();
                return;
            }
            const Status status = result.status();
            if (status.code() == ErrorCode::UnexpectedSequenceNumber) {
                showConflict(stream, expected, status.actualSequenceNumber(), int(count));
                validate();
                return;
            }
            const QString message = tr("Nothing was saved: %1").arg(coreProblem(status));
            setStatus(message, true);
            validate();
            Q_EMIT saveFailed(message);
        });
    if (!handle.isActive()) {
        m_saving = false;
        validate();
    }
}

void EventEditorDock::showConflict(const QString &stream, quint64 expected, quint64 actual, int events)
{
    setStatus(tr("Nothing was saved: %1 moved on. Reading the events appended since…").arg(stream), true);
    m_service->run(
        this,
        [name = stream.toStdString(), expected](Store &store, std::stop_token stop) {
            return readIntruders(store, name, expected, stop);
        },
        [this, stream, expected, actual, events](Intruders intruders) {
            m_conflict->setConflict(plural(quint64(events), tr("Saving 1 event"), tr("Saving %1 events")), stream,
                                    expected, actual, std::move(intruders.records));
            m_conflict->show();
            if (!intruders.error.ok())
                setStatus(tr("The events appended since could not be read: %1").arg(coreProblem(intruders.error)), true);
            else
                setStatus(tr("Nothing was saved: re-base onto event %1 or discard the staged events.")
                              .arg(QLocale().toString(actual)),
                          true);
            validate();
            Q_EMIT conflictShown();
        });
}

// ---------------------------------------------------------------------------------------
// Templates

void EventEditorDock::reloadTemplates()
{
    const QList<EventTemplate> templates = EventTemplates::all();
    m_templates->clear();
    for (const EventTemplate &t : templates)
        m_templates->addItem(t.name);
    m_templates->setCurrentIndex(-1);
    m_removeTemplate->setEnabled(!templates.isEmpty());
}

void EventEditorDock::saveTemplate(const QString &name)
{
    EventTemplate t;
    t.name = name;
    t.aggregateType = m_type->text();
    t.aggregateId = m_id->text();
    t.eventType = m_eventType->text();
    t.data = m_data->text();
    t.metadata = m_metadata->text();
    EventTemplates::put(t);
    reloadTemplates();
    setStatus(tr("Saved the template \"%1\".").arg(name), false);
}

bool EventEditorDock::applyTemplate(const QString &name)
{
    const EventTemplate t = EventTemplates::find(name);
    if (t.name.isEmpty())
        return false;
    m_editingRow = -1;
    m_type->setText(t.aggregateType);
    m_id->setText(t.aggregateId);
    m_eventType->setText(t.eventType);
    m_data->setText(t.data);
    m_metadata->setText(t.metadata);
    m_formTimer->stop();
    onFormStreamSettled();
    validate();
    m_templates->setCurrentIndex(m_templates->findText(name));
    return true;
}

void EventEditorDock::removeTemplate(const QString &name)
{
    EventTemplates::remove(name);
    reloadTemplates();
}

// ---------------------------------------------------------------------------------------
// Deleting

void EventEditorDock::deleteStream(const QString &streamName)
{
    if (!m_service->isOpen() || m_service->isReadOnly())
        return;
    if (m_deleteDialog) {
        m_deleteDialog->raise();
        return;
    }
    m_service->run(
        this, [name = streamName.toStdString()](Store &store, std::stop_token stop) {
            return store.totalEventsInStream(name, stop);
        },
        [this, streamName](Result<std::uint64_t> count) {
            if (!count.ok() || count.value() == 0) {
                setStatus(count.ok() ? tr("The stream %1 holds no events.").arg(streamName)
                                     : tr("Could not count %1: %2").arg(streamName, coreProblem(count.status())),
                          true);
                Q_EMIT streamDeleteFinished(streamName, false);
                return;
            }
            auto *dialog = new DeleteStreamDialog(streamName, count.value(), this);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            m_deleteDialog = dialog;
            connect(dialog, &DeleteStreamDialog::deleteRequested, this,
                    [this, streamName](quint64 expected) { runDelete(streamName, expected); });
            connect(dialog, &QDialog::rejected, this, [this, streamName] { Q_EMIT streamDeleteFinished(streamName, false); });
            dialog->open();
        });
}

void EventEditorDock::runDelete(const QString &stream, quint64 expected)
{
    if (m_deleteDialog)
        m_deleteDialog->setBusy(true);
    struct Outcome
    {
        Status status;
        Intruders intruders; // on a conflict
    };
    m_service->run(
        this,
        [name = stream.toStdString(), expected](Store &store, std::stop_token stop) {
            Outcome outcome;
            outcome.status = store.optimisticDeleteStream(expected, name, stop);
            if (outcome.status.code() == ErrorCode::UnexpectedSequenceNumber)
                outcome.intruders = readIntruders(store, name, expected, stop);
            return outcome;
        },
        [this, stream](Outcome outcome) {
            const QPointer<DeleteStreamDialog> dialog = m_deleteDialog;
            if (outcome.status.ok()) {
                m_service->notifyStreamDeleted(stream);
                if (dialog)
                    dialog->accept();
                setStatus(tr("Deleted the stream %1.").arg(stream), false);
                Q_EMIT streamDeleteFinished(stream, true);
                return;
            }
            if (!dialog)
                return;
            if (outcome.status.code() == ErrorCode::UnexpectedSequenceNumber) {
                dialog->showConflict(outcome.status.actualSequenceNumber(), std::move(outcome.intruders.records));
                return;
            }
            dialog->showError(tr("Nothing was deleted: %1").arg(coreProblem(outcome.status)));
        });
}

} // namespace rangedb::ui
