#include "eventtemplates.h"

#include <QSettings>

#include <algorithm>

namespace rangedb::ui::EventTemplates {

namespace {

// An array rather than one group per name: names may hold '/' and other characters
// QSettings treats as key syntax.
const QString kArray = QStringLiteral("editor/templates");

void store(QList<EventTemplate> templates)
{
    std::sort(templates.begin(), templates.end(),
              [](const EventTemplate &a, const EventTemplate &b) { return a.name < b.name; });
    QSettings settings;
    settings.remove(kArray);
    settings.beginWriteArray(kArray, int(templates.size()));
    for (int i = 0; i < templates.size(); ++i) {
        settings.setArrayIndex(i);
        const EventTemplate &t = templates.at(i);
        settings.setValue(QStringLiteral("name"), t.name);
        settings.setValue(QStringLiteral("aggregateType"), t.aggregateType);
        settings.setValue(QStringLiteral("aggregateId"), t.aggregateId);
        settings.setValue(QStringLiteral("eventType"), t.eventType);
        settings.setValue(QStringLiteral("data"), t.data);
        settings.setValue(QStringLiteral("metadata"), t.metadata);
    }
    settings.endArray();
}

} // namespace

QList<EventTemplate> all()
{
    QSettings settings;
    QList<EventTemplate> templates;
    const int count = settings.beginReadArray(kArray);
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        EventTemplate t;
        t.name = settings.value(QStringLiteral("name")).toString();
        t.aggregateType = settings.value(QStringLiteral("aggregateType")).toString();
        t.aggregateId = settings.value(QStringLiteral("aggregateId")).toString();
        t.eventType = settings.value(QStringLiteral("eventType")).toString();
        t.data = settings.value(QStringLiteral("data")).toString();
        t.metadata = settings.value(QStringLiteral("metadata")).toString();
        if (!t.name.isEmpty())
            templates.append(t);
    }
    settings.endArray();
    return templates;
}

EventTemplate find(const QString &name)
{
    const QList<EventTemplate> templates = all();
    for (const EventTemplate &t : templates) {
        if (t.name == name)
            return t;
    }
    return {};
}

void put(const EventTemplate &eventTemplate)
{
    QList<EventTemplate> templates = all();
    templates.removeIf([&](const EventTemplate &t) { return t.name == eventTemplate.name; });
    templates.append(eventTemplate);
    store(std::move(templates));
}

void remove(const QString &name)
{
    QList<EventTemplate> templates = all();
    templates.removeIf([&](const EventTemplate &t) { return t.name == name; });
    store(std::move(templates));
}

} // namespace rangedb::ui::EventTemplates
