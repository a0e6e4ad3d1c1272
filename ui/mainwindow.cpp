#include "mainwindow.h"

#include "databasedock.h"
#include "databasetasks.h"
#include "eventeditordock.h"
#include "exportdialog.h"
#include "importdialog.h"
#include "inspectordock.h"
#include "livedock.h"
#include "recordinspector.h"
#include "recordpage.h"
#include "servecontrol.h"

#include "rangedb/paths.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QTreeView>

namespace rangedb::ui {

namespace {

constexpr int kMaxRecent = 10;

QLabel *statusLabel(QWidget *parent, const QString &name)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setContentsMargins(6, 0, 6, 0);
    return label;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent),
      m_service(new StoreService(this)),
      m_databaseDock(new DatabaseDock(m_service, this)),
      m_inspectorDock(new InspectorDock(m_service, this)),
      m_page(new RecordPage(m_service, this)),
      m_tasks(new DatabaseTasks(m_service, this,
                                [this](int icon, const QString &title, const QString &text) {
                                    if (icon == QMessageBox::NoIcon)
                                        statusBar()->showMessage(text, 6000);
                                    else
                                        tell(icon, title, text);
                                })),
      m_serve(new ServeControl(m_service, this))
{
    setWindowTitle(tr("RangeDB Workbench"));
    setWindowIcon(QIcon::fromTheme(QStringLiteral("io.github.rangedb_workbench.RangeDBWorkbench"),
                                   QIcon(QStringLiteral(":/icons/io.github.rangedb_workbench.RangeDBWorkbench.svg"))));
    setAcceptDrops(true);
    setCentralWidget(m_page);
    addDockWidget(Qt::LeftDockWidgetArea, m_databaseDock);
    addDockWidget(Qt::RightDockWidgetArea, m_inspectorDock);
    m_databaseDock->setMinimumWidth(220);
    m_inspectorDock->setMinimumWidth(320);
    resizeDocks({m_databaseDock, m_inspectorDock}, {240, 400}, Qt::Horizontal);
    // Writing: the Append dock under the table, shown by Ctrl+E or "Append Like This".
    m_editorDock = new EventEditorDock(m_service, m_databaseDock->model(), this);
    addDockWidget(Qt::BottomDockWidgetArea, m_editorDock);
    m_editorDock->hide();
    connect(m_page, &RecordPage::appendLikeRequested, m_editorDock, &EventEditorDock::appendLike);
    connect(m_inspectorDock->inspector(), &RecordInspector::appendLikeRequested, m_editorDock,
            &EventEditorDock::appendLike);
    connect(m_editorDock, &EventEditorDock::statusMessage, this,
            [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_editorDock, &EventEditorDock::saved, this, [this](const QString &stream, quint64 first, quint64 last) {
        // Select the saved records when the table shows their scope.
        const Scope &scope = m_page->scope();
        const std::string name = stream.toStdString();
        const std::string type = name.substr(0, name.find('!'));
        if (scope.kind == Scope::Kind::AllEvents || (scope.kind == Scope::Kind::Stream && scope.stream == name)
            || (scope.kind == Scope::Kind::AggregateTypes
                && std::find(scope.aggregateTypes.begin(), scope.aggregateTypes.end(), type) != scope.aggregateTypes.end()))
            m_page->selectGlobalRange(first, last);
    });

    connect(m_databaseDock, &DatabaseDock::scopeChosen, m_page, &RecordPage::setScope);
    connect(m_databaseDock, &DatabaseDock::contextMenuRequested, this, &MainWindow::showTreeContextMenu);
    connect(m_databaseDock->model(), &DatabaseTreeModel::countingFinished, this, &MainWindow::updateStatus);
    connect(m_databaseDock->model(), &QAbstractItemModel::dataChanged, this, &MainWindow::updateStatus);
    connect(m_databaseDock->model(), &DatabaseTreeModel::loadFailed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(m_page, &RecordPage::currentRecordChanged, m_inspectorDock, &InspectorDock::showRow);
    connect(m_page, &RecordPage::statusMessage, this, [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_page, &RecordPage::loadFailed, this, &MainWindow::onReadFailed);

    connect(m_service, &StoreService::opened, this, &MainWindow::onOpened);
    connect(m_service, &StoreService::openFailed, this, &MainWindow::onOpenFailed);
    connect(m_service, &StoreService::closed, this, &MainWindow::onClosed);
    connect(m_service, &StoreService::recordsAppended, this, [this](const RecordBatch &batch) {
        if (!batch->empty())
            m_lastGlobalSequence = std::max<quint64>(m_lastGlobalSequence, batch->back().globalSequenceNumber);
        updateStatus();
    });

    createActions();
    createStatusBar();
    restoreSettings();
    onClosed();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    auto *newAction = file->addAction(tr("&New Database…"), this, [this] {
        if (auto request = DatabaseTasks::askNewDatabase(this))
            openDatabase(*request);
    });
    newAction->setShortcut(QKeySequence::New);
    auto *open = file->addAction(tr("&Open…"), this, [this] { openWithDialog(false); });
    open->setShortcut(QKeySequence::Open);
    auto *openReadOnly = file->addAction(tr("Open &Read-Only…"), this, [this] { openWithDialog(true); });
    openReadOnly->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_recentMenu = file->addMenu(tr("Recent &Databases"));
    file->addAction(tr("Open De&fault Database"), this, [this] {
        openDatabase(OpenRequest{defaultDatabasePath(), false, true, Serializer::Json}, true);
    });
    file->addSeparator();
    auto *importAction = file->addAction(tr("&Import…"), this, [this] { showImportDialog(); });
    importAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I));
    importAction->setToolTip(tr("Import a JSON, NDJSON or msgpack record stream (or drop the file on the window)"));
    m_writeActions.append(importAction);
    auto *exportAction = file->addAction(tr("&Export…"), this, [this] { showExportDialog(); });
    exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    // And from the table's context menu.
    auto *exportRows = new QAction(tr("Export Selected Rows…"), this);
    connect(exportRows, &QAction::triggered, this, [this] { showExportDialog(int(ExportDialog::What::Selection)); });
    auto *exportTable = new QAction(tr("Export This Table…"), this);
    connect(exportTable, &QAction::triggered, this, [this] { showExportDialog(int(ExportDialog::What::Table)); });
    m_page->view()->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_page->view()->addActions({exportRows, exportTable});
    file->addSeparator();
    m_closeAction = file->addAction(tr("&Close Database"), m_service, &StoreService::close);
    m_closeAction->setShortcut(QKeySequence::Close);
    file->addSeparator();
    auto *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_databaseDock->toggleViewAction());
    view->addAction(m_inspectorDock->toggleViewAction());
    view->addAction(m_editorDock->toggleViewAction());
    view->addAction(tr("New &Live Pane"), this, &MainWindow::newLivePane)
        ->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    view->addSeparator();
    m_newestFirstAction = view->addAction(tr("&Newest First"));
    m_newestFirstAction->setCheckable(true);
    m_newestFirstAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    connect(m_newestFirstAction, &QAction::toggled, m_page, &RecordPage::setNewestFirst);
    m_utcAction = view->addAction(tr("Times in &UTC"));
    m_utcAction->setCheckable(true);
    connect(m_utcAction, &QAction::toggled, this, [this](bool utc) {
        m_page->setUtc(utc);
        m_inspectorDock->setUtc(utc);
    });

    QMenu *go = menuBar()->addMenu(tr("&Go"));
    go->addAction(m_page->goToAction());
    go->addAction(m_page->findAction());
    auto *focusTree = go->addAction(tr("&Database Tree"), this, [this] {
        m_databaseDock->show();
        m_databaseDock->filterEdit()->setFocus();
    });
    focusTree->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));

    QMenu *tools = menuBar()->addMenu(tr("&Tools"));
    m_checkAction = tools->addAction(tr("&Check Database…"), m_tasks, &DatabaseTasks::runCheck);
    auto *sample = tools->addAction(tr("Fill With &Sample Data…"), this, [this] { m_tasks->fillWithSampleData(10000); });
    m_writeActions.append(sample);
    tools->addSeparator();
    tools->addAction(m_editorDock->appendAction());
    tools->addAction(m_editorDock->deleteStreamAction());
    const QList<QAction *> writing = {m_editorDock->appendAction(), m_editorDock->deleteStreamAction(),
                                      m_page->appendLikeAction(), m_inspectorDock->inspector()->appendLikeAction()};
    m_writeActions << writing;
    tools->addSeparator();
    tools->addAction(m_serve->toggleAction());
    connect(m_serve, &ServeControl::serveFailed, this, [this](const QString &message) {
        tell(QMessageBox::Warning, tr("Serve on Port"), message);
    });
    m_openDatabaseActions = {m_closeAction, m_checkAction, sample, m_page->goToAction(), m_page->findAction()};
    m_openDatabaseActions << importAction << exportAction << exportRows << exportTable;
    m_openDatabaseActions << writing;

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About RangeDB Workbench"), this, [this] {
        QMessageBox::about(this, tr("About RangeDB Workbench"),
                           tr("<h3>RangeDB Workbench</h3><p>A desktop browser and workbench for rangedb "
                              "(v0.12.0) event stores.</p>"));
    });
}

