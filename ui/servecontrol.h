#pragma once

#include "rangedb/status.h"

#include <QHostAddress>
#include <QObject>

class QAction;
class QLabel;
class QWidget;

namespace rangedb::ui {

class StoreService;

// The window's "Serve on Port…" toggle: asks for a port (and, explicitly, an address other
// than 127.0.0.1), starts StoreService::startServing, and shows the address in a status-bar
// label while serving. The service stops serving when the database closes; a read-only
// database is served read-only. GUI thread only.
class ServeControl : public QObject
{
    Q_OBJECT

public:
    static constexpr quint16 kDefaultPort = 8080;

    // `window` parents the dialog and the label.
    ServeControl(StoreService *service, QWidget *window);

    // Checkable; enabled while a database is open.
    QAction *toggleAction() const { return m_action; }
    // "Serving http://127.0.0.1:8080/api/", hidden when not serving.
    QLabel *statusLabel() const { return m_label; }

    // Starts serving on `port` (0: any free port). Errors also go to serveFailed().
    Status serve(quint16 port, const QHostAddress &address = QHostAddress(QHostAddress::LocalHost));
    void stop();
    // Without interaction the toggle serves on the last port without asking (tests).
    void setInteractive(bool interactive) { m_interactive = interactive; }

Q_SIGNALS:
    void serveFailed(const QString &message);

private:
    void onToggled(bool on);
    void onServingChanged();
    bool ask(quint16 *port, QHostAddress *address);

    StoreService *m_service;
    QWidget *m_window;
    QAction *m_action;
    QLabel *m_label;
    bool m_interactive = true;
};

} // namespace rangedb::ui
