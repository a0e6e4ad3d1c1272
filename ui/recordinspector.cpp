#include "recordinspector.h"

#include "hexdump.h"
#include "jsonhighlighter.h"
#include "jsontreemodel.h"
#include "jsonview.h"
#include "msgpackdump.h"

#include <rangedb/json.h>

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QEvent>
#include <QFontDatabase>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QStackedWidget>
#include <QStyle>
#include <QTabWidget>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace rangedb::ui {

namespace {

// 9999-12-31T23:59:59Z: beyond it QDateTime cannot say anything useful.
constexpr quint64 kMaxFormattableSeconds = 253402300799ULL;

// The decoded pane of a stored value that is not JSON text shows at most this much of it
// as text; the hex dump above always has all of it.
constexpr qsizetype kMaxRawTextChars = 256 * 1024;

QString fromStd(const std::string &s)
{
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

QLabel *valueLabel(QWidget *parent, const QString &objectName)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::PlainText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setFocusPolicy(Qt::ClickFocus);
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    label->setMinimumWidth(60);
    return label;
}

QString bytesText(qsizetype n)
{
    return n == 1 ? RecordInspector::tr("1 byte") : RecordInspector::tr("%1 bytes").arg(QLocale().toString(n));
}

} // namespace

RecordInspector::RecordInspector(QWidget *parent)
    : QWidget(parent),
      m_pages(new QStackedWidget(this)),
      m_tabs(new QTabWidget(this)),
      m_dataView(new JsonView(this)),
      m_metadataView(new JsonView(this)),
      m_storedSummary(new QLabel(this)),
      m_hexView(new QTreeView(this)),
      m_hexModel(new HexDumpModel(this)),
      m_decoded(new QPlainTextEdit(this)),
      m_copyRecord(new QAction(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("Copy Record as &JSON"), this)),
      m_appendLike(new QAction(QIcon::fromTheme(QStringLiteral("document-new")), tr("Append &Like This…"), this))
{
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);

    // Page 0: nothing to show.
    auto *placeholder = new QLabel(tr("No record selected"), this);
    placeholder->setObjectName(QStringLiteral("placeholder"));
    placeholder->setAlignment(Qt::AlignCenter);
    m_muted.push_back(placeholder);
    m_pages->addWidget(placeholder);

    // Page 1: the record.
    auto *content = new QWidget(this);
    auto *layout = new QVBoxLayout(content);
    layout->setContentsMargins(10, 8, 10, 10);
    layout->setSpacing(6);

    auto *titleRow = new QHBoxLayout;
    titleRow->setSpacing(8);
    m_eventType = valueLabel(content, QStringLiteral("eventTypeValue"));
    QFont titleFont = m_eventType->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    titleFont.setBold(true);
    m_eventType->setFont(titleFont);
    titleRow->addWidget(m_eventType, 1);
    auto *copyButton = new QToolButton(content);
    copyButton->setObjectName(QStringLiteral("copyRecordButton"));
    copyButton->setDefaultAction(m_copyRecord);
    copyButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    copyButton->setFocusPolicy(Qt::StrongFocus);
    titleRow->addWidget(copyButton, 0, Qt::AlignTop);
    layout->addLayout(titleRow);

    m_streamName = valueLabel(content, QStringLiteral("streamNameValue"));
    m_muted.push_back(m_streamName);
    m_streamName->setFont(mono);
    m_streamName->setToolTip(tr("Stream name (aggregate type!aggregate ID)"));
    // "Append Like This" sits by the stream it appends to, leaving the title its width.
    auto *streamRow = new QHBoxLayout;
    streamRow->setSpacing(8);
    streamRow->addWidget(m_streamName, 1);
    auto *appendButton = new QToolButton(content);
    appendButton->setObjectName(QStringLiteral("appendLikeButton"));
    appendButton->setDefaultAction(m_appendLike);
    appendButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    appendButton->setFocusPolicy(Qt::StrongFocus);
    streamRow->addWidget(appendButton);
    layout->addLayout(streamRow);

    // The error banner of a record that did not decode.
    auto *banner = new QFrame(content);
    banner->setObjectName(QStringLiteral("decodeErrorBanner"));
    banner->setFrameShape(QFrame::StyledPanel);
    banner->setAutoFillBackground(true);
    auto *bannerLayout = new QHBoxLayout(banner);
    bannerLayout->setContentsMargins(10, 8, 10, 8);
    bannerLayout->setSpacing(10);
    auto *icon = new QLabel(banner);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical).pixmap(32, 32));
    icon->setAlignment(Qt::AlignTop);
    bannerLayout->addWidget(icon);
    m_errorText = new QLabel(banner);
    m_errorText->setObjectName(QStringLiteral("decodeErrorText"));
    m_errorText->setTextFormat(Qt::PlainText);
    m_errorText->setWordWrap(true);
    m_errorText->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    bannerLayout->addWidget(m_errorText, 1);
    m_errorBanner = banner;
    m_errorBanner->hide();
    layout->addWidget(m_errorBanner);

    // The envelope: label/value pairs.
    m_envelope = new QWidget(content);
    auto *grid = new QGridLayout(m_envelope);
    grid->setContentsMargins(0, 4, 0, 4);
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(3);
    // The short fields side by side; the event ID and the time, which are long, on rows of
    // their own so that a narrow dock does not cut them off.
    m_aggregateType = addField(grid, 0, 0, tr("Aggregate type"), QStringLiteral("aggregateTypeValue"));
    m_aggregateId = addField(grid, 1, 0, tr("Aggregate ID"), QStringLiteral("aggregateIdValue"));
    m_globalSequence = addField(grid, 0, 2, tr("Global #"), QStringLiteral("globalSequenceValue"));
    m_streamSequence = addField(grid, 1, 2, tr("Stream #"), QStringLiteral("streamSequenceValue"));
    m_eventId = addField(grid, 2, 0, tr("Event ID"), QStringLiteral("eventIdValue"), 3);
    m_insertTime = addField(grid, 3, 0, tr("Inserted"), QStringLiteral("insertTimeValue"), 3);
    m_eventId->setFont(mono);
    grid->setColumnStretch(1, 3);
    grid->setColumnStretch(3, 2);
    layout->addWidget(m_envelope);

    // Stored bytes: a summary line, then the hex dump above the decoded form.
    auto *stored = new QWidget(this);
    auto *storedLayout = new QVBoxLayout(stored);
    storedLayout->setContentsMargins(0, 4, 0, 0);
    storedLayout->setSpacing(4);
    m_storedSummary->setObjectName(QStringLiteral("storedBytesSummary"));
    m_storedSummary->setTextFormat(Qt::PlainText);
    m_storedSummary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    storedLayout->addWidget(m_storedSummary);
    m_hexView->setObjectName(QStringLiteral("hexView"));
    m_hexView->setModel(m_hexModel);
    m_hexView->setRootIsDecorated(false);
    m_hexView->setUniformRowHeights(true);
    m_hexView->setItemsExpandable(false);
    m_hexView->setAllColumnsShowFocus(true);
    m_hexView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_hexView->setFont(mono);
    m_hexView->header()->setStretchLastSection(true);
    m_hexView->header()->setSectionResizeMode(QHeaderView::Fixed);
    const QFontMetrics fm(mono);
    m_hexView->setColumnWidth(HexDumpModel::OffsetColumn, fm.horizontalAdvance(QStringLiteral("00000000")) + 24);
    m_hexView->setColumnWidth(HexDumpModel::HexColumn, fm.horizontalAdvance(QString(48, QLatin1Char('0'))) + 24);
    m_decoded->setObjectName(QStringLiteral("decodedText"));
    m_decoded->setReadOnly(true);
    m_decoded->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_decoded->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_decoded->setFont(mono);
    m_decodedHighlighter = new JsonHighlighter(m_decoded->document());
    auto *split = new QSplitter(Qt::Vertical, stored);
    split->addWidget(m_hexView);
    split->addWidget(m_decoded);
    split->setChildrenCollapsible(false);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    storedLayout->addWidget(split, 1);

    m_tabs->setObjectName(QStringLiteral("inspectorTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_dataView, tr("&Data"));
    m_tabs->addTab(m_metadataView, tr("&Metadata"));
    m_tabs->addTab(stored, tr("Stored &Bytes"));
    layout->addWidget(m_tabs, 1);
    m_pages->addWidget(content);

    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(m_pages);

    // The two JSON views switch together: someone reading text wants text in both.
    connect(m_dataView, &JsonView::modeChanged, m_metadataView, &JsonView::setMode);
    connect(m_metadataView, &JsonView::modeChanged, m_dataView, &JsonView::setMode);

    m_copyRecord->setToolTip(tr("Copy the record in rangedb's JSON record layout"));
    connect(m_copyRecord, &QAction::triggered, this, &RecordInspector::copyRecord);
    addAction(m_copyRecord);
    m_appendLike->setToolTip(tr("Fill the Append dock with this record's stream, event type, data and metadata"));
    connect(m_appendLike, &QAction::triggered, this, [this] {
        if (m_hasRecord)
            Q_EMIT appendLikeRequested(m_record);
    });

    setTabOrder(copyButton, m_tabs);
    updateMutedColours();
    clear();
}

// Secondary text (field names, the stream name) in a colour between text and background,
// so that it recedes in light and dark palettes alike.
void RecordInspector::updateMutedColours()
{
    const QColor text = palette().color(QPalette::WindowText);
    const QColor window = palette().color(QPalette::Window);
    const QColor muted = QColor::fromRgbF(text.redF() * 0.62f + window.redF() * 0.38f,
                                          text.greenF() * 0.62f + window.greenF() * 0.38f,
                                          text.blueF() * 0.62f + window.blueF() * 0.38f);
    for (QLabel *label : std::as_const(m_muted)) {
        QPalette p = label->palette();
        p.setColor(QPalette::WindowText, muted);
        label->setPalette(p);
    }
}

void RecordInspector::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_updatingPalette) {
        m_updatingPalette = true;
        updateMutedColours();
        m_updatingPalette = false;
    }
}

