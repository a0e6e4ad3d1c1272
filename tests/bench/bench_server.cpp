// bench_server: N concurrent HTTP clients saving through rangedb::server::Server to a
// LevelDB store over loopback for D seconds. Reports requests per second and latency
// percentiles, then checks nothing was lost: the store's check() passes and every
// stream holds exactly the events its client was told were saved.
//
//   bench_server [--clients N] [--seconds D] [--quick]
#include "rangedb/leveldbstore.h"
#include "rangedb/server.h"

#include <QCoreApplication>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

using namespace rangedb;
using Clock = std::chrono::steady_clock;

namespace {

void require(bool condition, const std::string &what)
{
    if (!condition) {
        std::fprintf(stderr, "bench_server: check failed: %s\n", what.c_str());
        std::abort();
    }
}

struct ClientResult
{
    std::string aggregateId;
    std::uint64_t saved = 0;         // 201 answers
    std::uint64_t lastSequence = 0;  // the last streamSequenceNumber we were told
    std::vector<double> latenciesUs;
    std::string error;
};

// Reads one response (head + Content-Length body) from a blocking socket.
bool readResponse(QTcpSocket &socket, QByteArray &buffer, int &status, QByteArray &body)
{
    for (;;) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end >= 0) {
            const QByteArray head = buffer.left(end);
            status = head.mid(9, 3).toInt();
            const qsizetype at = head.toLower().indexOf("content-length:");
            const qsizetype length = at < 0 ? 0 : head.mid(at + 15, head.indexOf('\r', at) - at - 15).trimmed().toLongLong();
            if (buffer.size() >= end + 4 + length) {
                body = buffer.mid(end + 4, length);
                buffer.remove(0, end + 4 + length);
                return true;
            }
        }
        if (!socket.waitForReadyRead(10'000))
            return false;
        buffer += socket.readAll();
    }
}

void runClient(quint16 port, int index, Clock::time_point deadline, ClientResult &result)
{
    char id[33];
    std::snprintf(id, sizeof id, "%032x", index + 1);
    result.aggregateId = id;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000)) {
        result.error = "cannot connect";
        return;
    }
    QByteArray buffer;
    int n = 0;
    while (Clock::now() < deadline) {
        const QByteArray body = "[{\"eventType\":\"ThingWasDone\",\"data\":{\"id\":\"" + QByteArray(id)
                                + "\",\"number\":" + QByteArray::number(++n) + "},\"metadata\":null}]";
        const QByteArray request = "POST /api/save-events/thing/" + QByteArray(id)
                                   + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                     "Content-Length: "
                                   + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        const auto start = Clock::now();
        socket.write(request);
        int status = 0;
        QByteArray answer;
        if (!socket.waitForBytesWritten(10'000) && socket.bytesToWrite() > 0) {
            result.error = "write timed out";
            return;
        }
        if (!readResponse(socket, buffer, status, answer)) {
            result.error = "no response";
            return;
        }
        result.latenciesUs.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
        if (status != 201) {
            result.error = "status " + std::to_string(status) + ": " + answer.toStdString();
            return;
        }
        const qsizetype colon = answer.lastIndexOf(':');
        result.lastSequence = answer.mid(colon + 1, answer.size() - colon - 2).toULongLong();
        ++result.saved;
    }
}

double percentile(std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const std::size_t index = std::min(sorted.size() - 1, std::size_t(p / 100.0 * double(sorted.size())));
    return sorted[index];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const bool quick = args.contains(QStringLiteral("--quick"));
    int clients = 8;
    double seconds = quick ? 2.0 : 20.0;
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QStringLiteral("--clients"))
            clients = args[i + 1].toInt();
        if (args[i] == QStringLiteral("--seconds"))
            seconds = args[i + 1].toDouble();
    }
    require(clients > 0 && seconds > 0, "--clients and --seconds must be positive");

    QTemporaryDir dir;
    LevelDbOptions options;
    options.createIfMissing = true;
    auto opened = LevelDbStore::open(dir.path().toStdString(), options);
    require(opened.ok(), "open the store");
    std::shared_ptr<Store> store = std::move(opened).value();
    server::Server server(store);
    require(server.start().ok(), "start the server");

    std::vector<ClientResult> results(static_cast<std::size_t>(clients));
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    for (int i = 0; i < clients; ++i)
        threads.emplace_back(runClient, server.port(), i, deadline, std::ref(results[std::size_t(i)]));
    for (std::thread &thread : threads)
        thread.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    server.stop();

    std::vector<double> latencies;
    std::uint64_t saved = 0;
    for (const ClientResult &result : results) {
        require(result.error.empty(), "client " + result.aggregateId + ": " + result.error);
        require(result.lastSequence == result.saved, "client " + result.aggregateId + " was told sequence numbers 1..n");
        saved += result.saved;
        latencies.insert(latencies.end(), result.latenciesUs.begin(), result.latenciesUs.end());
    }
    std::sort(latencies.begin(), latencies.end());

    // Nothing lost: the store is consistent and holds exactly what the clients were told.
    auto check = store->check();
    require(check.ok() && check->consistent, "store check passes");
    auto total = store->totalEvents();
    require(total.ok() && *total == saved, "total events (" + std::to_string(total.ok() ? *total : 0)
                                               + ") equals the saves acknowledged (" + std::to_string(saved) + ")");
    for (const ClientResult &result : results) {
        auto inStream = store->totalEventsInStream("thing!" + result.aggregateId);
        require(inStream.ok() && *inStream == result.saved, "stream of client " + result.aggregateId);
    }

    std::printf("bench_server: %d clients x %.1f s, 1 event per request, LevelDB store, loopback\n", clients, elapsed);
    std::printf("  requests            %llu (all 201, all stored; check() consistent)\n",
                static_cast<unsigned long long>(saved));
    std::printf("  requests/s          %.0f\n", double(saved) / elapsed);
    std::printf("  latency p50         %.0f us\n", percentile(latencies, 50));
    std::printf("  latency p90         %.0f us\n", percentile(latencies, 90));
    std::printf("  latency p99         %.0f us\n", percentile(latencies, 99));
    std::printf("  latency max         %.0f us\n", latencies.empty() ? 0.0 : latencies.back());
    std::printf("{\"bench\":\"server\",\"clients\":%d,\"seconds\":%.1f,\"requests\":%llu,\"requestsPerSecond\":%.0f,"
                "\"p50us\":%.0f,\"p90us\":%.0f,\"p99us\":%.0f,\"maxus\":%.0f}\n",
                clients, elapsed, static_cast<unsigned long long>(saved), double(saved) / elapsed,
                percentile(latencies, 50), percentile(latencies, 90), percentile(latencies, 99),
                latencies.empty() ? 0.0 : latencies.back());
    return 0;
}
