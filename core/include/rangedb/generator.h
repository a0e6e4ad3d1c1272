#pragma once

#include "rangedb/record.h"

#include <cstdint>
#include <vector>

namespace rangedb {

// Deterministic, realistic sample events for sample databases and benchmarks: several
// event types per aggregate type (e.g. account: AccountWasOpened, DepositWasMade, ...),
// nested data of 100 to 500 bytes, events spread over `streams` streams of
// `aggregateTypes` types. The same options always give the same events.
struct GeneratorOptions
{
    std::uint64_t events = 1000;
    int aggregateTypes = 10;  // at most the number of built-in types (10)
    std::uint64_t streams = 100;
    std::uint64_t seed = 1;
};

class SampleGenerator
{
public:
    explicit SampleGenerator(const GeneratorOptions &options);
    // The next batch of at most `max` events, all of one stream (a Save's worth).
    // Empty when all `events` were produced.
    std::vector<EventRecord> nextBatch(std::size_t max);
    std::uint64_t produced() const { return m_produced; }

private:
    GeneratorOptions m_options;
    std::uint64_t m_produced = 0;
    std::uint64_t m_state;
};

} // namespace rangedb