RecordInspector::~RecordInspector() = default;

QLabel *RecordInspector::addField(QGridLayout *grid, int row, int column, const QString &label,
                                  const QString &objectName, int valueColumns)
{
    auto *name = new QLabel(label + QLatin1Char(':'), m_envelope);
    m_muted.push_back(name);
    name->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    auto *value = valueLabel(m_envelope, objectName);
    name->setBuddy(value);
    grid->addWidget(name, row, column);
    grid->addWidget(value, row, column + 1, 1, valueColumns);
    return value;
}

void RecordInspector::setRecord(const Record &record, QByteArray storedValue, Serializer serializer)
{
    m_record = record;
    m_hasRecord = true;
    m_error.clear();
    m_errorBanner->hide();
    m_envelope->show();
    m_copyRecord->setEnabled(true);

    m_eventType->setText(fromStd(record.eventType));
    m_streamName->setText(fromStd(record.streamName()));
    m_aggregateType->setText(fromStd(record.aggregateType));
    m_aggregateId->setText(fromStd(record.aggregateId));
    m_eventId->setText(fromStd(record.eventId));
    m_globalSequence->setText(QString::number(record.globalSequenceNumber));
    m_streamSequence->setText(QString::number(record.streamSequenceNumber));
    updateTime();

    // A Record's data and metadata are valid JSON by contract; if one is not, say so in
    // its tab rather than showing an empty tree that looks like "{}".
    const struct
    {
        JsonView *view;
        const std::string &text;
        QString root;
        int tab;
    } parts[] = {
        {m_dataView, record.data, QStringLiteral("data"), DataTab},
        {m_metadataView, record.metadata, QStringLiteral("metadata"), MetadataTab},
    };
    for (const auto &part : parts) {
        const Status status = part.view->setJson(part.text, part.root);
        m_tabs->setTabEnabled(part.tab, true);
        m_tabs->setTabToolTip(part.tab, status.ok() ? QString() : fromStd(status.message()));
    }
    const bool noMetadata = record.metadata == "null";
    m_tabs->setTabText(MetadataTab, noMetadata ? tr("&Metadata (null)") : tr("&Metadata"));

    QString summary;
    QString decoded;
    if (storedValue.isEmpty()) {
        summary = tr("The stored value was not loaded.");
    } else if (serializer == Serializer::Json) {
        summary = tr("JSON serializer, %1").arg(bytesText(storedValue.size()));
        const auto pretty = json::pretty(std::string_view(storedValue.constData(), static_cast<std::size_t>(storedValue.size())));
        decoded = pretty.ok() ? fromStd(*pretty) : QString::fromUtf8(storedValue.left(kMaxRawTextChars));
    } else {
        summary = tr("msgpack serializer, %1: the record map, then the data object").arg(bytesText(storedValue.size()));
        decoded = msgpackDump(storedValue, {tr("record"), tr("data")});
    }
    showStoredBytes(storedValue, summary, decoded);
    if (!m_tabs->isTabEnabled(m_tabs->currentIndex()))
        m_tabs->setCurrentIndex(DataTab);
    m_pages->setCurrentIndex(1);
}

