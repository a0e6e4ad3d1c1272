#pragma once

#include <QList>
#include <QString>

namespace rangedb::ui {

// A named event the user keeps for reuse: what the editor fills in from it. Data and
// metadata are the JSON text exactly as typed.
struct EventTemplate
{
    QString name;
    QString aggregateType;
    QString aggregateId; // may be empty: the user picks the stream each time
    QString eventType;
    QString data;
    QString metadata;

    friend bool operator==(const EventTemplate &, const EventTemplate &) = default;
};

// The saved templates, kept in QSettings ("editor/templates"), sorted by name. Names are
// unique (case-sensitive); put() replaces a template of the same name. GUI thread.
namespace EventTemplates {

QList<EventTemplate> all();
// Null name when there is none of that name.
EventTemplate find(const QString &name);
void put(const EventTemplate &eventTemplate);
void remove(const QString &name);

} // namespace EventTemplates

} // namespace rangedb::ui
