#include "hexdump.h"

namespace rangedb::ui {

namespace hexdump {

QString offsetText(qsizetype offset)
{
    return QStringLiteral("%1").arg(static_cast<qulonglong>(offset), 8, 16, QLatin1Char('0'));
}

QString hexText(const QByteArray &bytes, qsizetype offset)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    // Always the full width (16 bytes of "xx ", an extra gap after the 8th, no trailing
    // space: 48 characters), so that the ASCII column lines up on a short last line.
    QString out(kBytesPerLine * 3, QLatin1Char(' '));
    QChar *p = out.data();
    for (int i = 0; i < kBytesPerLine && offset + i < bytes.size(); ++i) {
        const auto b = static_cast<unsigned char>(bytes[offset + i]);
        const int column = i * 3 + (i >= 8 ? 1 : 0);
        p[column] = QLatin1Char(kDigits[b >> 4]);
        p[column + 1] = QLatin1Char(kDigits[b & 0xf]);
    }
    return out;
}

QString asciiText(const QByteArray &bytes, qsizetype offset)
{
    const qsizetype end = std::min(bytes.size(), offset + kBytesPerLine);
    QString out;
    out.reserve(kBytesPerLine);
    for (qsizetype i = offset; i < end; ++i) {
        const auto b = static_cast<unsigned char>(bytes[i]);
        out.append(b >= 0x20 && b < 0x7f ? QLatin1Char(static_cast<char>(b)) : QLatin1Char('.'));
    }
    return out;
}

QString line(const QByteArray &bytes, qsizetype offset)
{
    return offsetText(offset) + QLatin1String("  ") + hexText(bytes, offset) + QLatin1String("  |")
        + asciiText(bytes, offset) + QLatin1Char('|');
}

qsizetype lineCount(qsizetype size)
{
    return size <= 0 ? 1 : (size + kBytesPerLine - 1) / kBytesPerLine;
}

} // namespace hexdump

HexDumpModel::HexDumpModel(QObject *parent) : QAbstractTableModel(parent) {}

void HexDumpModel::setBytes(const QByteArray &bytes)
{
    beginResetModel();
    m_bytes = bytes;
    endResetModel();
}

int HexDumpModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || m_bytes.isEmpty())
        return 0;
    return static_cast<int>(hexdump::lineCount(m_bytes.size()));
}

int HexDumpModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HexDumpModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const qsizetype offset = static_cast<qsizetype>(index.row()) * hexdump::kBytesPerLine;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case OffsetColumn: return hexdump::offsetText(offset);
        case HexColumn: return hexdump::hexText(m_bytes, offset);
        case AsciiColumn: return hexdump::asciiText(m_bytes, offset);
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole && index.column() == OffsetColumn)
        return tr("Byte %1").arg(offset);
    return {};
}

QVariant HexDumpModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case OffsetColumn: return tr("Offset");
    case HexColumn: return tr("Hex");
    case AsciiColumn: return tr("ASCII");
    default: return {};
    }
}

} // namespace rangedb::ui