void RecordInspector::setDecodeError(QString message, QByteArray storedValue)
{
    m_record = Record();
    m_hasRecord = false;
    m_error = message.isEmpty() ? tr("The record could not be decoded.") : std::move(message);
    m_copyRecord->setEnabled(false);

    m_eventType->setText(tr("Undecodable record"));
    m_streamName->clear();
    m_envelope->hide();
    m_errorText->setText(m_error);
    // Light or dark, the banner reads as an error without shouting.
    QPalette bannerPalette = m_errorBanner->palette();
    const bool dark = JsonHighlighter::isDarkPalette(palette());
    bannerPalette.setColor(QPalette::Window, dark ? QColor(0x4a, 0x1f, 0x1f) : QColor(0xfd, 0xec, 0xea));
    bannerPalette.setColor(QPalette::WindowText, dark ? QColor(0xff, 0xd2, 0xcc) : QColor(0x7a, 0x18, 0x18));
    m_errorBanner->setPalette(bannerPalette);
    m_errorBanner->show();

    m_dataView->clear();
    m_metadataView->clear();
    m_tabs->setTabEnabled(DataTab, false);
    m_tabs->setTabEnabled(MetadataTab, false);

    // Show what can be made of the bytes: msgpack objects up to the damage, or the text.
    QString summary;
    QString decoded;
    const auto detected = codec::detect(std::string_view(storedValue.constData(), static_cast<std::size_t>(storedValue.size())));
    if (storedValue.isEmpty()) {
        summary = tr("The stored value is empty.");
    } else if (!detected.ok()) {
        summary = tr("%1, first byte 0x%2: neither JSON ('{') nor msgpack (0x89)")
                      .arg(bytesText(storedValue.size()))
                      .arg(static_cast<unsigned char>(storedValue.front()), 2, 16, QLatin1Char('0'));
    } else if (*detected == Serializer::Json) {
        summary = tr("Looks like the JSON serializer, %1").arg(bytesText(storedValue.size()));
        decoded = QString::fromUtf8(storedValue.left(kMaxRawTextChars));
    } else {
        summary = tr("Looks like the msgpack serializer, %1").arg(bytesText(storedValue.size()));
        decoded = msgpackDump(storedValue, {tr("record"), tr("data")});
    }
    showStoredBytes(storedValue, summary, decoded);
    m_tabs->setCurrentIndex(StoredBytesTab);
    m_pages->setCurrentIndex(1);
}

