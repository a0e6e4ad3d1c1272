#pragma once

#include "rangedb/status.h"

#include <QFile>
#include <QString>

#include <cstdint>
#include <string>
#include <string_view>

namespace rangedb::cli {

// The CLI's exit codes (documented in --help and the README).
enum ExitCode : int {
    ExitOk = 0,
    ExitError = 1,
    ExitUsage = 2,
    ExitUnexpectedSequenceNumber = 3,
    ExitStreamNotFound = 4,
    ExitDatabaseLocked = 5,
};

// The one place that maps a core error to an exit code.
int exitCodeFor(ErrorCode code);

// Prints "rangedb-cli: error: <message>" as one line on stderr (newlines in the message
// become spaces) and returns the exit code for `status`.
int reportError(const Status &status);
int reportError(const QString &message, int exitCode = ExitError);
// A usage error: the error line, then "usage: <usage>" on stderr. Returns ExitUsage.
int reportUsageError(const QString &message, const QString &usage);

// Standard output as a QIODevice over file descriptor 1, unbuffered by Qt: callers buffer
// (RecordWriter does, JsonLines below does). Owned by the caller, main thread only.
class StandardOutput
{
public:
    StandardOutput();
    QIODevice *device() { return &m_file; }
    // Writes all of `bytes`; an IoError when stdout is gone (closed pipe, full disk).
    Status write(std::string_view bytes);

private:
    QFile m_file;
};

// A compact JSON object built member by member: strings with Go's escaping, integers as
// exact literals. For the small machine-readable results the commands print.
class JsonObject
{
public:
    JsonObject &add(std::string_view key, std::string_view value);
    JsonObject &add(std::string_view key, const char *value) { return add(key, std::string_view(value)); }
    JsonObject &add(std::string_view key, std::uint64_t value);
    JsonObject &addBool(std::string_view key, bool value);
    // `json` must already be a valid JSON value.
    JsonObject &addRaw(std::string_view key, std::string_view json);
    std::string text() const { return m_text + '}'; }

private:
    void addKey(std::string_view key);
    std::string m_text = "{";
};

// Prints `result` as one line on stdout: ExitOk, or the error's exit code when stdout
// fails. The ending of every command that answers with one object.
int printResult(const JsonObject &result);

// NDJSON lines written through a 1 MiB buffer.
class JsonLines
{
public:
    explicit JsonLines(StandardOutput &out) : m_out(out) {}
    Status add(const JsonObject &object);
    Status finish();

private:
    StandardOutput &m_out;
    std::string m_buffer;
};

} // namespace rangedb::cli