void MainWindow::createStatusBar()
{
    m_pathLabel = statusLabel(this, QStringLiteral("pathLabel"));
    m_pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_serializerLabel = statusLabel(this, QStringLiteral("serializerLabel"));
    m_readOnlyBadge = statusLabel(this, QStringLiteral("readOnlyBadge"));
    m_readOnlyBadge->setText(tr("READ-ONLY"));
    m_readOnlyBadge->setStyleSheet(QStringLiteral(
        "QLabel { background: #b3261e; color: white; border-radius: 3px; padding: 1px 6px; font-weight: bold; }"));
    m_totalLabel = statusLabel(this, QStringLiteral("totalLabel"));
    m_lastGsnLabel = statusLabel(this, QStringLiteral("lastGsnLabel"));
    statusBar()->addWidget(m_pathLabel, 1);
    statusBar()->addPermanentWidget(m_serve->statusLabel());
    statusBar()->addPermanentWidget(m_readOnlyBadge);
    statusBar()->addPermanentWidget(m_serializerLabel);
    statusBar()->addPermanentWidget(m_totalLabel);
    statusBar()->addPermanentWidget(m_lastGsnLabel);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        // First run: most of the screen, centred.
        const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1400, 900);
        resize(std::min(1500, available.width() * 9 / 10), std::min(920, available.height() * 9 / 10));
        move(available.center() - rect().center());
    }
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_utcAction->setChecked(settings.value(QStringLiteral("view/utc"), false).toBool());
    m_newestFirstAction->setChecked(settings.value(QStringLiteral("view/newestFirst"), false).toBool());
    updateRecentMenu();
}

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("view/utc"), m_utcAction->isChecked());
    settings.setValue(QStringLiteral("view/newestFirst"), m_newestFirstAction->isChecked());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