void RecordInspector::clear()
{
    m_record = Record();
    m_hasRecord = false;
    m_error.clear();
    m_copyRecord->setEnabled(false);
    m_dataView->clear();
    m_metadataView->clear();
    showStoredBytes({}, {}, {});
    m_pages->setCurrentIndex(0);
}

void RecordInspector::showStoredBytes(const QByteArray &bytes, const QString &summary, const QString &decoded)
{
    m_storedSummary->setText(summary);
    m_hexModel->setBytes(bytes);
    m_decodedHighlighter->setDocument(decoded.startsWith(QLatin1Char('{')) ? m_decoded->document() : nullptr);
    m_decoded->setPlainText(decoded);
    m_decoded->setVisible(!decoded.isEmpty());
}

void RecordInspector::setUtc(bool utc)
{
    m_utc = utc;
    updateTime();
}

QString RecordInspector::formatTime(quint64 seconds, bool utc)
{
    if (seconds > kMaxFormattableSeconds)
        return tr("%1 s since 1970").arg(seconds);
    const QDateTime when = QDateTime::fromSecsSinceEpoch(static_cast<qint64>(seconds), Qt::UTC);
    const QString format = QStringLiteral("yyyy-MM-dd HH:mm:ss");
    if (utc)
        return when.toString(format) + QLatin1String(" UTC");
    const QDateTime local = when.toLocalTime();
    return local.toString(format) + QLatin1Char(' ') + local.timeZoneAbbreviation();
}

void RecordInspector::updateTime()
{
    if (!m_hasRecord) {
        m_insertTime->clear();
        return;
    }
    const quint64 seconds = m_record.insertTimestamp;
    m_insertTime->setText(formatTime(seconds, m_utc));
    m_insertTime->setToolTip(tr("%1\n%2\nUnix time %3")
                                 .arg(formatTime(seconds, true), formatTime(seconds, false))
                                 .arg(seconds));
}

QByteArray RecordInspector::recordJson() const
{
    return m_hasRecord ? QByteArray::fromStdString(codec::toJson(m_record)) : QByteArray();
}

QString RecordInspector::decodedText() const
{
    return m_decoded->toPlainText();
}

QString RecordInspector::storedBytesSummary() const
{
    return m_storedSummary->text();
}

void RecordInspector::copyRecord()
{
    if (m_hasRecord)
        QGuiApplication::clipboard()->setText(QString::fromUtf8(recordJson()));
}

} // namespace rangedb::ui
