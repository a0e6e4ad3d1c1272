#pragma once

// A leveldb::Env that reads table files with pread(2) instead of mapping them.
//
// LevelDB's POSIX Env maps up to 1000 table files into memory. Every page a scan touches
// then counts as resident memory of the process, so browsing a 2 GB database end to end
// made the workbench "use" 1.6 GB although the kernel could drop those pages at any time.
// With pread the bytes go through the block cache only, and the program's resident
// memory stays what it allocates. Everything else is the default Env's. Thread-safe.

#include <leveldb/env.h>

namespace rangedb::detail {

class PreadEnv final : public leveldb::EnvWrapper
{
public:
    // `base` must outlive this Env.
    explicit PreadEnv(leveldb::Env *base);
    leveldb::Status NewRandomAccessFile(const std::string &name, leveldb::RandomAccessFile **result) override;

    // A process-wide instance over leveldb::Env::Default(); never destroyed.
    static PreadEnv *instance();
};

} // namespace rangedb::detail
