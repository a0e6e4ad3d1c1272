// RecordReader over arbitrary bytes in each of the three formats (chosen by the first
// byte): no crash, and every record it delivers can be written and read back (data and
// metadata equal by meaning, see fuzz_codec_msgpack.cpp).

#include "rangedb/json.h"
#include "rangedb/recordstream.h"

#include <QBuffer>
#include <QByteArray>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const auto format = static_cast<rangedb::StreamFormat>(data[0] % 3);
    QBuffer input;
    input.setData(reinterpret_cast<const char *>(data + 1), static_cast<qsizetype>(size - 1));
    input.open(QIODevice::ReadOnly);
    rangedb::RecordReader reader(&input, format, QStringLiteral("fuzz"));
    std::vector<rangedb::Record> records;
    while (reader.next())
        records.push_back(reader.record());
    if (reader.status().ok() && reader.bytesRead() > size - 1)
        std::abort();

    QByteArray written;
    QBuffer output(&written);
    output.open(QIODevice::WriteOnly);
    {
        rangedb::RecordWriter writer(&output, format);
        for (const auto &r : records) {
            if (!writer.write(r).ok())
                std::abort();
        }
        if (!writer.finish().ok())
            std::abort();
    }
    output.close();
    QBuffer back(&written);
    back.open(QIODevice::ReadOnly);
    rangedb::RecordReader again(&back, format, QStringLiteral("fuzz-again"));
    std::size_t n = 0;
    while (again.next()) {
        if (n >= records.size())
            std::abort();
        rangedb::Record got = again.record();
        if (!rangedb::json::equal(got.data, records[n].data) || !rangedb::json::equal(got.metadata, records[n].metadata))
            std::abort();
        got.data = records[n].data;
        got.metadata = records[n].metadata;
        if (!(got == records[n]))
            std::abort();
        ++n;
    }
    if (!again.status().ok() || n != records.size())
        std::abort();
    return 0;
}
