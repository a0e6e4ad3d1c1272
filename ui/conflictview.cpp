#include "conflictview.h"

#include "recordtablemodel.h"

#include <QAbstractTableModel>
#include <QDialogButtonBox>
#include <QFontMetrics>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTableView>
#include <QVBoxLayout>

namespace rangedb::ui {

// The intruding events: a short, fixed list (at most ConflictView::kMaxListed).
class ConflictRecordsModel : public QAbstractTableModel
{
public:
    enum Column { StreamSequence, GlobalSequence, Time, EventType, Data, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setRecords(std::vector<Record> records)
    {
        beginResetModel();
        m_records = std::move(records);
        endResetModel();
    }
    const std::vector<Record> &records() const { return m_records; }

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_records.size()); }
    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : ColumnCount; }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
            return {};
        const Record &record = m_records[std::size_t(index.row())];
        if (role == Qt::ToolTipRole && index.column() == Data)
            return QString::fromStdString(record.data);
        if (role == Qt::TextAlignmentRole && (index.column() == StreamSequence || index.column() == GlobalSequence))
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        if (role != Qt::DisplayRole)
            return {};
        switch (index.column()) {
        case StreamSequence:
            return quint64(record.streamSequenceNumber);
        case GlobalSequence:
            return quint64(record.globalSequenceNumber);
        case Time:
            return RecordTableModel::formatTime(record.insertTimestamp, false);
        case EventType:
            return QString::fromStdString(record.eventType);
        case Data:
            return RecordTableModel::dataPreview(record.data);
        }
        return {};
    }

    QVariant headerData(int section, Qt::Orientation orientation, int role) const override
    {
        if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
            return {};
        static const char *const names[ColumnCount] = {QT_TR_NOOP("Stream #"), QT_TR_NOOP("Global #"),
                                                        QT_TR_NOOP("Time"), QT_TR_NOOP("Event type"),
                                                        QT_TR_NOOP("Data")};
        return section >= 0 && section < ColumnCount ? ConflictView::tr(names[section]) : QVariant();
    }

private:
    std::vector<Record> m_records;
};

ConflictView::ConflictView(QWidget *parent)
    : QWidget(parent),
      m_headline(new QLabel(this)),
      m_view(new QTableView(this)),
      m_model(new ConflictRecordsModel(this)),
      m_buttons(new QDialogButtonBox(this))
{
    setObjectName(QStringLiteral("conflictView"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_headline->setObjectName(QStringLiteral("conflictHeadline"));
    m_headline->setWordWrap(true);
    m_headline->setTextFormat(Qt::RichText);
    m_view->setObjectName(QStringLiteral("conflictTable"));
    m_view->setModel(m_model);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(QFontMetrics(font()).height() + 6);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setMinimumHeight(90);
    layout->addWidget(m_headline);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_buttons);
}

void ConflictView::setConflict(const QString &action, const QString &stream, quint64 expected, quint64 actual,
                               std::vector<Record> intruders)
{
    m_expected = expected;
    m_actual = actual;
    const QLocale locale;
    const QString name = QStringLiteral("<b>%1</b>").arg(stream.toHtmlEscaped());
    QString text = tr("<b>Conflict.</b> %1 was refused: you expected %2 to be at event %3, but it is at event %4.")
                       .arg(action.toHtmlEscaped(), name, locale.toString(expected), locale.toString(actual));
    if (actual > expected) {
        const quint64 appended = actual - expected;
        text += QLatin1Char(' ')
            + (appended == 1 ? tr("1 event was appended since then:")
                             : tr("%1 events were appended since then:").arg(locale.toString(appended)));
        if (actual - expected > intruders.size())
            text += QLatin1Char(' ') + tr("(the first %1 are listed)").arg(locale.toString(quint64(intruders.size())));
    } else if (actual == 0) {
        text += QLatin1Char(' ') + tr("The stream has been deleted meanwhile.");
    } else {
        text += QLatin1Char(' ') + tr("The stream holds fewer events than you expected (it was deleted and written again).");
    }
    m_headline->setText(text);
    m_model->setRecords(std::move(intruders));
    m_view->setVisible(m_model->rowCount() > 0);
    m_view->resizeColumnsToContents();
}

QString ConflictView::headline() const
{
    return m_headline->text();
}

const std::vector<Record> &ConflictView::intruders() const
{
    return m_model->records();
}

} // namespace rangedb::ui
