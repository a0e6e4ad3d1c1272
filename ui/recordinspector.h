#pragma once

#include <rangedb/codec.h>
#include <rangedb/record.h>

#include <QByteArray>
#include <QList>
#include <QString>
#include <QWidget>

class QAction;
class QGridLayout;
class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QTabWidget;
class QTreeView;

namespace rangedb::ui {

class HexDumpModel;
class JsonHighlighter;
class JsonView;

// Shows one record: the envelope (stream, aggregate type and ID, event type, event ID,
// global and stream sequence numbers, insert time), data and metadata as a tree or as
// pretty highlighted JSON text, and the stored value as a hex dump next to its decoded
// form (pretty JSON, or a rendering of the msgpack objects), naming the serializer.
// "Copy record as JSON" puts the record in rangedb's JSON record layout (codec::toJson)
// on the clipboard.
//
// A record that failed to decode is shown with setDecodeError(): the error message in a
// banner, and the hex dump of its bytes.
//
// The widget only displays values it is given; it never reads a store, so the caller
// (the window, on the GUI thread) hands it what a worker fetched. GUI thread only.
class RecordInspector : public QWidget
{
    Q_OBJECT

public:
    // Tabs, in order.
    enum Tab { DataTab, MetadataTab, StoredBytesTab };

    explicit RecordInspector(QWidget *parent = nullptr);
    ~RecordInspector() override;

    // Shows `record`; `storedValue` is the value as stored in LevelDB (it may be empty when
    // unknown: the Stored bytes tab then says so), `serializer` the one that wrote it.
    void setRecord(const Record &record, QByteArray storedValue, Serializer serializer);
    // Shows a record that did not decode: `message` prominently, and the hex of its bytes.
    void setDecodeError(QString message, QByteArray storedValue);
    // Back to the empty state ("No record selected").
    void clear();

    // Insert time in UTC or in local time (the default). Updates what is shown.
    void setUtc(bool utc);
    bool isUtc() const { return m_utc; }

    bool hasRecord() const { return m_hasRecord; }
    bool hasDecodeError() const { return !m_error.isEmpty(); }
    const Record &record() const { return m_record; }
    // The record as rangedb's JSON record (what "Copy record as JSON" copies); empty
    // without a record.
    QByteArray recordJson() const;

    QAction *copyRecordAction() const { return m_copyRecord; }
    // "Append Like This": emits appendLikeRequested with the shown record.
    QAction *appendLikeAction() const { return m_appendLike; }
    JsonView *dataView() const { return m_dataView; }
    JsonView *metadataView() const { return m_metadataView; }
    QTabWidget *tabs() const { return m_tabs; }
    HexDumpModel *hexModel() const { return m_hexModel; }
    // The decoded rendering of the stored value (pretty JSON or the msgpack objects).
    QString decodedText() const;
    // What the header says about the stored value ("JSON serializer, 312 bytes").
    QString storedBytesSummary() const;

    // The text shown for `secondsSinceEpoch`, e.g. "2021-01-01 00:00:00 UTC".
    static QString formatTime(quint64 secondsSinceEpoch, bool utc);

Q_SIGNALS:
    void appendLikeRequested(const rangedb::Record &record);

protected:
    void changeEvent(QEvent *event) override;

private:
    void updateMutedColours();
    void showStoredBytes(const QByteArray &bytes, const QString &summary, const QString &decoded);
    void updateTime();
    void copyRecord();
    QLabel *addField(QGridLayout *grid, int row, int column, const QString &label, const QString &objectName,
                     int valueColumns = 1);

    Record m_record;
    bool m_hasRecord = false;
    QString m_error;
    bool m_utc = false;

    QStackedWidget *m_pages;
    QLabel *m_eventType;
    QLabel *m_streamName;
    QLabel *m_aggregateType;
    QLabel *m_aggregateId;
    QLabel *m_eventId;
    QLabel *m_globalSequence;
    QLabel *m_streamSequence;
    QLabel *m_insertTime;
    QWidget *m_envelope;
    QWidget *m_errorBanner;
    QLabel *m_errorText;
    QTabWidget *m_tabs;
    JsonView *m_dataView;
    JsonView *m_metadataView;
    QLabel *m_storedSummary;
    QTreeView *m_hexView;
    HexDumpModel *m_hexModel;
    QPlainTextEdit *m_decoded;
    JsonHighlighter *m_decodedHighlighter;
    QAction *m_copyRecord;
    QAction *m_appendLike;
    QList<QLabel *> m_muted;
    bool m_updatingPalette = false;
};

} // namespace rangedb::ui
