#pragma once

// Small helpers shared by the bench_* executables: timing (median of repetitions), checks
// that abort when the timed work was not really done, the event shape of rangedb's own
// benchmark, a table printer and the closing JSON line. Header only; benchmarks only.

#include "rangedb/json.h"
#include "rangedb/record.h"

#include <QCoreApplication>
#include <QIODevice>
#include <QStringList>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace rangedb::bench {

// Aborts the benchmark: a figure for work that was not done is worse than none.
inline void require(bool condition, const std::string &what)
{
    if (!condition) {
        std::fprintf(stderr, "bench: check failed: %s\n", what.c_str());
        std::fflush(stdout);
        std::abort();
    }
}

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

inline double median(std::vector<double> values)
{
    require(!values.empty(), "median of no values");
    std::sort(values.begin(), values.end());
    const std::size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Runs `setup` (untimed) then `body` (timed) `repetitions` times; the median seconds.
inline double medianSeconds(int repetitions, const std::function<void()> &setup, const std::function<void()> &body)
{
    std::vector<double> times;
    for (int i = 0; i < repetitions; ++i) {
        if (setup)
            setup();
        const auto start = Clock::now();
        body();
        times.push_back(secondsSince(start));
    }
    return median(times);
}

// --quick: a smoke run of a few seconds (small sizes, one repetition).
inline bool quickMode()
{
    return QCoreApplication::arguments().contains(QStringLiteral("--quick"));
}

// A QIODevice that accepts and forgets every byte: measures encoding without the disk.
class DiscardDevice final : public QIODevice
{
public:
    DiscardDevice() { open(QIODevice::WriteOnly); }
    qint64 bytes() const { return m_bytes; }

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *, qint64 length) override
    {
        m_bytes += length;
        return length;
    }

private:
    qint64 m_bytes = 0;
};

// rangedb's benchmark event, ThingWasDone {"id":"<32 hex>","number":i}, spread over
// `streams` streams of 10 aggregate types: event i goes to stream i % streams.
struct Workload
{
    static constexpr int kAggregateTypes = 10;
    std::uint64_t streams = 1000;

    static const std::string &aggregateType(std::uint64_t typeIndex)
    {
        static const std::vector<std::string> names = {"account", "order",   "customer", "invoice", "shipment",
                                                       "product", "payment", "cart",     "sensor",  "user"};
        return names[typeIndex % names.size()];
    }
    static std::string hexId(std::uint64_t n)
    {
        static constexpr char digits[] = "0123456789abcdef";
        std::string id(32, '0');
        std::uint64_t a = n * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
        std::uint64_t b = (n + 1) * 0xbf58476d1ce4e5b9ULL;
        for (int i = 0; i < 16; ++i) {
            id[std::size_t(i)] = digits[(a >> (60 - 4 * i)) & 0xf];
            id[std::size_t(16 + i)] = digits[(b >> (60 - 4 * i)) & 0xf];
        }
        return id;
    }
    std::uint64_t streamOf(std::uint64_t event) const { return event % streams; }
    const std::string &typeOfStream(std::uint64_t stream) const { return aggregateType(stream % kAggregateTypes); }
    std::string idOfStream(std::uint64_t stream) const { return hexId(stream); }

    EventRecord event(std::uint64_t stream, std::uint64_t number) const
    {
        EventRecord e;
        e.aggregateType = typeOfStream(stream);
        e.aggregateId = idOfStream(stream);
        e.eventType = "ThingWasDone";
        e.data = "{\"id\":\"" + e.aggregateId + "\",\"number\":" + std::to_string(number) + "}";
        return e;
    }
};

// The printed table and the figures of the final JSON line.
class Report
{
public:
    explicit Report(std::string benchmark) : m_benchmark(std::move(benchmark)) {}

    void section(const std::string &title)
    {
        std::printf("\n%s\n", title.c_str());
        std::printf("%-58s %14s %14s %10s\n", "workload", "per second", "per op", "vs floor");
        std::printf("%s\n", std::string(99, '-').c_str());
        std::fflush(stdout);
    }

    // One row: `operations` done in `seconds`; `floorPerSecond` > 0 adds the ratio
    // (this rate / the floor's rate). `unit` names what an operation is.
    void row(const std::string &key, const std::string &label, double operations, double seconds,
             const char *unit = "events", double floorPerSecond = 0)
    {
        const double perSecond = operations / seconds;
        const double microsPerOp = seconds * 1e6 / operations;
        char ratio[32] = "";
        if (floorPerSecond > 0)
            std::snprintf(ratio, sizeof ratio, "%.2fx", perSecond / floorPerSecond);
        char rate[64];
        std::snprintf(rate, sizeof rate, "%.0f %s/s", perSecond, unit);
        std::printf("%-58s %14s %11.2f us %10s\n", label.c_str(), rate, microsPerOp, ratio);
        std::fflush(stdout);
        std::string figure;
        json::appendQuoted(figure, key);
        figure += ":{\"perSecond\":" + number(perSecond) + ",\"microsPerOp\":" + number(microsPerOp)
            + ",\"operations\":" + number(operations) + ",\"seconds\":" + number(seconds);
        if (floorPerSecond > 0)
            figure += ",\"vsFloor\":" + number(perSecond / floorPerSecond);
        figure += "}";
        m_figures.push_back(std::move(figure));
    }

    void note(const std::string &text)
    {
        std::printf("  %s\n", text.c_str());
        std::fflush(stdout);
    }

    // {"benchmark":"...","quick":false,"figures":{...}} on one line, last.
    void finish(bool quick) const
    {
        std::string line = "{\"benchmark\":";
        json::appendQuoted(line, m_benchmark);
        line += std::string(",\"quick\":") + (quick ? "true" : "false") + ",\"figures\":{";
        for (std::size_t i = 0; i < m_figures.size(); ++i) {
            if (i > 0)
                line.push_back(',');
            line += m_figures[i];
        }
        line += "}}";
        std::printf("\n%s\n", line.c_str());
        std::fflush(stdout);
    }

private:
    static std::string number(double value)
    {
        char text[64];
        std::snprintf(text, sizeof text, "%.6g", value);
        return text;
    }
    std::string m_benchmark;
    std::vector<std::string> m_figures;
};

} // namespace rangedb::bench
