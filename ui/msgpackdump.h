#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace rangedb::ui {

// A readable rendering of the msgpack objects in `bytes`, one after the other, for the
// record inspector's "Stored bytes" tab:
//
//   #1 record (byte 0, 215 bytes): map, 9 entries
//     "a": str "account"
//     "g": uint 1
//     "d": nil
//   #2 data (byte 215, 92 bytes): map, 3 entries
//     "geo": array, 2 items
//       float64 47.3769
//
// Each object is named by `labels` (in order; unnamed ones are just numbered). Types are
// msgpack's (str, bin, uint, int, float32, float64, bool, nil, array, map, ext); strings
// are quoted JSON-style, bin and ext show their length and first bytes in hex. Malformed
// or truncated input ends the rendering with a line naming the byte offset. Nesting deeper
// than 100 levels is elided. Thread-safe (no shared state).
QString msgpackDump(const QByteArray &bytes, const QStringList &labels = {});

} // namespace rangedb::ui
