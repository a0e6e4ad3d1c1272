#pragma once

#include <rangedb/status.h>

#include <QWidget>

#include <string_view>

class QAction;
class QButtonGroup;
class QPlainTextEdit;
class QStackedWidget;
class QTreeView;

namespace rangedb::ui {

class JsonHighlighter;
class JsonTreeModel;

// One JSON value shown two ways, switchable: an expandable tree (JsonTreeModel in a
// QTreeView, with Copy value / Copy path / Expand all / Collapse all in its context menu
// and as shortcuts) and pretty, highlighted, read-only monospace text. Used by the record
// inspector for data and metadata. Holds values only, never a store. GUI thread.
class JsonView : public QWidget
{
    Q_OBJECT

public:
    enum Mode { TreeMode, TextMode };

    explicit JsonView(QWidget *parent = nullptr);
    ~JsonView() override;

    // Shows `json` (exact JSON text); `rootName` starts the copied paths. On invalid JSON
    // both views show nothing and the error is returned (the inspector shows it).
    Status setJson(std::string_view json, const QString &rootName);
    void clear();

    void setMode(Mode mode);
    Mode mode() const;

    JsonTreeModel *model() const { return m_model; }
    QTreeView *treeView() const { return m_tree; }
    QPlainTextEdit *textView() const { return m_text; }

    // The actions on the tree's current item; they put text on the clipboard.
    QAction *copyValueAction() const { return m_copyValue; }
    QAction *copyPathAction() const { return m_copyPath; }

signals:
    void modeChanged(rangedb::ui::JsonView::Mode mode);

protected:
    void changeEvent(QEvent *event) override;

private:
    void copyRole(int role);
    void updateActions();

    JsonTreeModel *m_model;
    QTreeView *m_tree;
    QPlainTextEdit *m_text;
    JsonHighlighter *m_highlighter;
    QStackedWidget *m_stack;
    QButtonGroup *m_modeButtons;
    QAction *m_copyValue;
    QAction *m_copyPath;
};

} // namespace rangedb::ui
