#include "inspectordock.h"

#include "recordinspector.h"
#include "rangedb/codec.h"
#include "storeservice.h"

namespace rangedb::ui {

InspectorDock::InspectorDock(StoreService *service, QWidget *parent)
    : QDockWidget(tr("Record"), parent), m_service(service), m_inspector(new RecordInspector(this))
{
    setObjectName(QStringLiteral("inspectorDock"));
    setWidget(m_inspector);
    connect(m_service, &StoreService::closed, m_inspector, &RecordInspector::clear);
}

void InspectorDock::setUtc(bool utc)
{
    m_inspector->setUtc(utc);
}

void InspectorDock::showRow(const RecordRow *row)
{
    const quint64 generation = ++m_generation;
    if (!row) {
        m_inspector->clear();
        return;
    }
    if (row->isError()) {
        m_inspector->setDecodeError(row->error, {});
        return;
    }
    const Record record = row->record;
    const Serializer serializer = m_service->info().serializer;
    m_inspector->setRecord(record, {}, serializer);
    // The stored value: read the record again by its stream key.
    m_service->run(
        this,
        [record](Store &store, std::stop_token stop) {
            auto it = store.eventsByStream(record.streamSequenceNumber, record.streamName(), stop);
            if (it->next() && it->record()->globalSequenceNumber == record.globalSequenceNumber)
                return QByteArray(it->rawValue().data(), qsizetype(it->rawValue().size()));
            return QByteArray();
        },
        [this, generation, record, serializer](const QByteArray &bytes) {
            if (generation != m_generation || bytes.isEmpty())
                return;
            // Values are detected one by one: a database may hold both encodings.
            auto detected = codec::detect(std::string_view(bytes.constData(), std::size_t(bytes.size())));
            m_inspector->setRecord(record, bytes, detected.ok() ? detected.value() : serializer);
            Q_EMIT storedBytesShown();
        });
}

} // namespace rangedb::ui
