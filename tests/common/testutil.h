#pragma once

// Helpers shared by the test suites (header only, linked into no production code).

#include <rangedb/recordstream.h>

#include <QBuffer>
#include <QByteArray>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QString>

#include <string>
#include <vector>

namespace rangedb::test {

inline QString dataDir()
{
    return QStringLiteral(RANGEDB_TEST_DATA_DIR);
}

inline QString fixtureDir()
{
    return dataDir() + QStringLiteral("/rangedb-v0.12.0");
}

// Copies a folder (flat, as LevelDB folders are). LevelDB's open rewrites a folder, so
// tests always open a copy of a fixture store, never the fixture itself.
inline bool copyFolder(const QString &from, const QString &to)
{
    QDir().mkpath(to);
    const QDir source(from);
    const auto names = source.entryList(QDir::Files | QDir::Hidden);
    for (const QString &name : names) {
        const QString target = to + QLatin1Char('/') + name;
        QFile::remove(target);
        if (!QFile::copy(source.filePath(name), target))
            return false;
        QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    }
    return true;
}

// A digest of every file name and its bytes under `folder`: equal digests mean nothing
// was created, removed or changed.
inline QByteArray folderDigest(const QString &folder)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QStringList files;
    QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::Dirs | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    files.sort();
    for (const QString &path : files) {
        hash.addData(path.toUtf8());
        QFile file(path);
        if (file.open(QIODevice::ReadOnly))
            hash.addData(file.readAll());
    }
    return hash.result();
}

inline QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Every record in `bytes`, read with our RecordReader; a read error is printed.
inline std::vector<Record> parseRecords(const QByteArray &bytes, StreamFormat format)
{
    QBuffer buffer;
    buffer.setData(bytes);
    buffer.open(QIODevice::ReadOnly);
    RecordReader reader(&buffer, format);
    std::vector<Record> records;
    while (reader.next())
        records.push_back(reader.record());
    if (!reader.status().ok())
        qWarning("cannot parse records: %s", reader.status().message().c_str());
    return records;
}

inline std::string toStd(const QString &s)
{
    return s.toStdString();
}

} // namespace rangedb::test
