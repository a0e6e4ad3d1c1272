#include "servecontrol.h"

#include "storeservice.h"

#include "rangedb/server.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace rangedb::ui {

ServeControl::ServeControl(StoreService *service, QWidget *window)
    : QObject(window), m_service(service), m_window(window), m_action(new QAction(tr("&Serve on Port…"), this)),
      m_label(new QLabel(window))
{
    m_action->setObjectName(QStringLiteral("serveAction"));
    m_action->setCheckable(true);
    m_action->setEnabled(false);
    m_action->setToolTip(tr("Serve the open database over rangedb's HTTP and WebSocket APIs"));
    connect(m_action, &QAction::triggered, this, &ServeControl::onToggled);
    m_label->setObjectName(QStringLiteral("serveLabel"));
    m_label->setContentsMargins(6, 0, 6, 0);
    m_label->setTextFormat(Qt::RichText);
    m_label->setOpenExternalLinks(true);
    m_label->hide();
    connect(m_service, &StoreService::servingChanged, this, &ServeControl::onServingChanged);
    connect(m_service, &StoreService::opened, this, [this] { m_action->setEnabled(true); });
    connect(m_service, &StoreService::closed, this, [this] { m_action->setEnabled(false); });
}

Status ServeControl::serve(quint16 port, const QHostAddress &address)
{
    server::ServerOptions options;
    options.address = address;
    options.port = port;
    Status status = m_service->startServing(options);
    if (status.ok()) {
        if (port != 0)
            QSettings().setValue(QStringLiteral("serve/port"), int(port));
    } else {
        Q_EMIT serveFailed(tr("Cannot serve the database: %1").arg(StoreService::describe(status)));
    }
    onServingChanged();
    return status;
}

void ServeControl::stop()
{
    m_service->stopServing();
}

void ServeControl::onToggled(bool on)
{
    if (!on) {
        stop();
        return;
    }
    quint16 port = quint16(QSettings().value(QStringLiteral("serve/port"), int(kDefaultPort)).toInt());
    QHostAddress address(QHostAddress::LocalHost);
    if (m_interactive && !ask(&port, &address)) {
        onServingChanged();
        return;
    }
    (void)serve(port, address);
}

bool ServeControl::ask(quint16 *port, QHostAddress *address)
{
    QDialog dialog(m_window);
    dialog.setWindowTitle(tr("Serve on Port"));
    auto *form = new QFormLayout(&dialog);
    auto *portBox = new QSpinBox(&dialog);
    portBox->setRange(0, 65535);
    portBox->setValue(*port);
    portBox->setSpecialValueText(tr("any free port"));
    auto *addressEdit = new QLineEdit(address->toString(), &dialog);
    auto *note = new QLabel(tr("Applications written for a rangedb server can use this database under /api/ "
                               "and /ws/. Only this computer can connect on 127.0.0.1; any other address lets "
                               "the network read%1 it.")
                                .arg(m_service->isReadOnly() ? QString() : tr(" and write")),
                            &dialog);
    note->setWordWrap(true);
    auto *error = new QLabel(&dialog);
    error->setStyleSheet(QStringLiteral("color: #c02020"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Serve"));
    form->addRow(tr("Port:"), portBox);
    form->addRow(tr("Address:"), addressEdit);
    form->addRow(note);
    form->addRow(error);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        if (QHostAddress(addressEdit->text().trimmed()).isNull())
            error->setText(tr("“%1” is not an IP address.").arg(addressEdit->text()));
        else
            dialog.accept();
    });
    if (dialog.exec() != QDialog::Accepted)
        return false;
    *port = quint16(portBox->value());
    *address = QHostAddress(addressEdit->text().trimmed());
    return true;
}

void ServeControl::onServingChanged()
{
    const QUrl url = m_service->serverUrl();
    m_action->setChecked(!url.isEmpty());
    m_label->setVisible(!url.isEmpty());
    if (url.isEmpty()) {
        m_label->clear();
        return;
    }
    const QString api = url.toString() + QStringLiteral("/api/");
    m_label->setText(tr("Serving <a href=\"%1\">%2</a>%3")
                         .arg(api.toHtmlEscaped(), url.toString().toHtmlEscaped(),
                              m_service->isReadOnly() ? tr(" (read-only)") : QString()));
    m_label->setToolTip(tr("HTTP API under %1, WebSocket API under ws://%2:%3/ws/")
                            .arg(api, url.host())
                            .arg(url.port()));
}

} // namespace rangedb::ui