void MainWindow::addRecent(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentDatabases")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(QStringLiteral("recentDatabases"), recent);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentDatabases")).toStringList();
    for (const QString &path : recent) {
        m_recentMenu->addAction(QDir::toNativeSeparators(path), this,
                                [this, path] { openDatabase(OpenRequest{path, false, false, Serializer::Json}); });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
    if (!recent.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear List"), this, [this] {
            QSettings().remove(QStringLiteral("recentDatabases"));
            updateRecentMenu();
        });
    }
}

int MainWindow::tell(int icon, const QString &title, const QString &text, int buttons, int defaultButton)
{
    m_lastMessage = text;
    if (!m_interactive)
        return QMessageBox::NoButton;
    QMessageBox box(QMessageBox::Icon(icon), title, text,
                    buttons ? QMessageBox::StandardButtons(buttons) : QMessageBox::StandardButtons(QMessageBox::Ok),
                    this);
    if (defaultButton)
        box.setDefaultButton(QMessageBox::StandardButton(defaultButton));
    return box.exec();
}

void MainWindow::openDatabase(const OpenRequest &request, bool isDefault)
{
    m_openingDefault = isDefault;
    statusBar()->showMessage(tr("Opening %1…").arg(QDir::toNativeSeparators(request.path)));
    m_service->open(request);
}

