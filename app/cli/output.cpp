#include "output.h"

#include "rangedb/json.h"

#include <cstdio>

namespace rangedb::cli {

int exitCodeFor(ErrorCode code)
{
    switch (code) {
    case ErrorCode::Ok:
        return ExitOk;
    case ErrorCode::UnexpectedSequenceNumber:
        return ExitUnexpectedSequenceNumber;
    case ErrorCode::StreamNotFound:
        return ExitStreamNotFound;
    case ErrorCode::DatabaseLocked:
        return ExitDatabaseLocked;
    default:
        return ExitError;
    }
}

namespace {

void printErrorLine(QString message)
{
    // One line, so that scripts can take the last line of stderr as the reason.
    message.replace(QLatin1Char('\n'), QLatin1Char(' '));
    const QByteArray line = QByteArrayLiteral("rangedb-cli: error: ") + message.toUtf8() + '\n';
    std::fwrite(line.constData(), 1, static_cast<std::size_t>(line.size()), stderr);
    std::fflush(stderr);
}

} // namespace

int reportError(const Status &status)
{
    printErrorLine(QString::fromStdString(status.message()));
    return exitCodeFor(status.code());
}

int reportError(const QString &message, int exitCode)
{
    printErrorLine(message);
    return exitCode;
}

int reportUsageError(const QString &message, const QString &usage)
{
    printErrorLine(message);
    const QByteArray line = QByteArrayLiteral("usage: ") + usage.toUtf8()
        + QByteArrayLiteral("\n(see --help)\n");
    std::fwrite(line.constData(), 1, static_cast<std::size_t>(line.size()), stderr);
    return ExitUsage;
}

StandardOutput::StandardOutput()
{
    // Qt's own buffer would only add a copy: every caller hands over large chunks.
    std::fflush(stdout);
    if (!m_file.open(fileno(stdout), QIODevice::WriteOnly | QIODevice::Unbuffered, QFileDevice::DontCloseHandle))
        m_file.open(fileno(stdout), QIODevice::WriteOnly, QFileDevice::DontCloseHandle);
}

Status StandardOutput::write(std::string_view bytes)
{
    while (!bytes.empty()) {
        const qint64 written = m_file.write(bytes.data(), static_cast<qint64>(bytes.size()));
        if (written <= 0) {
            return Status::error(ErrorCode::IoError,
                                 "cannot write to standard output: " + m_file.errorString().toStdString());
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return {};
}

void JsonObject::addKey(std::string_view key)
{
    if (m_text.size() > 1)
        m_text.push_back(',');
    json::appendQuoted(m_text, key);
    m_text.push_back(':');
}

JsonObject &JsonObject::add(std::string_view key, std::string_view value)
{
    addKey(key);
    json::appendQuoted(m_text, value);
    return *this;
}

JsonObject &JsonObject::add(std::string_view key, std::uint64_t value)
{
    addKey(key);
    m_text += std::to_string(value);
    return *this;
}

JsonObject &JsonObject::addBool(std::string_view key, bool value)
{
    addKey(key);
    m_text += value ? "true" : "false";
    return *this;
}

JsonObject &JsonObject::addRaw(std::string_view key, std::string_view json)
{
    addKey(key);
    m_text += json;
    return *this;
}

Status JsonLines::add(const JsonObject &object)
{
    m_buffer += object.text();
    m_buffer.push_back('\n');
    if (m_buffer.size() >= (1u << 20)) {
        Status status = m_out.write(m_buffer);
        m_buffer.clear();
        return status;
    }
    return {};
}

Status JsonLines::finish()
{
    Status status = m_out.write(m_buffer);
    m_buffer.clear();
    return status;
}

int printResult(const JsonObject &result)
{
    StandardOutput out;
    const Status written = out.write(result.text() + '\n');
    return written.ok() ? ExitOk : reportError(written);
}

} // namespace rangedb::cli
