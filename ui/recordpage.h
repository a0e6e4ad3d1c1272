#pragma once

#include "rangedb/recordfilter.h"
#include "recordtablemodel.h"
#include "storeservice.h"

#include <QWidget>

#include <set>

class QAction;
class QCheckBox;
class QLabel;
class QLineEdit;
class QStringListModel;
class QProgressBar;
class QTableView;
class QToolButton;

namespace rangedb::ui {

// The record table of one scope with its tools: order, time zone, event-type filter,
// go to (Ctrl+G) and search (Ctrl+F, F3 / Shift+F3) with progress, match count and cancel.
// Owns its model; talks to the store only through the StoreService.
class RecordPage : public QWidget
{
    Q_OBJECT

public:
    explicit RecordPage(StoreService *service, QWidget *parent = nullptr);
    ~RecordPage() override;

    void setScope(const Scope &scope, const QString &title);
    const Scope &scope() const { return m_model->scope(); }
    QString title() const { return m_title; }
    RecordTableModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }

    void setUtc(bool utc);
    void setNewestFirst(bool newestFirst);
    // Selects `viewRow` and scrolls to it.
    void selectRow(int viewRow);
    // The selected row, if its page is loaded.
    const RecordRow *currentRow() const;

    // Search (also used by tests): parses, then scans in the background.
    bool startSearch(const QString &query, QString *error = nullptr);
    void cancelSearch();
    quint64 matchCount() const { return m_matchCount; }
    // The condition of the last search (null before any); what Export ▸ Search matches uses.
    std::shared_ptr<const RecordFilter> searchFilter() const { return m_filter; }
    bool isSearching() const { return m_search.isActive(); }
    void findNext();
    void findPrevious();
    void setOnlyMatches(bool only);

    // Event types of the rows loaded so far (what the event-type field completes).
    QStringList knownEventTypes() const;

    QAction *goToAction() const { return m_goTo; }
    QAction *findAction() const { return m_find; }
    // "Append Like This" in the table's context menu: emits appendLikeRequested for the
    // selected record. A write action (the window disables it for read-only databases).
    QAction *appendLikeAction() const { return m_appendLike; }
    // Locates global sequence number `first` and selects the rows up to `last` (the
    // records of one save), if the scope shows them.
    void selectGlobalRange(quint64 first, quint64 last);

Q_SIGNALS:
    // The selection moved to a row (null when nothing or a row still loading).
    void currentRecordChanged(const rangedb::ui::RecordRow *row);
    void statusMessage(const QString &message);
    void searchFinished(quint64 matches);
    void loadFailed(const QString &message);
    void appendLikeRequested(const rangedb::Record &record);

private:
    void buildUi();
    void learnEventTypes(int first, int last);
    void updateCountLabel();
    void showGoTo();
    void onCurrentChanged();
    void stepMatch(bool forward, bool includeCurrent);

    StoreService *m_service;
    RecordTableModel *m_model;
    QString m_title;

    QLabel *m_titleLabel = nullptr;
    QLabel *m_countLabel = nullptr;
    QLineEdit *m_eventTypes = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_searchEdit = nullptr;
    QLabel *m_searchStatus = nullptr;
    QProgressBar *m_searchProgress = nullptr;
    QToolButton *m_searchCancel = nullptr;
    QCheckBox *m_onlyMatches = nullptr;
    QAction *m_goTo = nullptr;
    QAction *m_find = nullptr;
    QAction *m_appendLike = nullptr;
    quint64 m_selectExtra = 0; // rows to select after the located one (selectGlobalRange)

    RequestHandle m_search;
    quint64 m_searchGeneration = 0;
    std::vector<quint64> m_matches; // oldest-first rows, at most kMaxStoredMatches
    quint64 m_matchCount = 0;
    std::shared_ptr<const RecordFilter> m_filter;
    int m_pendingSelect = -1;
    QStringListModel *m_knownEventTypes = nullptr;
    std::set<QString> m_seenEventTypes;
};

} // namespace rangedb::ui