void MainWindow::openWithDialog(bool readOnly)
{
    const QString path = QFileDialog::getExistingDirectory(
        this, readOnly ? tr("Open Database Read-Only") : tr("Open Database"),
        QSettings().value(QStringLiteral("lastDirectory"), QDir::homePath()).toString());
    if (path.isEmpty())
        return;
    QSettings().setValue(QStringLiteral("lastDirectory"), QFileInfo(path).absolutePath());
    openDatabase(OpenRequest{path, readOnly, false, Serializer::Json});
}

void MainWindow::onOpened(const DatabaseInfo &info)
{
    const bool snapshot = !info.snapshotPath.isEmpty();
    setWindowTitle(tr("%1%2 — RangeDB Workbench")
                       .arg(QDir::toNativeSeparators(info.path), snapshot ? tr(" (snapshot)") : QString()));
    m_pathLabel->setText(QDir::toNativeSeparators(info.path) + (snapshot ? tr("  (read-only snapshot copy)") : QString()));
    m_pathLabel->setToolTip(snapshot ? tr("A copy in %1").arg(info.snapshotPath) : info.path);
    m_serializerLabel->setText(info.serializer == Serializer::Json ? tr("JSON") : tr("msgpack"));
    m_serializerLabel->setToolTip(tr("The encoding of new records"));
    m_readOnlyBadge->setVisible(info.readOnly);
    for (QAction *action : std::as_const(m_openDatabaseActions))
        action->setEnabled(true);
    for (QAction *action : std::as_const(m_writeActions))
        action->setEnabled(!info.readOnly);
    if (!snapshot)
        addRecent(info.path);
    statusBar()->showMessage(tr("Opened %1").arg(QDir::toNativeSeparators(info.path)), 4000);
    m_page->setScope(Scope::allEvents(), tr("All events"));
    m_lastGlobalSequence = 0;
    m_service->run(
        this, [](Store &store, std::stop_token) { return store.lastGlobalSequenceNumber(); },
        [this](Result<std::uint64_t> last) {
            if (last.ok())
                m_lastGlobalSequence = std::max<quint64>(m_lastGlobalSequence, last.value());
            updateStatus();
        });
    updateStatus();

    const bool offerSamples = m_openingDefault && info.empty && !info.readOnly;
    m_openingDefault = false;
    if (offerSamples && m_interactive
        && tell(QMessageBox::Question, tr("An Empty Database"),
                tr("The default database is empty. Fill it with 10,000 sample events (accounts, orders, "
                   "sensors, …) to explore the workbench?"),
                QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes)
            == QMessageBox::Yes) {
        m_tasks->fillWithSampleData(10000);
    }
}

void MainWindow::onOpenFailed(const OpenRequest &request, const Status &error)
{
    m_openingDefault = false;
    statusBar()->clearMessage();
    const QString path = QDir::toNativeSeparators(request.path);
    const QString detail = QString::fromStdString(error.message());
    switch (error.code()) {
    case ErrorCode::DatabaseLocked: {
        const int answer = tell(QMessageBox::Warning, tr("Database In Use"),
                                tr("<p>%1 is open in another program (for example a running rangedb server or "
                                   "another workbench). A LevelDB database can be open in one program at a time.</p>"
                                   "<p>You can open a read-only snapshot copy of it instead: a copy of the folder "
                                   "as it is now, which nothing will change.</p>")
                                    .arg(path.toHtmlEscaped()),
                                QMessageBox::Open | QMessageBox::Cancel, QMessageBox::Open);
        if (answer == QMessageBox::Open) {
            OpenRequest snapshot = request;
            snapshot.snapshotCopy = true;
            snapshot.readOnly = true;
            openDatabase(snapshot);
        }
        return;
    }
    case ErrorCode::Corruption:
        tell(QMessageBox::Critical, tr("Database Damaged"),
             tr("<p>%1 cannot be opened: LevelDB reports that it is damaged.</p><p><tt>%2</tt></p>"
                "<p>If only some records are damaged, opening a read-only snapshot copy may still work, and "
                "Tools ▸ Check Database lists what is wrong.</p>")
                 .arg(path.toHtmlEscaped(), detail.toHtmlEscaped()));
        return;
    case ErrorCode::NotADatabase:
        tell(QMessageBox::Warning, tr("Not a Database"),
             tr("<p>%1 does not hold a rangedb database.</p><p><tt>%2</tt></p>"
                "<p>Use File ▸ New Database to create one.</p>")
                 .arg(path.toHtmlEscaped(), detail.toHtmlEscaped()));
        return;
    default:
        tell(QMessageBox::Critical, tr("Cannot Open Database"),
             tr("<p>%1 could not be opened.</p><p><tt>%2</tt></p>").arg(path.toHtmlEscaped(), detail.toHtmlEscaped()));
        return;
    }
}

