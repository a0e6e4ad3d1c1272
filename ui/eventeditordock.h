#pragma once

#include "rangedb/record.h"
#include "storeservice.h"

#include <QDockWidget>
#include <QHash>
#include <QPointer>
#include <QSet>

#include <optional>

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStringListModel;
class QTabWidget;
class QTableView;
class QTimer;
class QToolButton;

namespace rangedb::ui {

class ConflictView;
class DatabaseTreeModel;
class DeleteStreamDialog;
class JsonEdit;
class StagedEventModel;

// The "Append" dock: writes events to the open database, with optimistic concurrency.
//
// The form (aggregate type, ID, event type, data, metadata) is validated as the user types;
// each problem is shown next to its field and keeps Stage and Save disabled. Events are
// staged for one stream (the list shows the stream and global sequence numbers they would
// get, following the store live), reordered, edited, removed, and saved in ONE atomic
// Store::optimisticSave (or Store::save when the expected number is "any"). The expected
// number is the stream's head when the stream was picked; the dock never moves it by
// itself while events are staged, so a write by someone else in between is a conflict:
// the dock then lists the events appended since and offers to re-base or discard. A
// failed save leaves the store as it was and the staged events in place.
//
// Also: "Append like this" (appendLike), named templates (QSettings), and deleting a stream
// (a confirmation dialog, optimisticDeleteStream with the confirmed count). Everything
// touching the store runs on the StoreService's workers; GUI thread only.
class EventEditorDock : public QDockWidget
{
    Q_OBJECT

public:
    // `tree` supplies the aggregate types for completion; both outlive the dock.
    EventEditorDock(StoreService *service, DatabaseTreeModel *tree, QWidget *parent = nullptr);
    ~EventEditorDock() override;

    // Fills the form with a record's stream, event type, data and metadata and shows the dock.
    void appendLike(const Record &record);
    // Shows the dock with the form set to a stream (or only a type, when `aggregateId` is empty).
    void appendTo(const QString &aggregateType, const QString &aggregateId);
    // Counts the stream's events on a worker, then asks (DeleteStreamDialog) and deletes.
    void deleteStream(const QString &streamName);

    // Stages the form's event (or updates the staged event being edited). False, with the
    // reason shown, when the form is invalid or the event is for another stream.
    bool stage();
    // Loads a staged event into the form; Stage then updates it.
    void editStaged(int row);
    void removeStaged(int row);
    void moveStaged(int row, int delta);
    // Saves the staged events (the form's event when none is staged) in one call.
    void save();
    // After a conflict: expect the stream's new head / drop the staged events.
    void rebase();
    void discardStaged();

    void saveTemplate(const QString &name);
    bool applyTemplate(const QString &name);
    void removeTemplate(const QString &name);

    // Why Save is disabled (empty when it is enabled).
    QString saveBlocker() const;
    // The problem shown next to a form field (empty when none).
    QString aggregateTypeProblem() const;
    QString aggregateIdProblem() const;
    QString eventTypeProblem() const;

    QString stagedStream() const { return m_stagedStream; }
    // The stream the staged list and the expected number are about.
    QString targetStream() const;
    bool isHeadKnown() const { return m_headKnown; }
    quint64 streamHead() const { return m_head; }
    bool isSaving() const { return m_saving; }
    QStringList eventTypeCompletions() const;
    QStringList aggregateIdCompletions() const;

    QLineEdit *aggregateTypeEdit() const { return m_type; }
    QLineEdit *aggregateIdEdit() const { return m_id; }
    QLineEdit *eventTypeEdit() const { return m_eventType; }
    JsonEdit *dataEdit() const { return m_data; }
    JsonEdit *metadataEdit() const { return m_metadata; }
    QLineEdit *expectedEdit() const { return m_expected; }
    QCheckBox *anyExpectedBox() const { return m_any; }
    QPushButton *stageButton() const { return m_stageButton; }
    QPushButton *saveButton() const { return m_saveButton; }
    QPushButton *deleteButton() const { return m_deleteButton; }
    QPushButton *newIdButton() const { return m_newId; }
    QPushButton *rebaseButton() const { return m_rebaseButton; }
    QPushButton *discardButton() const { return m_discardButton; }
    QComboBox *templateBox() const { return m_templates; }
    StagedEventModel *stagedModel() const { return m_staged; }
    QTableView *stagedView() const { return m_stagedView; }
    ConflictView *conflictView() const { return m_conflict; }
    // The open delete confirmation, if any.
    DeleteStreamDialog *deleteDialog() const;
    QLabel *statusLabel() const { return m_status; }

