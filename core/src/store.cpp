#include "rangedb/store.h"

#include <array>
#include <chrono>
#include <random>

namespace rangedb {

namespace {

class VectorIterator final : public RecordIterator
{
public:
    VectorIterator(std::vector<Record> records, Status error)
        : m_records(std::move(records)), m_finalError(std::move(error))
    {
    }

    bool next() override
    {
        if (!m_error.ok())
            return false;
        if (m_next < m_records.size()) {
            m_current = &m_records[m_next++];
            return true;
        }
        m_current = nullptr;
        m_error = m_finalError;
        return false;
    }
    const Record *record() const override { return m_current; }
    const Status &error() const override { return m_error; }

private:
    std::vector<Record> m_records;
    std::size_t m_next = 0;
    const Record *m_current = nullptr;
    Status m_finalError;
    Status m_error;
};

} // namespace

RecordIteratorPtr makeErrorIterator(Status error)
{
    return std::make_unique<VectorIterator>(std::vector<Record>{}, std::move(error));
}

RecordIteratorPtr makeVectorIterator(std::vector<Record> records)
{
    return std::make_unique<VectorIterator>(std::move(records), Status());
}

RecordIteratorPtr scopeEvents(Store &store, const Scope &scope, std::uint64_t from, std::stop_token stop)
{
    switch (scope.kind) {
    case Scope::Kind::AllEvents:
        return store.events(from, std::move(stop));
    case Scope::Kind::AggregateTypes:
        return store.eventsByAggregateTypes(from, scope.aggregateTypes, std::move(stop));
    case Scope::Kind::Stream:
        return store.eventsByStream(from, scope.stream, std::move(stop));
    }
    return makeErrorIterator(Status::error(ErrorCode::InvalidArgument, "unknown scope kind"));
}

// The generic way: walk the records. Stores with an index of their own override it.
Result<ScopeIndex> Store::scopeIndex(const Scope &scope, std::uint32_t stride, std::stop_token stop,
                                     const ScopeIndexProgress &progress)
{
    if (stride == 0)
        return Status::error(ErrorCode::InvalidArgument, "scope index stride must be at least 1");
    ScopeIndex index;
    index.stride = stride;
    auto lastReport = std::chrono::steady_clock::now();
    auto records = scopeEvents(*this, scope, 0, stop);
    const bool byStream = scope.kind == Scope::Kind::Stream;
    while (records->next()) {
        const Record &record = *records->record();
        index.add(byStream ? record.streamSequenceNumber : record.globalSequenceNumber);
        if (progress && (index.rows & 0xfff) == 0) {
            const auto now = std::chrono::steady_clock::now();
            if (now - lastReport > std::chrono::milliseconds(100)) {
                progress(index);
                lastReport = now;
            }
        }
    }
    // A missing stream is an empty scope here, as it is to totalEventsInStream().
    if (!records->error().ok() && !(byStream && records->error().code() == ErrorCode::StreamNotFound))
        return records->error();
    index.complete = true;
    return index;
}

std::string newShortUuid()
{
    // One generator per thread, seeded from the OS: no lock on the save path.
    thread_local std::mt19937_64 generator{[] {
        std::random_device device;
        return (std::uint64_t(device()) << 32) ^ device();
    }()};
    std::array<std::uint64_t, 2> words{generator(), generator()};
    // Version 4, variant 10xx, as google/uuid makes them.
    words[0] = (words[0] & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
    words[1] = (words[1] & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    static constexpr char hex[] = "0123456789abcdef";
    std::string id(32, '0');
    for (int w = 0; w < 2; ++w) {
        for (int i = 0; i < 16; ++i)
            id[std::size_t(w * 16 + i)] = hex[(words[std::size_t(w)] >> (60 - 4 * i)) & 0xf];
    }
    return id;
}

} // namespace rangedb
