// json::normalize, json::equal and json::pretty on arbitrary bytes: no crash, and what
// normalize returns is a fixed point that means the same as its input.

#include "rangedb/json.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const auto normalized = rangedb::json::normalize(text);
    if (!normalized.ok()) {
        if (rangedb::json::pretty(text).ok())
            std::abort(); // both must agree on what is valid
        return 0;
    }
    const auto again = rangedb::json::normalize(*normalized);
    if (!again.ok() || *again != *normalized)
        std::abort();
    if (!rangedb::json::equal(text, *normalized))
        std::abort();
    const auto pretty = rangedb::json::pretty(text);
    if (!pretty.ok() || !rangedb::json::equal(*pretty, *normalized))
        std::abort();
    return 0;
}