    // Shows the dock and focuses the form (Ctrl+E). A write action: disabled read-only.
    QAction *appendAction() const { return m_appendAction; }
    // Deletes the form's stream. A write action.
    QAction *deleteStreamAction() const { return m_deleteAction; }

Q_SIGNALS:
    // A save landed and its records have reached the live feed (so tables hold them).
    void saved(const QString &stream, quint64 firstGlobal, quint64 lastGlobal);
    void saveFailed(const QString &message);
    // The conflict view is filled and shown.
    void conflictShown();
    void streamDeleteFinished(const QString &stream, bool deleted);
    void statusMessage(const QString &message);

private:
    QWidget *buildForm();
    QWidget *buildStaging();
    void onOpened(const DatabaseInfo &info);
    void onClosed();
    void onRecordsAppended(const RecordBatch &batch);
    void onStreamDeleted(const QString &stream);
    void onFormStreamSettled();
    void trackStream(const QString &stream);
    void fetchCompletions(const QString &aggregateType);
    void updateTypeCompletions();
    void validate();
    void updateStagedTitle();
    void setStatus(const QString &text, bool error);
    void showConflict(const QString &stream, quint64 expected, quint64 actual, int events);
    void setExpected(quint64 value);
    std::optional<quint64> expectedValue() const;
    QString formStream() const;
    EventRecord formEvent() const;
    void reloadTemplates();
    void runDelete(const QString &stream, quint64 expected);

    StoreService *m_service;
    DatabaseTreeModel *m_tree;

    QLabel *m_banner = nullptr;
    QWidget *m_content = nullptr;
    QLineEdit *m_type = nullptr;
    QLineEdit *m_id = nullptr;
    QLineEdit *m_eventType = nullptr;
    QLabel *m_typeProblem = nullptr;
    QLabel *m_idProblem = nullptr;
    QLabel *m_eventTypeProblem = nullptr;
    QPushButton *m_newId = nullptr;
    QTabWidget *m_jsonTabs = nullptr;
    JsonEdit *m_data = nullptr;
    JsonEdit *m_metadata = nullptr;
    QComboBox *m_templates = nullptr;
    QToolButton *m_saveTemplate = nullptr;
    QToolButton *m_removeTemplate = nullptr;
    QPushButton *m_stageButton = nullptr;
    QPushButton *m_cancelEdit = nullptr;
    QLabel *m_stageProblem = nullptr;

    QLabel *m_stagedTitle = nullptr;
    StagedEventModel *m_staged = nullptr;
    QTableView *m_stagedView = nullptr;
    QToolButton *m_up = nullptr;
    QToolButton *m_down = nullptr;
    QToolButton *m_edit = nullptr;
    QToolButton *m_remove = nullptr;
    QLineEdit *m_expected = nullptr;
    QCheckBox *m_any = nullptr;
    QLabel *m_expectedNote = nullptr;
    ConflictView *m_conflict = nullptr;
    QPushButton *m_rebaseButton = nullptr;
    QPushButton *m_discardButton = nullptr;
    QPushButton *m_saveButton = nullptr;
    QPushButton *m_clearButton = nullptr;
    QPushButton *m_deleteButton = nullptr;
    QLabel *m_saveProblem = nullptr;
    QLabel *m_status = nullptr;

    QAction *m_appendAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QTimer *m_formTimer = nullptr;
    QStringListModel *m_typeModel = nullptr;
    QStringListModel *m_idModel = nullptr;
    QStringListModel *m_eventTypeModel = nullptr;
    QPointer<DeleteStreamDialog> m_deleteDialog;

    QString m_stagedStream;   // the stream of the staged events; empty when none is staged
    QString m_headStream;     // the stream m_head is about
    quint64 m_head = 0;       // its last stream sequence number
    bool m_headKnown = false;
    quint64 m_lastGlobal = 0; // the store's last global sequence number, followed live
    quint64 m_headGeneration = 0;
    bool m_expectedEdited = false; // the user (or a re-base) chose the expected number
    int m_editingRow = -1;
    bool m_saving = false;
    QString m_completionType; // the aggregate type the ID and event type completions are for
    quint64 m_completionGeneration = 0;
    QHash<QString, QSet<QString>> m_eventTypes; // seen event types by aggregate type
    struct PendingSelection
    {
        QString stream;
        quint64 first = 0;
        quint64 last = 0;
    };
    std::optional<PendingSelection> m_pendingSelection; // a save waiting for its live batch
};

} // namespace rangedb::ui
