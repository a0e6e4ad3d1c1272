#include "readonlyenv.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace rangedb::detail {

struct ReadOnlyEnv::MemoryFile
{
    std::mutex mutex;
    std::string bytes; // GUARDED_BY(mutex)
};

namespace {

using leveldb::Slice;
using leveldb::Status;
using MemoryFile = ReadOnlyEnv::MemoryFile;

class MemorySequentialFile final : public leveldb::SequentialFile
{
public:
    explicit MemorySequentialFile(std::shared_ptr<MemoryFile> file) : m_file(std::move(file)) {}
    Status Read(size_t n, Slice *result, char *scratch) override
    {
        std::lock_guard lock(m_file->mutex);
        const std::string &bytes = m_file->bytes;
        const size_t available = m_offset < bytes.size() ? bytes.size() - m_offset : 0;
        n = std::min(n, available);
        std::memcpy(scratch, bytes.data() + m_offset, n);
        m_offset += n;
        *result = Slice(scratch, n);
        return Status::OK();
    }
    Status Skip(uint64_t n) override
    {
        m_offset += n;
        return Status::OK();
    }

private:
    std::shared_ptr<MemoryFile> m_file;
    size_t m_offset = 0;
};

class MemoryRandomAccessFile final : public leveldb::RandomAccessFile
{
public:
    explicit MemoryRandomAccessFile(std::shared_ptr<MemoryFile> file) : m_file(std::move(file)) {}
    Status Read(uint64_t offset, size_t n, Slice *result, char *scratch) const override
    {
        std::lock_guard lock(m_file->mutex);
        const std::string &bytes = m_file->bytes;
        if (offset > bytes.size())
            return Status::IOError("read past the end of an in-memory file");
        n = std::min<size_t>(n, bytes.size() - offset);
        std::memcpy(scratch, bytes.data() + offset, n);
        *result = Slice(scratch, n);
        return Status::OK();
    }

private:
    std::shared_ptr<MemoryFile> m_file;
};

class MemoryWritableFile final : public leveldb::WritableFile
{
public:
    explicit MemoryWritableFile(std::shared_ptr<MemoryFile> file) : m_file(std::move(file)) {}
    Status Append(const Slice &data) override
    {
        std::lock_guard lock(m_file->mutex);
        m_file->bytes.append(data.data(), data.size());
        return Status::OK();
    }
    Status Close() override { return Status::OK(); }
    Status Flush() override { return Status::OK(); }
    Status Sync() override { return Status::OK(); }

private:
    std::shared_ptr<MemoryFile> m_file;
};

class SharedFileLock final : public leveldb::FileLock
{
public:
    explicit SharedFileLock(int fd) : m_fd(fd) {}
    ~SharedFileLock() override
    {
        if (m_fd >= 0)
            ::close(m_fd); // closing drops the fcntl lock
    }

private:
    int m_fd;
};

class NullLogger final : public leveldb::Logger
{
public:
    void Logv(const char *, std::va_list) override {}
};

std::string directoryOf(const std::string &name)
{
    const auto slash = name.rfind('/');
    return slash == std::string::npos ? std::string(".") : name.substr(0, slash);
}

std::string baseName(const std::string &name)
{
    const auto slash = name.rfind('/');
    return slash == std::string::npos ? name : name.substr(slash + 1);
}

// Reads a real file whole (used to move a file into the overlay).
Status readWholeFile(leveldb::Env *env, const std::string &name, std::string *out)
{
    leveldb::SequentialFile *file = nullptr;
    Status s = env->NewSequentialFile(name, &file);
    if (!s.ok())
        return s;
    std::unique_ptr<leveldb::SequentialFile> owner(file);
    std::string buffer(64 * 1024, '\0');
    for (;;) {
        Slice chunk;
        s = file->Read(buffer.size(), &chunk, buffer.data());
        if (!s.ok())
            return s;
        if (chunk.empty())
            return Status::OK();
        out->append(chunk.data(), chunk.size());
    }
}

} // namespace

ReadOnlyEnv::ReadOnlyEnv(leveldb::Env *base) : leveldb::EnvWrapper(base) {}

ReadOnlyEnv::~ReadOnlyEnv() = default;

std::shared_ptr<MemoryFile> ReadOnlyEnv::find(const std::string &name) const
{
    const auto it = m_files.find(name);
    return it == m_files.end() ? nullptr : it->second;
}

bool ReadOnlyEnv::hidden(const std::string &name) const
{
    return m_hidden.count(name) > 0;
}

Status ReadOnlyEnv::NewSequentialFile(const std::string &name, leveldb::SequentialFile **result)
{
    {
        std::lock_guard lock(m_mutex);
        if (auto file = find(name)) {
            *result = new MemorySequentialFile(std::move(file));
            return Status::OK();
        }
        if (hidden(name))
            return Status::NotFound(name, "removed (in memory)");
    }
    return target()->NewSequentialFile(name, result);
}

