#include "databasetasks.h"

#include "rangedb/generator.h"

#include <QComboBox>
#include <QDateTime>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>

namespace rangedb::ui {

DatabaseTasks::DatabaseTasks(StoreService *service, QWidget *window, Report report)
    : QObject(window), m_service(service), m_window(window), m_report(std::move(report))
{
}

std::optional<OpenRequest> DatabaseTasks::askNewDatabase(QWidget *parent)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("New Database"));
    auto *form = new QFormLayout(&dialog);
    auto *folder = new QLineEdit(&dialog);
    folder->setMinimumWidth(360);
    auto *browse = new QPushButton(QObject::tr("Browse…"), &dialog);
    auto *row = new QHBoxLayout;
    row->addWidget(folder, 1);
    row->addWidget(browse);
    auto *serializer = new QComboBox(&dialog);
    serializer->addItem(QObject::tr("JSON (rangedb's default)"), int(Serializer::Json));
    serializer->addItem(QObject::tr("msgpack"), int(Serializer::Msgpack));
    auto *error = new QLabel(&dialog);
    error->setStyleSheet(QStringLiteral("color: #c02020"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(QObject::tr("Create"));
    form->addRow(QObject::tr("Folder:"), row);
    form->addRow(QObject::tr("Record encoding:"), serializer);
    form->addRow(error);
    form->addRow(buttons);
    QObject::connect(browse, &QPushButton::clicked, &dialog, [&] {
        const QString path = QFileDialog::getSaveFileName(&dialog, QObject::tr("New Database Folder"), QDir::homePath(), {},
                                                          nullptr, QFileDialog::ShowDirsOnly);
        if (!path.isEmpty())
            folder->setText(path);
    });
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, [&] {
        const QFileInfo info(folder->text().trimmed());
        if (folder->text().trimmed().isEmpty())
            error->setText(QObject::tr("Choose a folder for the new database."));
        else if (info.exists() && (!info.isDir() || !QDir(info.filePath()).isEmpty()))
            error->setText(QObject::tr("%1 exists and is not an empty folder.").arg(info.filePath()));
        else
            dialog.accept();
    });
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return OpenRequest{folder->text().trimmed(), false, true, Serializer(serializer->currentData().toInt())};
}

void DatabaseTasks::runCheck()
{
    auto *progress = new QProgressDialog(tr("Checking every key of the database…"), tr("Cancel"), 0, 0, m_window);
    progress->setWindowTitle(tr("Check Database"));
    progress->setMinimumDuration(0);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    auto handle = m_service->run(
        this, [](Store &store, std::stop_token stop) { return store.check(stop); },
        [this, progress](Result<CheckReport> result) {
            progress->close();
            if (!result.ok()) {
                m_report(QMessageBox::Warning, tr("Check Database"),
                     tr("The check could not finish: %1").arg(QString::fromStdString(result.status().message())));
                return;
            }
            const CheckReport &report = result.value();
            const QLocale locale;
            QString text = report.consistent ? tr("<p><b>The database is consistent.</b></p>")
                                             : tr("<p><b>The database has problems.</b></p>");
            text += tr("<p>%1 records in %2 streams, %3 all-events entries, %4 aggregate-type entries; "
                       "$gsn$ is %5.</p>")
                        .arg(locale.toString(report.records), locale.toString(report.streams),
                             locale.toString(report.allEventsEntries), locale.toString(report.aggregateTypeEntries),
                             locale.toString(report.globalSequenceNumber));
            if (!report.problems.empty()) {
                text += QStringLiteral("<ul>");
                for (std::size_t i = 0; i < std::min<std::size_t>(report.problems.size(), 20); ++i)
                    text += QStringLiteral("<li><tt>%1</tt></li>").arg(QString::fromStdString(report.problems[i]).toHtmlEscaped());
                text += QStringLiteral("</ul>");
                if (report.problems.size() > 20)
                    text += tr("<p>… and %1 more.</p>").arg(report.problems.size() - 20);
            }
            m_report(report.consistent ? QMessageBox::Information : QMessageBox::Warning, tr("Check Database"), text);
        });
    connect(progress, &QProgressDialog::canceled, this, [handle]() mutable { handle.cancel(); });
}

void DatabaseTasks::fillWithSampleData(quint64 events)
{
    if (m_service->isReadOnly())
        return;
    auto *progress = new QProgressDialog(tr("Writing sample events…"), tr("Cancel"), 0, int(events), m_window);
    progress->setWindowTitle(tr("Sample Data"));
    progress->setMinimumDuration(0);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    auto handle = m_service->runWithProgress<quint64>(
        this,
        [events](Store &store, std::stop_token stop, const auto &report) -> Result<quint64> {
            GeneratorOptions options;
            options.events = events;
            options.streams = std::max<quint64>(10, events / 50);
            options.seed = quint64(QDateTime::currentMSecsSinceEpoch());
            SampleGenerator generator(options);
            for (auto batch = generator.nextBatch(10); !batch.empty(); batch = generator.nextBatch(10)) {
                if (stop.stop_requested())
                    return Status::cancelled();
                auto saved = store.save(batch, stop);
                if (!saved.ok())
                    return saved.status();
                report(generator.produced());
            }
            return generator.produced();
        },
        [progress](quint64 done) { progress->setValue(int(done)); },
        [this, progress](Result<quint64> result) {
            progress->close();
            if (!result.ok() && result.status().code() != ErrorCode::Cancelled)
                m_report(QMessageBox::Warning, tr("Sample Data"), QString::fromStdString(result.status().message()));
            else if (result.ok())
                m_report(QMessageBox::NoIcon, tr("Sample Data"),
                         tr("Wrote %1 sample events").arg(QLocale().toString(result.value())));
        });
    connect(progress, &QProgressDialog::canceled, this, [handle]() mutable { handle.cancel(); });
}

} // namespace rangedb::ui