void MainWindow::onReadFailed(const QString &message)
{
    statusBar()->showMessage(tr("Reading failed: %1").arg(message), 15000);
    // Once per open database: a read that fails (rather than one record that does not
    // decode, which the table shows as a row) usually means a damaged file.
    if (m_offeredCheck || !m_service->isOpen())
        return;
    m_offeredCheck = true;
    const int answer = tell(QMessageBox::Warning, tr("Database Damaged?"),
                            tr("<p>Reading the database failed:</p><p><tt>%1</tt></p>"
                               "<p>The database may be damaged. Run the check now to list what is wrong? "
                               "It only reads.</p>")
                                .arg(message.toHtmlEscaped()),
                            QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer == QMessageBox::Yes)
        m_tasks->runCheck();
}

void MainWindow::onClosed()
{
    m_offeredCheck = false;
    setWindowTitle(tr("RangeDB Workbench"));
    m_pathLabel->setText(tr("No database open — File ▸ Open, or drop a database folder here"));
    m_serializerLabel->clear();
    m_readOnlyBadge->hide();
    m_totalLabel->clear();
    m_lastGsnLabel->clear();
    for (QAction *action : std::as_const(m_openDatabaseActions))
        action->setEnabled(false);
}

void MainWindow::updateStatus()
{
    if (!m_service->isOpen())
        return;
    const QLocale locale;
    const auto *tree = m_databaseDock->model();
    m_totalLabel->setText(tr("%1 events%2").arg(locale.toString(tree->totalEvents()),
                                                tree->isCounting() ? tr(" (counting…)") : QString()));
    m_lastGsnLabel->setText(tr("last global # %1").arg(locale.toString(m_lastGlobalSequence)));
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    // A folder opens as a database; a file is imported into the open one.
    const auto urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile() && QFileInfo::exists(urls.front().toLocalFile()))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.size() != 1 || !urls.front().isLocalFile())
        return;
    const QString path = urls.front().toLocalFile();
    event->acceptProposedAction();
    if (QFileInfo(path).isDir()) {
        openDatabase(OpenRequest{path, false, false, Serializer::Json});
    } else if (!m_service->isOpen()) {
        tell(QMessageBox::Information, tr("Import"),
             tr("Open or create a database first (File ▸ Open, File ▸ New Database), then drop %1 on the window "
                "to import it.")
                 .arg(QFileInfo(path).fileName()));
    } else if (m_service->isReadOnly()) {
        tell(QMessageBox::Information, tr("Import"),
             tr("The database is open read-only, so nothing can be imported into it. Open it writable "
                "(File ▸ Open) to import %1.")
                 .arg(QFileInfo(path).fileName()));
    } else {
        showImportDialog(path);
    }
}