Status ReadOnlyEnv::NewRandomAccessFile(const std::string &name, leveldb::RandomAccessFile **result)
{
    {
        std::lock_guard lock(m_mutex);
        if (auto file = find(name)) {
            *result = new MemoryRandomAccessFile(std::move(file));
            return Status::OK();
        }
        if (hidden(name))
            return Status::NotFound(name, "removed (in memory)");
    }
    return target()->NewRandomAccessFile(name, result);
}

Status ReadOnlyEnv::NewWritableFile(const std::string &name, leveldb::WritableFile **result)
{
    if (m_frozen)
        return Status::IOError(name, "database is open read-only");
    std::lock_guard lock(m_mutex);
    auto file = std::make_shared<MemoryFile>();
    m_files[name] = file;
    m_hidden.erase(name);
    *result = new MemoryWritableFile(std::move(file));
    return Status::OK();
}

Status ReadOnlyEnv::NewAppendableFile(const std::string &name, leveldb::WritableFile **result)
{
    if (m_frozen)
        return Status::IOError(name, "database is open read-only");
    std::lock_guard lock(m_mutex);
    auto file = find(name);
    if (!file) {
        file = std::make_shared<MemoryFile>();
        if (!hidden(name) && target()->FileExists(name)) {
            Status s = readWholeFile(target(), name, &file->bytes);
            if (!s.ok())
                return s;
        }
        m_files[name] = file;
        m_hidden.erase(name);
    }
    *result = new MemoryWritableFile(std::move(file));
    return Status::OK();
}

bool ReadOnlyEnv::FileExists(const std::string &name)
{
    {
        std::lock_guard lock(m_mutex);
        if (find(name))
            return true;
        if (hidden(name))
            return false;
    }
    return target()->FileExists(name);
}

Status ReadOnlyEnv::GetChildren(const std::string &dir, std::vector<std::string> *result)
{
    std::vector<std::string> real;
    Status s = target()->GetChildren(dir, &real);
    if (!s.ok())
        return s;
    std::lock_guard lock(m_mutex);
    std::set<std::string> names;
    for (const auto &child : real) {
        if (!hidden(dir + '/' + child))
            names.insert(child);
    }
    for (const auto &[name, file] : m_files) {
        if (directoryOf(name) == dir)
            names.insert(baseName(name));
    }
    result->assign(names.begin(), names.end());
    return Status::OK();
}

Status ReadOnlyEnv::RemoveFile(const std::string &name)
{
    std::lock_guard lock(m_mutex);
    const bool inMemory = m_files.erase(name) > 0;
    if (target()->FileExists(name)) {
        m_hidden.insert(name);
        return Status::OK();
    }
    return inMemory ? Status::OK() : Status::NotFound(name, "no such file");
}

Status ReadOnlyEnv::CreateDir(const std::string &)
{
    // The folder exists (checked before opening); nothing to create.
    return Status::OK();
}

Status ReadOnlyEnv::RemoveDir(const std::string &)
{
    return Status::OK();
}

Status ReadOnlyEnv::GetFileSize(const std::string &name, uint64_t *size)
{
    {
        std::lock_guard lock(m_mutex);
        if (auto file = find(name)) {
            std::lock_guard fileLock(file->mutex);
            *size = file->bytes.size();
            return Status::OK();
        }
        if (hidden(name))
            return Status::NotFound(name, "removed (in memory)");
    }
    return target()->GetFileSize(name, size);
}

Status ReadOnlyEnv::RenameFile(const std::string &from, const std::string &to)
{
    std::lock_guard lock(m_mutex);
    auto file = find(from);
    if (!file) {
        if (hidden(from) || !target()->FileExists(from))
            return Status::NotFound(from, "no such file");
        file = std::make_shared<MemoryFile>();
        Status s = readWholeFile(target(), from, &file->bytes);
        if (!s.ok())
            return s;
        m_hidden.insert(from);
    }
    m_files.erase(from);
    m_files[to] = std::move(file);
    m_hidden.erase(to);
    return Status::OK();
}

Status ReadOnlyEnv::LockFile(const std::string &name, leveldb::FileLock **lock)
{
    const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        // No LOCK file: no LevelDB process has ever held this folder open. Nothing to
        // lock, and creating the file would be a write.
        *lock = new SharedFileLock(-1);
        return Status::OK();
    }
    struct ::flock request = {};
    request.l_type = F_RDLCK;
    request.l_whence = SEEK_SET;
    if (::fcntl(fd, F_SETLK, &request) == -1) {
        const int error = errno;
        ::close(fd);
        return Status::IOError("lock " + name, std::strerror(error));
    }
    *lock = new SharedFileLock(fd);
    return Status::OK();
}

Status ReadOnlyEnv::UnlockFile(leveldb::FileLock *lock)
{
    delete lock;
    return Status::OK();
}

Status ReadOnlyEnv::NewLogger(const std::string &, leveldb::Logger **result)
{
    *result = new NullLogger;
    return Status::OK();
}

leveldb::Logger *newNullLogger()
{
    return new NullLogger;
}

} // namespace rangedb::detail
