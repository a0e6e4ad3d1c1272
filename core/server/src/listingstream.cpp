#include "listingstream.h"

#include "connectionstate.h"
#include "http.h"

#include <QTcpSocket>

namespace rangedb::server {

namespace {
// How much one turn of the event loop may produce before it lets other clients run.
constexpr qint64 kSliceBytes = 256 * 1024;
} // namespace

ListingStream::ListingStream(QTcpSocket *socket, ConnectionState *state, RecordIteratorPtr events,
                             StreamFormat format, bool hasRecord, qint64 highWater, int stallTimeoutMs,
                             bool closeAfter)
    : QObject(socket)
    , m_socket(socket)
    , m_state(state)
    , m_events(std::move(events))
    , m_format(format)
    , m_writer(&m_sink, format)
    , m_highWater(highWater)
    , m_hasRecord(hasRecord)
    , m_closeAfter(closeAfter)
{
    m_stallTimer.setSingleShot(true);
    m_stallTimer.setInterval(stallTimeoutMs);
    connect(&m_stallTimer, &QTimer::timeout, this, [this] {
        // Nothing drained for the whole timeout: the client is gone or stuck.
        fail();
    });
    connect(socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_done)
            return;
        m_stallTimer.start();
        if (m_socket && m_socket->bytesToWrite() < m_highWater / 2)
            pump();
    });
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        m_done = true;
        m_events.reset(); // releases the snapshot at once
        m_stallTimer.stop();
    });
}

ListingStream::~ListingStream() = default;

void ListingStream::start()
{
    const char *type = m_format == StreamFormat::JsonArray ? "application/json"
                       : m_format == StreamFormat::Ndjson   ? "application/json; boundary=LF"
                                                           : "application/msgpack";
    QByteArray head = http::statusLine(200);
    head += "Content-Type: ";
    head += type;
    head += "\r\nTransfer-Encoding: chunked\r\n";
    if (m_closeAfter)
        head += "Connection: close\r\n";
    head += "\r\n";
    m_socket->write(head);
    m_stallTimer.start();
    pump();
}

void ListingStream::pump()
{
    m_pumpQueued = false;
    if (m_done || !m_socket)
        return;
    qint64 produced = 0;
    while (m_socket->bytesToWrite() < m_highWater && produced < kSliceBytes) {
        if (!m_hasRecord) {
            finish();
            return;
        }
        const Status written = m_writer.write(*m_events->record(), m_events->rawIsCanonicalJson()
                                                                       ? m_events->rawValue()
                                                                       : std::string_view());
        if (!written.ok()) {
            // Headers are out: the only honest signal left is a broken transfer.
            fail();
            return;
        }
        m_hasRecord = m_events->next();
        if (m_sink.pendingSize() > 0) {
            produced += m_sink.pendingSize();
            writeChunk(m_sink.take());
        }
    }
    // Give other clients a turn; bytesWritten resumes us when the buffer was full.
    if (m_socket->bytesToWrite() < m_highWater && !m_pumpQueued) {
        m_pumpQueued = true;
        QMetaObject::invokeMethod(this, &ListingStream::pump, Qt::QueuedConnection);
    }
}

void ListingStream::writeChunk(QByteArray bytes)
{
    if (m_format == StreamFormat::Msgpack) {
        // rangedb answers msgpack listings as unpadded standard base64; encode whole
        // 3-byte groups now and carry the rest to the next chunk.
        bytes.prepend(m_base64Carry);
        const qsizetype whole = bytes.size() - bytes.size() % 3;
        m_base64Carry = bytes.mid(whole);
        bytes = bytes.left(whole).toBase64();
    }
    if (bytes.isEmpty())
        return;
    m_socket->write(QByteArray::number(bytes.size(), 16) + "\r\n" + bytes + "\r\n");
}

void ListingStream::finish()
{
    m_done = true;
    m_stallTimer.stop();
    if (!m_events->error().ok()) {
        fail();
        return;
    }
    if (!m_writer.finish().ok()) {
        fail();
        return;
    }
    writeChunk(m_sink.take());
    m_events.reset();
    QByteArray tail;
    if (m_format == StreamFormat::Msgpack && !m_base64Carry.isEmpty()) {
        const QByteArray last = m_base64Carry.toBase64(QByteArray::OmitTrailingEquals);
        tail = QByteArray::number(last.size(), 16) + "\r\n" + last + "\r\n";
    }
    m_socket->write(tail + "0\r\n\r\n");
    if (m_state)
        m_state->setStreaming(false);
    if (m_closeAfter)
        m_socket->disconnectFromHost();
    deleteLater();
}

void ListingStream::fail()
{
    m_done = true;
    m_stallTimer.stop();
    m_events.reset();
    if (m_socket)
        m_socket->abort();
    deleteLater();
}

} // namespace rangedb::server
