#pragma once

#include "rangedb/recordstream.h"
#include "rangedb/store.h"

#include <QIODevice>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QTcpSocket;

namespace rangedb::server {

class ConnectionState;

// Collects what a RecordWriter flushes, for the listing to frame as HTTP chunks.
class ChunkSink : public QIODevice
{
public:
    ChunkSink() { open(QIODevice::WriteOnly); }
    QByteArray take() { return std::exchange(m_pending, {}); }
    qint64 pendingSize() const { return m_pending.size(); }

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *data, qint64 size) override
    {
        m_pending.append(data, size);
        return size;
    }

private:
    QByteArray m_pending;
};

// One events listing written to one socket as a chunked HTTP response, in constant
// memory: records are pulled from the iterator only while the socket's send buffer holds
// less than the high-water mark, so a client that reads slowly (or never) costs one
// paused iterator (a LevelDB snapshot) and at most that many bytes, and blocks nobody.
// A client whose buffer does not drain for the stall timeout is disconnected.
//
// Lives on the server thread, as a child of the socket: it dies with the socket. The
// iterator must already be positioned on its first record (or at its end without error).
class ListingStream : public QObject
{
    Q_OBJECT

public:
    ListingStream(QTcpSocket *socket, ConnectionState *state, RecordIteratorPtr events, StreamFormat format,
                  bool hasRecord, qint64 highWater, int stallTimeoutMs, bool closeAfter);
    ~ListingStream() override;

    // Writes the response head and starts pumping.
    void start();

private:
    void pump();
    void writeChunk(QByteArray bytes);
    void finish();
    void fail();

    QPointer<QTcpSocket> m_socket;
    QPointer<ConnectionState> m_state;
    RecordIteratorPtr m_events;
    StreamFormat m_format;
    ChunkSink m_sink;
    RecordWriter m_writer;
    QByteArray m_base64Carry; // msgpack: up to 2 bytes not yet base64-encoded
    QTimer m_stallTimer;
    qint64 m_highWater;
    bool m_hasRecord;
    bool m_closeAfter;
    bool m_pumpQueued = false;
    bool m_done = false;
};

} // namespace rangedb::server
