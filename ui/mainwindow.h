#pragma once

#include "storeservice.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QMenu;

namespace rangedb::ui {

class DatabaseDock;
class DatabaseTasks;
class EventEditorDock;
class ExportDialog;
class ImportDialog;
class InspectorDock;
class LiveDock;
class RecordPage;
class ServeControl;

// The workbench window. It only composes: the Database dock (tree), the record page
// (table, search) in the middle, the Record dock (inspector), menus and the status bar.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    StoreService *service() const { return m_service; }
    DatabaseDock *databaseDock() const { return m_databaseDock; }
    InspectorDock *inspectorDock() const { return m_inspectorDock; }
    RecordPage *recordPage() const { return m_page; }
    EventEditorDock *editorDock() const { return m_editorDock; }
    ServeControl *serveControl() const { return m_serve; }

    // Opens another Live pane (View ▸ New Live Pane) and returns it; it deletes itself when
    // closed.
    LiveDock *newLivePane();

    // Opens a database; `isDefault` marks the embedded default database (offer sample
    // data when it is empty).
    void openDatabase(const OpenRequest &request, bool isDefault = false);
    // Whether message boxes may be shown (tests switch them off and read lastMessage()).
    void setInteractive(bool interactive) { m_interactive = interactive; }
    QString lastMessage() const { return m_lastMessage; }
    // Actions that write to the open database; disabled when it is read-only.
    QList<QAction *> writeActions() const { return m_writeActions; }

    // File ▸ Export… with `what` (an ExportDialog::What, -1: the table's scope) and its
    // scope chosen, and File ▸ Import… with `file` chosen. The dialog is shown window-modal
    // and deletes itself when closed; null when no database is open.
    ExportDialog *showExportDialog(int what = -1, const Scope &scope = {});
    ImportDialog *showImportDialog(const QString &file = {});

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createStatusBar();
    void restoreSettings();
    void saveSettings();
    void updateRecentMenu();
    void addRecent(const QString &path);
    void onOpened(const DatabaseInfo &info);
    void onOpenFailed(const OpenRequest &request, const Status &error);
    void onClosed();
    void onReadFailed(const QString &message);
    void updateStatus();
    void openWithDialog(bool readOnly);
    void showTreeContextMenu(const Scope &scope, const QPoint &globalPosition);
    // Brings tree, table and status up to date after an import (see the .cpp for restore).
    void afterImport(bool succeeded, bool restore);
    // A message box when interactive; always remembered for tests.
    int tell(int icon, const QString &title, const QString &text, int buttons = 0, int defaultButton = 0);

    StoreService *m_service;
    DatabaseDock *m_databaseDock;
    InspectorDock *m_inspectorDock;
    RecordPage *m_page;
    DatabaseTasks *m_tasks;
    ServeControl *m_serve;
    int m_livePanes = 0;

    EventEditorDock *m_editorDock = nullptr;
    QMenu *m_recentMenu = nullptr;
    QAction *m_closeAction = nullptr;
    QAction *m_checkAction = nullptr;
    QAction *m_utcAction = nullptr;
    QAction *m_newestFirstAction = nullptr;
    QList<QAction *> m_writeActions;
    QList<QAction *> m_openDatabaseActions;

    QLabel *m_pathLabel = nullptr;
    QLabel *m_serializerLabel = nullptr;
    QLabel *m_readOnlyBadge = nullptr;
    QLabel *m_totalLabel = nullptr;
    QLabel *m_lastGsnLabel = nullptr;

    quint64 m_lastGlobalSequence = 0;
    bool m_interactive = true;
    bool m_openingDefault = false;
    bool m_offeredCheck = false;
    QString m_lastMessage;
};

} // namespace rangedb::ui
