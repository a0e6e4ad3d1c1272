#pragma once

#include <QAbstractTableModel>
#include <QByteArray>
#include <QString>

namespace rangedb::ui {

// Classic hex dump lines of 16 bytes: "00000010  7b 22 61 22 3a 31 7d 0a  ...  |{"a":1}.|".
namespace hexdump {

inline constexpr int kBytesPerLine = 16;

// The line of `bytes` that starts at `offset` (a multiple of 16), in three parts.
QString offsetText(qsizetype offset);            // "00000010"
QString hexText(const QByteArray &bytes, qsizetype offset);   // 16 two-digit bytes, a gap after 8
QString asciiText(const QByteArray &bytes, qsizetype offset); // printable ASCII, '.' otherwise
// The three parts joined: "offset  hex  |ascii|".
QString line(const QByteArray &bytes, qsizetype offset);
// Number of lines of a dump of `size` bytes (at least 1, so that empty input shows a line).
qsizetype lineCount(qsizetype size);

} // namespace hexdump

// A hex dump as a table (Offset, Hex, ASCII), one row per 16 bytes, formatted on demand:
// a 1 MB value is 65,536 rows and costs nothing until a view paints them. Display role
// only, plus Qt::ToolTipRole on the offset (decimal). Holds its own copy of the bytes
// (implicitly shared). GUI thread.
class HexDumpModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { OffsetColumn, HexColumn, AsciiColumn, ColumnCount };

    explicit HexDumpModel(QObject *parent = nullptr);

    void setBytes(const QByteArray &bytes);
    const QByteArray &bytes() const { return m_bytes; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QByteArray m_bytes;
};

} // namespace rangedb::ui
