#include "preadenv.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace rangedb::detail {

namespace {

leveldb::Status posixError(const std::string &context, int error)
{
    if (error == ENOENT)
        return leveldb::Status::NotFound(context, std::strerror(error));
    return leveldb::Status::IOError(context, std::strerror(error));
}

// One open descriptor per file; LevelDB's table cache bounds how many are open.
class PreadFile final : public leveldb::RandomAccessFile
{
public:
    PreadFile(std::string name, int fd) : m_name(std::move(name)), m_fd(fd) {}
    ~PreadFile() override { ::close(m_fd); }

    leveldb::Status Read(uint64_t offset, size_t n, leveldb::Slice *result, char *scratch) const override
    {
        size_t done = 0;
        while (done < n) {
            const ssize_t got = ::pread(m_fd, scratch + done, n - done, off_t(offset + done));
            if (got < 0) {
                if (errno == EINTR)
                    continue;
                *result = leveldb::Slice(scratch, 0);
                return posixError(m_name, errno);
            }
            if (got == 0)
                break; // end of file: a short read, as the default Env reports it
            done += size_t(got);
        }
        *result = leveldb::Slice(scratch, done);
        return leveldb::Status::OK();
    }

private:
    const std::string m_name;
    const int m_fd;
};

} // namespace

PreadEnv::PreadEnv(leveldb::Env *base) : leveldb::EnvWrapper(base) {}

leveldb::Status PreadEnv::NewRandomAccessFile(const std::string &name, leveldb::RandomAccessFile **result)
{
    const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *result = nullptr;
        return posixError(name, errno);
    }
    *result = new PreadFile(name, fd);
    return leveldb::Status::OK();
}

PreadEnv *PreadEnv::instance()
{
    static PreadEnv *env = new PreadEnv(leveldb::Env::Default());
    return env;
}

} // namespace rangedb::detail
