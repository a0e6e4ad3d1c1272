#pragma once

#include <leveldb/env.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rangedb::detail {

// A leveldb::Env that never writes a byte into the file system, so that a database can
// be opened read-only. LevelDB has no read-only open: DB::Open writes a new MANIFEST,
// a new log, CURRENT, turns a non-empty log into a table, deletes obsolete files and
// renames LOG. Over this Env those writes land in memory ("the overlay"): files written
// are kept in RAM, deleted files are only hidden, renames happen in the overlay. Reads
// fall through to the real files unless the overlay has the name.
//
// After the open (freeze()), new files can no longer be created: a background compaction
// then fails once, LevelDB records the error and stops compacting, so memory use stays at
// what recovery needed. Reads are unaffected.
//
// Locking: LockFile takes a shared fcntl read lock on the existing LOCK file (opened
// read-only), so a writer (LevelDB takes an exclusive lock) cannot hold the folder while
// we read it, and several read-only opens may share it.
//
// Thread-safe.
class ReadOnlyEnv final : public leveldb::EnvWrapper
{
public:
    // Reads go to `base` (the default Env, or one that reads without mapping).
    explicit ReadOnlyEnv(leveldb::Env *base);
    ~ReadOnlyEnv() override;

    void freeze() { m_frozen = true; }

    leveldb::Status NewSequentialFile(const std::string &name, leveldb::SequentialFile **result) override;
    leveldb::Status NewRandomAccessFile(const std::string &name, leveldb::RandomAccessFile **result) override;
    leveldb::Status NewWritableFile(const std::string &name, leveldb::WritableFile **result) override;
    leveldb::Status NewAppendableFile(const std::string &name, leveldb::WritableFile **result) override;
    bool FileExists(const std::string &name) override;
    leveldb::Status GetChildren(const std::string &dir, std::vector<std::string> *result) override;
    leveldb::Status RemoveFile(const std::string &name) override;
    leveldb::Status DeleteFile(const std::string &name) override { return RemoveFile(name); }
    leveldb::Status CreateDir(const std::string &name) override;
    leveldb::Status RemoveDir(const std::string &name) override;
    leveldb::Status DeleteDir(const std::string &name) override { return RemoveDir(name); }
    leveldb::Status GetFileSize(const std::string &name, uint64_t *size) override;
    leveldb::Status RenameFile(const std::string &from, const std::string &to) override;
    leveldb::Status LockFile(const std::string &name, leveldb::FileLock **lock) override;
    leveldb::Status UnlockFile(leveldb::FileLock *lock) override;
    leveldb::Status NewLogger(const std::string &name, leveldb::Logger **result) override;

    struct MemoryFile;

private:
    std::shared_ptr<MemoryFile> find(const std::string &name) const; // requires m_mutex
    bool hidden(const std::string &name) const;                      // requires m_mutex

    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<MemoryFile>> m_files; // GUARDED_BY(m_mutex)
    std::set<std::string> m_hidden;                             // GUARDED_BY(m_mutex)
    std::atomic<bool> m_frozen{false};
};

// A Logger that drops everything (read-only opens must not create LOG).
leveldb::Logger *newNullLogger();

} // namespace rangedb::detail
