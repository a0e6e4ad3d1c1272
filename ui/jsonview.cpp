#include "jsonview.h"

#include "jsonhighlighter.h"
#include "jsontreemodel.h"

#include <rangedb/json.h>

#include <QAction>
#include <QApplication>
#include <QButtonGroup>
#include <QClipboard>
#include <QEvent>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QStackedWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace rangedb::ui {

namespace {

// Highlighting is per line and cheap, but a multi-megabyte value would still take a
// noticeable moment on every record change; above this the text is shown plain.
constexpr qsizetype kMaxHighlightedChars = 1 << 20;

// Up to this many items the tree opens two levels deep, so small records are readable at
// once; larger ones open only the top level.
constexpr int kExpandTwoLevelsUpTo = 400;

} // namespace

JsonView::JsonView(QWidget *parent)
    : QWidget(parent),
      m_model(new JsonTreeModel(this)),
      m_tree(new QTreeView(this)),
      m_text(new QPlainTextEdit(this)),
      m_highlighter(new JsonHighlighter(m_text->document())),
      m_stack(new QStackedWidget(this)),
      m_modeButtons(new QButtonGroup(this)),
      m_copyValue(new QAction(tr("Copy &Value"), this)),
      m_copyPath(new QAction(tr("Copy &Path"), this))
{
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);

    m_tree->setModel(m_model);
    m_tree->setObjectName(QStringLiteral("jsonTree"));
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_tree->setAllColumnsShowFocus(true);
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::KeyColumn, QHeaderView::Interactive);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::ValueColumn, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(JsonTreeModel::TypeColumn, QHeaderView::ResizeToContents);
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);

    m_text->setObjectName(QStringLiteral("jsonText"));
    m_text->setReadOnly(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(mono);
    m_text->setFrameShape(QFrame::StyledPanel);

    m_copyValue->setShortcut(QKeySequence::Copy);
    m_copyPath->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C));
    for (QAction *a : {m_copyValue, m_copyPath})
        a->setShortcutContext(Qt::WidgetShortcut);
    auto *separator = new QAction(this);
    separator->setSeparator(true);
    auto *expandAll = new QAction(tr("&Expand All"), this);
    auto *collapseAll = new QAction(tr("C&ollapse All"), this);
    m_tree->addActions({m_copyValue, m_copyPath, separator, expandAll, collapseAll});
    connect(m_copyValue, &QAction::triggered, this, [this] { copyRole(JsonTreeModel::CompactJsonRole); });
    connect(m_copyPath, &QAction::triggered, this, [this] { copyRole(JsonTreeModel::PathRole); });
    connect(expandAll, &QAction::triggered, m_tree, &QTreeView::expandAll);
    connect(collapseAll, &QAction::triggered, m_tree, &QTreeView::collapseAll);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this, &JsonView::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &JsonView::updateActions);

    m_stack->addWidget(m_tree);
    m_stack->addWidget(m_text);

    // A small segmented switch above the view: Tree | Text.
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->setSpacing(0);
    const struct
    {
        Mode mode;
        QString text;
        QString tip;
    } buttons[] = {
        {TreeMode, tr("Tree"), tr("Show as an expandable tree")},
        {TextMode, tr("Text"), tr("Show as pretty-printed JSON text")},
    };
    for (const auto &b : buttons) {
        auto *button = new QToolButton(this);
        button->setText(b.text);
        button->setToolTip(b.tip);
        button->setCheckable(true);
        button->setAutoRaise(false);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setFocusPolicy(Qt::StrongFocus);
        m_modeButtons->addButton(button, b.mode);
        bar->addWidget(button);
    }
    m_modeButtons->button(TreeMode)->setChecked(true);
    bar->addStretch(1);
    auto *expandButton = new QToolButton(this);
    expandButton->setDefaultAction(expandAll);
    expandButton->setAutoRaise(true);
    auto *collapseButton = new QToolButton(this);
    collapseButton->setDefaultAction(collapseAll);
    collapseButton->setAutoRaise(true);
    bar->addWidget(expandButton);
    bar->addWidget(collapseButton);
    connect(m_modeButtons, &QButtonGroup::idClicked, this, [this](int id) { setMode(static_cast<Mode>(id)); });
    connect(this, &JsonView::modeChanged, this, [expandButton, collapseButton](Mode mode) {
        expandButton->setVisible(mode == TreeMode);
        collapseButton->setVisible(mode == TreeMode);
    });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(bar);
    layout->addWidget(m_stack, 1);
    setFocusProxy(m_tree);
    updateActions();
}

JsonView::~JsonView() = default;

Status JsonView::setJson(std::string_view json, const QString &rootName)
{
    Status status = m_model->setJson(json, rootName);
    if (!status.ok()) {
        m_text->clear();
        return status;
    }
    m_tree->expandToDepth(m_model->itemCount() <= kExpandTwoLevelsUpTo ? 1 : 0);
    m_tree->resizeColumnToContents(JsonTreeModel::KeyColumn);
    m_tree->setColumnWidth(JsonTreeModel::KeyColumn,
                           std::clamp(m_tree->columnWidth(JsonTreeModel::KeyColumn) + 16, 120, 320));
    // Keyboard navigation starts at the first row, without painting a selection on it.
    if (m_model->rowCount() > 0)
        m_tree->selectionModel()->setCurrentIndex(m_model->index(0, 0), QItemSelectionModel::NoUpdate);

    auto pretty = json::pretty(json, 2);
    const QString text = pretty.ok() ? QString::fromStdString(*pretty) : QString();
    m_highlighter->setDocument(text.size() <= kMaxHighlightedChars ? m_text->document() : nullptr);
    m_text->setPlainText(text);
    return {};
}

void JsonView::clear()
{
    m_model->clear();
    m_text->clear();
}

void JsonView::setMode(Mode mode)
{
    if (mode == this->mode() && m_modeButtons->checkedId() == mode)
        return;
    m_modeButtons->button(mode)->setChecked(true);
    const bool hadFocus = m_stack->currentWidget()->hasFocus();
    m_stack->setCurrentIndex(mode == TreeMode ? 0 : 1);
    setFocusProxy(m_stack->currentWidget());
    if (hadFocus)
        m_stack->currentWidget()->setFocus();
    emit modeChanged(mode);
}

JsonView::Mode JsonView::mode() const
{
    return m_stack->currentIndex() == 0 ? TreeMode : TextMode;
}

void JsonView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        m_highlighter->setPalette(palette());
    QWidget::changeEvent(event);
}

void JsonView::copyRole(int role)
{
    const QModelIndex current = m_tree->currentIndex();
    if (!current.isValid())
        return;
    QGuiApplication::clipboard()->setText(current.data(role).toString());
}

void JsonView::updateActions()
{
    const bool has = m_tree->currentIndex().isValid();
    m_copyValue->setEnabled(has);
    m_copyPath->setEnabled(has);
}

} // namespace rangedb::ui
