#pragma once

#include <QByteArray>
#include <QObject>
#include <QTimer>

class QTcpSocket;

namespace rangedb::server {

// Per-connection guard and bookkeeping, a child of its socket (server thread only).
//
// Its readyRead handler is connected before QAbstractHttpServer's, so it sees every byte
// before Qt buffers it: it follows the request head as it arrives, and refuses
//   - a head over 64 KiB (431) and a body over the limit (413: at once from
//     Content-Length, or once a chunked body has grown past it),
//   - a WebSocket upgrade to an unknown path (404), with a bad global-sequence-number
//     (400 "invalid request") or from a foreign Origin (403),
// answering itself and closing, so Qt neither buffers nor upgrades such a request.
// Qt's parser reads everything available after this handler, so each call sees new bytes.
class ConnectionState : public QObject
{
    Q_OBJECT

public:
    ConnectionState(QTcpSocket *socket, qint64 maxBodyBytes);

    static ConnectionState *of(QTcpSocket *socket);

    // A request was handed to the engine: the next bytes start a new request. Returns
    // whether that request asked to close the connection afterwards.
    bool requestDone();

    // A chunked listing is being written; a pipelined request meanwhile is refused.
    bool isStreaming() const { return m_streaming; }
    void setStreaming(bool streaming) { m_streaming = streaming; }

private:
    void onReadyRead();
    void inspectHead();
    void refuse(int code, const char *contentType, const QByteArray &body);

    QTcpSocket *m_socket;
    qint64 m_maxBodyBytes;
    QByteArray m_head;        // the current request's bytes until the end of its head
    qint64 m_bodyBytes = 0;   // body bytes seen after the head
    bool m_headDone = false;
    bool m_closeRequested = false;
    bool m_streaming = false;
    bool m_refused = false;
    QTimer m_drainTimer;
};

} // namespace rangedb::server
