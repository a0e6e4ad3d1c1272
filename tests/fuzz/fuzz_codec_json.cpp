// codec::decodeJson on arbitrary bytes: no crash; a decoded record survives
// appendJson -> decodeJson unchanged, and "canonical" means byte-identical.

#include "rangedb/codec.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    rangedb::Record record;
    bool canonical = false;
    if (!rangedb::codec::decodeJson(bytes, record, &canonical).ok())
        return 0;
    const std::string encoded = rangedb::codec::toJson(record);
    if (canonical && encoded != bytes)
        std::abort();
    rangedb::Record again;
    bool againCanonical = false;
    if (!rangedb::codec::decodeJson(encoded, again, &againCanonical).ok() || !(again == record) || !againCanonical)
        std::abort();
    return 0;
}
