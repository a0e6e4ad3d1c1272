// codec::decodeMsgpack on arbitrary bytes: no crash and no huge allocation; a decoded
// record encodes again and decodes to the same record (data and metadata equal by
// meaning: invalid UTF-8 is written as "\ufffd" and comes back as a raw U+FFFD).

#include "rangedb/codec.h"
#include "rangedb/json.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    rangedb::Record record;
    std::size_t consumed = 0;
    if (!rangedb::codec::decodeMsgpack(bytes, record, &consumed).ok())
        return 0;
    if (consumed == 0 || consumed > size)
        std::abort();
    std::string encoded;
    if (!rangedb::codec::appendMsgpack(encoded, record).ok())
        std::abort(); // everything we decode is representable
    rangedb::Record again;
    if (!rangedb::codec::decodeMsgpack(encoded, again).ok())
        std::abort();
    if (!rangedb::json::equal(again.data, record.data) || !rangedb::json::equal(again.metadata, record.metadata))
        std::abort();
    again.data = record.data;
    again.metadata = record.metadata;
    if (!(again == record))
        std::abort();
    std::string json;
    (void)rangedb::codec::msgpackToJson(bytes, json, &consumed);
    return 0;
}