ExportDialog *MainWindow::showExportDialog(int what, const Scope &scope)
{
    if (!m_service->isOpen())
        return nullptr;
    auto *dialog = new ExportDialog(m_service, ExportSources::collect(m_databaseDock->model(), m_page), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (what >= 0)
        dialog->choose(ExportDialog::What(what), scope);
    connect(dialog, &ExportDialog::exportFinished, this, [this](const QString &path, quint64 records, quint64 bytes) {
        statusBar()->showMessage(tr("Exported %1 records (%2) to %3")
                                     .arg(QLocale().toString(records), QLocale().formattedDataSize(qint64(bytes)),
                                          QDir::toNativeSeparators(path)),
                                 10000);
    });
    dialog->open();
    return dialog;
}

ImportDialog *MainWindow::showImportDialog(const QString &file)
{
    if (!m_service->isOpen())
        return nullptr;
    auto *dialog = new ImportDialog(m_service, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ImportDialog::importFinished, this, &MainWindow::afterImport);
    if (!file.isEmpty())
        dialog->setFile(file);
    dialog->open();
    return dialog;
}

void MainWindow::afterImport(bool succeeded, bool restore)
{
    Q_UNUSED(restore); // both modes hand their records to the live feed only once all landed
    if (succeeded)
        statusBar()->showMessage(tr("Import finished"), 8000);
    // The counter, exactly: a failed or cancelled import puts it back, and live batches
    // only ever raise it.
    m_service->run(
        this, [](Store &store, std::stop_token) { return store.lastGlobalSequenceNumber(); },
        [this](Result<std::uint64_t> last) {
            if (last.ok())
                m_lastGlobalSequence = last.value();
            updateStatus();
        });
}

LiveDock *MainWindow::newLivePane()
{
    auto *dock = new LiveDock(m_service, this);
    dock->setObjectName(QStringLiteral("liveDock%1").arg(++m_livePanes));
    dock->setWindowTitle(m_livePanes == 1 ? tr("Live") : tr("Live %1").arg(m_livePanes));
    dock->setAttribute(Qt::WA_DeleteOnClose);
    dock->setUtc(m_utcAction->isChecked());
    connect(m_utcAction, &QAction::toggled, dock, &LiveDock::setUtc);
    connect(dock, &LiveDock::currentRecordChanged, m_inspectorDock, &InspectorDock::showRow);
    connect(dock, &LiveDock::appendLikeRequested, m_editorDock, &EventEditorDock::appendLike);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->show();
    return dock;
}

void MainWindow::showTreeContextMenu(const Scope &scope, const QPoint &globalPosition)
{
    QMenu menu(this);
    menu.addAction(tr("Show %1").arg(scopeTitle(scope)), this,
                   [this, scope] { m_page->setScope(scope, scopeTitle(scope)); });
    if (scope.kind == Scope::Kind::Stream) {
        menu.addAction(tr("Copy Stream Name"), this,
                       [scope] { QApplication::clipboard()->setText(QString::fromStdString(scope.stream)); });
    }
    // Writing (the Append dock does it): append to the stream or the type, delete the stream.
    const bool writable = m_service->isOpen() && !m_service->isReadOnly();
    if (const auto parsed = parseStreamName(scope.stream); scope.kind == Scope::Kind::Stream && parsed.ok()) {
        const QString type = QString::fromStdString(parsed.value().first);
        const QString id = QString::fromStdString(parsed.value().second);
        menu.addSeparator();
        menu.addAction(tr("Append to This Stream…"), this, [this, type, id] { m_editorDock->appendTo(type, id); })
            ->setEnabled(writable);
        menu.addAction(tr("Delete Stream…"), this,
                       [this, scope] { m_editorDock->deleteStream(QString::fromStdString(scope.stream)); })
            ->setEnabled(writable);
    } else if (scope.kind == Scope::Kind::AggregateTypes && scope.aggregateTypes.size() == 1) {
        const QString type = QString::fromStdString(scope.aggregateTypes.front());
        menu.addSeparator();
        menu.addAction(tr("Append Event of This Type…"), this, [this, type] { m_editorDock->appendTo(type, {}); })
            ->setEnabled(writable);
    }
    menu.addSeparator();
    const int what = int(scope.kind == Scope::Kind::Stream           ? ExportDialog::What::Stream
                         : scope.kind == Scope::Kind::AggregateTypes ? ExportDialog::What::AggregateTypes
                                                                     : ExportDialog::What::AllEvents);
    menu.addAction(tr("Export…"), this, [this, what, scope] { showExportDialog(what, scope); })
        ->setEnabled(m_service->isOpen());
    menu.exec(globalPosition);
}

} // namespace rangedb::ui
