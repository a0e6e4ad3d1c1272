#include "rangedb/generator.h"

#include "rangedb/json.h"

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <string_view>

// Why the generator looks the way it does:
//
// - Determinism across compilers and standard libraries: every draw comes from our own
//   SplitMix64, never from <random> distributions (whose output is implementation-defined).
// - Every draw is derived from (seed, batch index), and m_state counts the batches produced.
//   So a batch never depends on the size of earlier batches' draws, and the generator
//   needs no per-stream table: stream k is opened by batch k (its first event is the
//   aggregate's "opening" event, e.g. AccountWasOpened), and once every stream is open,
//   later batches continue random streams.
// - Attributes that should stay constant along a stream (an account's owner and currency,
//   a sensor's location) are drawn from a per-stream seed, so every event of the stream
//   agrees with the others.
namespace rangedb {
namespace {

std::uint64_t mix64(std::uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and the same on every platform.
class Rng
{
public:
    explicit Rng(std::uint64_t seed) : m_state(seed) {}

    std::uint64_t next()
    {
        m_state += 0x9e3779b97f4a7c15ULL;
        return mix64(m_state);
    }
    // Uniform enough in [0, n) for sample data; n > 0.
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    std::int64_t between(std::int64_t lo, std::int64_t hi) // inclusive
    {
        return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
    }
    bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }
    template<typename T, std::size_t N>
    const T &pick(const std::array<T, N> &items) { return items[below(N)]; }

private:
    std::uint64_t m_state;
};

std::uint64_t derive(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0)
{
    return mix64(mix64(seed ^ 0x5851f42d4c957f2dULL) + mix64(a + 0x14057b7ef767814fULL) * 31 + b);
}

// Compact JSON built token by token; strings go through the core's Go-style quoting, so
// the text is already in the form the store keeps.
class JsonText
{
public:
    JsonText &beginObject() { separate(); m_out.push_back('{'); m_needComma = false; return *this; }
    JsonText &endObject() { m_out.push_back('}'); m_needComma = true; return *this; }
    JsonText &beginArray() { separate(); m_out.push_back('['); m_needComma = false; return *this; }
    JsonText &endArray() { m_out.push_back(']'); m_needComma = true; return *this; }
    JsonText &key(std::string_view name)
    {
        separate();
        json::appendQuoted(m_out, name);
        m_out.push_back(':');
        m_needComma = false;
        return *this;
    }
    JsonText &string(std::string_view value) { separate(); json::appendQuoted(m_out, value); m_needComma = true; return *this; }
    JsonText &integer(std::int64_t value) { separate(); m_out += std::to_string(value); m_needComma = true; return *this; }
    // value / 10^scale, written with exactly `scale` decimals (a literal, never a double).
    JsonText &decimal(std::int64_t value, int scale)
    {
        separate();
        if (value < 0) {
            m_out.push_back('-');
            value = -value;
        }
        std::int64_t unit = 1;
        for (int i = 0; i < scale; ++i)
            unit *= 10;
        m_out += std::to_string(value / unit);
        if (scale > 0) {
            std::string fraction = std::to_string(value % unit);
            m_out.push_back('.');
            m_out.append(static_cast<std::size_t>(scale) - fraction.size(), '0');
            m_out += fraction;
        }
        m_needComma = true;
        return *this;
    }
    JsonText &boolean(bool value) { separate(); m_out += value ? "true" : "false"; m_needComma = true; return *this; }
    JsonText &null() { separate(); m_out += "null"; m_needComma = true; return *this; }

    // Shorthands for a member.
    JsonText &field(std::string_view name, std::string_view value) { return key(name).string(value); }
    JsonText &field(std::string_view name, std::int64_t value) { return key(name).integer(value); }
    // Not an overload of field(): a string literal would convert to bool before string_view.
    JsonText &flag(std::string_view name, bool value) { return key(name).boolean(value); }
    JsonText &money(std::string_view name, std::int64_t cents) { return key(name).decimal(cents, 2); }

    std::string take() { return std::move(m_out); }

private:
    void separate()
    {
        if (m_needComma)
            m_out.push_back(',');
    }
    std::string m_out;
    bool m_needComma = false;
};

// ---- building blocks for realistic values ---------------------------------------------

constexpr std::array<std::string_view, 16> kPeople = {
    "Zoë Ångström", "José Núñez", "Łukasz Żółć", "山田 太郎", "Søren Kjær", "Amélie Poulain",
    "Björn Sæther", "Ana Conceição", "Mehmet Yılmaz", "Olga Дмитриева", "Ngozi Okafor",
    "Chloé Bénard", "Aarav Sharma", "Maria Gonzalez", "John Smith", "Li Wei",
};
constexpr std::array<std::string_view, 10> kLogins = {
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
};
constexpr std::array<std::string_view, 12> kCities = {
    "Zürich", "São Paulo", "Kraków", "東京", "Reykjavík", "München", "Montréal", "Oslo",
    "Austin", "Lagos", "Mumbai", "Málaga",
};
constexpr std::array<std::string_view, 12> kCountries = {
    "CH", "BR", "PL", "JP", "IS", "DE", "CA", "NO", "US", "NG", "IN", "ES",
};
constexpr std::array<std::string_view, 8> kStreets = {
    "Bahnhofstraße", "Rua Augusta", "ul. Floriańska", "Main Street", "Rue de la Paix",
    "Storgata", "Calle Larios", "Königsallee",
};
constexpr std::array<std::string_view, 4> kCurrencies = {"EUR", "USD", "CHF", "JPY"};
constexpr std::array<std::string_view, 12> kProducts = {
    "Café crème ☕", "Croissant 🥐", "Espresso beans 1 kg", "Teapot (porcelain)",
    "Matcha 抹茶 100 g", "Bircher müesli", "Smørrebrød kit", "Pão de queijo ×6",
    "Ceramic mug", "Oat milk 1 l", "Chocolate 70 %", "Gift card",
};
constexpr std::array<std::string_view, 5> kCarriers = {"DHL", "UPS", "FedEx", "La Poste", "Posten Norge"};
constexpr std::array<std::string_view, 5> kChannels = {"web", "ios", "android", "pos", "api"};
constexpr std::array<std::string_view, 4> kMethods = {"card", "sepa", "paypal", "twint"};
constexpr std::array<std::string_view, 6> kTags = {"premium", "eu", "b2b", "trial", "vip", "new"};
constexpr std::array<std::string_view, 5> kRoles = {"viewer", "editor", "admin", "billing", "support"};

std::string hex(std::uint64_t value, int digits)
{
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(static_cast<std::size_t>(digits), '0');
    for (int i = digits - 1; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = kDigits[value & 0xf];
        value >>= 4;
    }
    return out;
}

std::string padded(std::uint64_t value, int width)
{
    std::string digits = std::to_string(value);
    if (digits.size() < static_cast<std::size_t>(width))
        digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
    return digits;
}

// "2024-03-05T10:22:31Z" for non-negative Unix seconds (proleptic Gregorian; H. Hinnant's civil_from_days).
std::string isoTime(std::int64_t seconds)
{
    const std::int64_t days = seconds / 86400;
    const std::int64_t secs = seconds % 86400;
    const std::int64_t z = days + 719468;
    const std::int64_t era = z / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    const auto two = [](std::int64_t v) { return padded(static_cast<std::uint64_t>(v), 2); };
    return padded(static_cast<std::uint64_t>(year), 4) + "-" + two(month) + "-" + two(day) + "T"
        + two(secs / 3600) + ":" + two(secs / 60 % 60) + ":" + two(secs % 60) + "Z";
}

// What every event of one stream shares.
struct StreamContext
{
    std::string id;
    std::uint64_t streamSeed = 0; // per-stream constants come from Rng(streamSeed)
    std::int64_t time = 0;        // Unix seconds of this event (synthetic, increasing)
};

// A stable pick for the stream: the same for all its events.
std::uint64_t stable(const StreamContext &s, std::uint64_t salt, std::uint64_t n)
{
    return mix64(s.streamSeed + salt * 0x9e3779b97f4a7c15ULL) % n;
}

void address(JsonText &j, Rng &r, std::uint64_t cityIndex)
{
    j.key("address").beginObject()
        .field("street", std::string(r.pick(kStreets)) + " " + std::to_string(r.between(1, 220)))
        .field("postalCode", padded(static_cast<std::uint64_t>(r.between(1000, 99999)), 5))
        .field("city", kCities[cityIndex % kCities.size()])
        .field("country", kCountries[cityIndex % kCountries.size()])
        .key("geo").beginArray()
        .decimal(r.between(-60'000'000, 70'000'000), 6)
        .decimal(r.between(-170'000'000, 170'000'000), 6)
        .endArray()
        .endObject();
}

void lineItems(JsonText &j, Rng &r, int count)
{
    j.key("items").beginArray();
    for (int i = 0; i < count; ++i) {
        const auto product = r.below(kProducts.size());
        j.beginObject()
            .field("sku", "SKU-" + padded(product * 97 + 1000, 5))
            .field("name", kProducts[product])
            .field("qty", r.between(1, 5))
            .money("unitPrice", r.between(99, 4999))
            .endObject();
    }
    j.endArray();
}

// ---- the aggregate types ---------------------------------------------------------------

using Build = void (*)(JsonText &, Rng &, const StreamContext &);

struct EventKind
{
    std::string_view eventType;
    Build build;
    int weight; // relative frequency among the non-opening events; 0 = opening only
};

struct AggregateKind
{
    std::string_view aggregateType;
    std::string (*makeId)(std::uint64_t ordinal, std::uint64_t streamSeed);
    EventKind opening;
    std::array<EventKind, 4> others; // weight 0 entries are unused
};

std::string hexId(std::uint64_t, std::uint64_t seed) { return hex(mix64(seed), 16) + hex(mix64(seed + 1), 16); }

const std::array<AggregateKind, 10> &kinds()
{
    static const std::array<AggregateKind, 10> all = {{
        {"account",
         [](std::uint64_t n, std::uint64_t) { return "acct-" + padded(n, 6); },
         {"AccountWasOpened",
          [](JsonText &j, Rng &r, const StreamContext &s) {
              j.beginObject().field("accountID", s.id)
                  .field("owner", kPeople[stable(s, 1, kPeople.size())])
                  .field("currency", kCurrencies[stable(s, 2, kCurrencies.size())]);
              address(j, r, stable(s, 3, kCities.size()));
              const auto tag = r.below(kTags.size());
              j.key("tags").beginArray().string(kTags[tag])
                  .string(kTags[(tag + 1 + r.below(kTags.size() - 1)) % kTags.size()]).endArray()
                  .money("overdraftLimit", r.between(0, 50) * 10000)
                  .field("openedAt", isoTime(s.time))
                  .endObject();
          },
          0},
         {{{"DepositWasMade",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("accountID", s.id)
                    .money("amount", r.between(100, 2'500'000))
                    .field("currency", kCurrencies[stable(s, 2, kCurrencies.size())])
                    .key("source").beginObject()
                    .field("kind", r.chance(50) ? "transfer" : "cash")
                    .field("reference", "TRX-" + hex(r.next(), 12))
                    .endObject()
                    .field("bookedAt", isoTime(s.time))
                    .endObject();
            },
            6},
           {"WithdrawalWasMade",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("accountID", s.id)
                    .money("amount", r.between(100, 500'000))
                    .field("currency", kCurrencies[stable(s, 2, kCurrencies.size())])
                    .flag("atm", r.chance(40))
                    .key("location").beginObject()
                    .field("city", r.pick(kCities)).field("country", r.pick(kCountries)).endObject()
                    .field("bookedAt", isoTime(s.time)).endObject();
            },
            4},
           {"AccountWasClosed",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("accountID", s.id)
                    .field("reason", r.chance(50) ? "customer request" : "inactivity — 24 months")
                    .money("finalBalance", 0)
                    .field("closedBy", r.pick(kLogins))
                    .field("closedAt", isoTime(s.time))
                    .endObject();
            },
            1},
           {}}}},
        {"order",
         [](std::uint64_t n, std::uint64_t) { return "ord-2024-" + padded(n, 6); },
         {"OrderWasPlaced",
          [](JsonText &j, Rng &r, const StreamContext &s) {
              j.beginObject().field("orderID", s.id)
                  .field("customerID", "cust-" + padded(stable(s, 1, 5000), 5))
                  .field("channel", kChannels[stable(s, 2, kChannels.size())]);
              lineItems(j, r, static_cast<int>(r.between(1, 3)));
              j.money("shipping", r.between(0, 1500))
                  .key("discount").null()
                  .flag("gift", r.chance(10)).endObject();
          },
          0},
         {{{"ItemWasAdded",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                const auto product = r.below(kProducts.size());
                j.beginObject().field("orderID", s.id)
                    .key("item").beginObject()
                    .field("sku", "SKU-" + padded(product * 97 + 1000, 5))
                    .field("name", kProducts[product])
                    .field("qty", r.between(1, 4))
                    .money("unitPrice", r.between(99, 4999))
                    .key("options").beginArray();
                if (r.chance(50))
                    j.string("gift wrap");
                j.endArray().endObject().field("addedAt", isoTime(s.time)).endObject();
            },
            5},
           {"OrderWasShipped",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("orderID", s.id)
                    .field("carrier", r.pick(kCarriers))
                    .field("trackingNumber", "1Z" + hex(r.next(), 14))
                    .key("parcels").integer(r.between(1, 3))
                    .key("weightKg").decimal(r.between(100, 25000), 3)
                    .field("shippedAt", isoTime(s.time)).endObject();
            },
            2},
           {"OrderWasCancelled",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("orderID", s.id)
                    .field("reason", r.chance(50) ? "out of stock" : "customer changed mind")
                    .flag("refund", true)
                    .field("cancelledBy", r.pick(kLogins))
                    .field("cancelledAt", isoTime(s.time)).endObject();
            },
            1},
           {}}}},
        {"customer",
         hexId,
         {"CustomerWasRegistered",
          [](JsonText &j, Rng &r, const StreamContext &s) {
              const auto person = stable(s, 1, kPeople.size());
              j.beginObject().field("customerID", s.id)
                  .field("name", kPeople[person])
                  .field("email", std::string(kLogins[person % kLogins.size()]) + "."
                                      + hex(s.streamSeed, 4) + "@example.com")
                  .field("language", r.chance(50) ? "de-CH" : "en-US");
              address(j, r, stable(s, 3, kCities.size()));
              j.key("marketingOptIn").boolean(r.chance(30)).endObject();
          },
          0},
         {{{"CustomerAddressWasChanged",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("customerID", s.id);
                address(j, r, r.below(kCities.size()));
                j.field("effectiveFrom", isoTime(s.time)).endObject();
            },
            3},
           {"CustomerEmailWasVerified",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("customerID", s.id)
                    .field("email", std::string(r.pick(kLogins)) + "@example.org")
                    .field("method", "link")
                    .key("attempts").integer(r.between(1, 3))
                    .field("verifiedAt", isoTime(s.time)).endObject();
            },
            2},
           {"CustomerWasDeactivated",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("customerID", s.id)
                    .field("reason", r.chance(50) ? "GDPR erasure request" : "fraud suspicion")
                    .key("openTickets").beginArray().endArray()
                    .field("retainUntil", isoTime(s.time + 365 * 86400).substr(0, 10))
                    .field("by", r.pick(kLogins))
                    .field("at", isoTime(s.time)).endObject();
            },
            1},
           {}}}},
        {"invoice",
         [](std::uint64_t n, std::uint64_t) { return "inv-" + padded(n, 7); },
         {"InvoiceWasIssued",
          [](JsonText &j, Rng &r, const StreamContext &s) {
              j.beginObject().field("invoiceID", s.id)
                  .field("customerID", "cust-" + padded(stable(s, 1, 5000), 5))
                  .field("currency", kCurrencies[stable(s, 2, kCurrencies.size())]);
              lineItems(j, r, static_cast<int>(r.between(1, 2)));
              j.key("vatRate").decimal(r.chance(50) ? 77 : 190, 3)
                  .field("dueDate", isoTime(s.time + 30 * 86400).substr(0, 10))
                  .endObject();
          },
          0},
         {{{"InvoiceLineWasAdded",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("invoiceID", s.id)
                    .field("line", r.between(2, 40))
                    .field("description", r.pick(kProducts))
                    .key("discountPercent").decimal(r.chance(70) ? 0 : r.between(5, 250), 1)
                    .field("quantity", r.between(1, 10))
                    .money("unitPrice", r.between(100, 99999))
                    .key("vatRate").decimal(r.chance(50) ? 77 : 190, 3)
                    .endObject();
            },
            4},
           {"InvoiceWasPaid",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("invoiceID", s.id)
                    .money("amount", r.between(1000, 900000))
                    .field("method", r.pick(kMethods))
                    .field("paymentID", hex(r.next(), 16) + hex(r.next(), 16))
                    .field("paidAt", isoTime(s.time)).endObject();
            },
            2},
           {"InvoiceWasVoided",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("invoiceID", s.id)
                    .field("reason", "issued in error — duplicate")
                    .field("creditNoteID", "cn-" + padded(static_cast<std::uint64_t>(r.between(1, 9999999)), 7))
                    .field("voidedBy", r.pick(kLogins))
                    .field("voidedAt", isoTime(s.time)).endObject();
            },
            1},
           {}}}},
        {"shipment",
         [](std::uint64_t n, std::uint64_t) { return "shp-" + padded(n, 8); },
         {"ShipmentWasCreated",
          [](JsonText &j, Rng &r, const StreamContext &s) {
              j.beginObject().field("shipmentID", s.id)
                  .field("carrier", kCarriers[stable(s, 1, kCarriers.size())])
                  .key("from").beginObject().field("city", kCities[stable(s, 2, kCities.size())]).endObject()
                  .key("to").beginObject().field("city", kCities[stable(s, 3, kCities.size())]).endObject()
                  .key("dimensionsCm").beginArray().integer(r.between(10, 120)).integer(r.between(10, 80))
                  .integer(r.between(5, 60)).endArray()
                  .key("weightKg").decimal(r.between(100, 30000), 3)
                  .flag("fragile", r.chance(20)).endObject();
          },
          0},
         {{{"ShipmentWasDispatched",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("shipmentID", s.id)
                    .field("depot", std::string(kCities[stable(s, 2, kCities.size())]) + " hub")
                    .field("vehicle", "TRK-" + padded(static_cast<std::uint64_t>(r.between(1, 999)), 3))
                    .field("seal", "S-" + hex(r.next(), 8))
                    .key("stops").beginArray().string(r.pick(kCities)).string(r.pick(kCities)).endArray()
                    .field("dispatchedAt", isoTime(s.time)).endObject();
            },
            2},
           {"ShipmentLocationWasUpdated",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("shipmentID", s.id)
                    .key("position").beginObject()
                    .key("lat").decimal(r.between(-60'000'000, 70'000'000), 6)
                    .key("lon").decimal(r.between(-170'000'000, 170'000'000), 6).endObject()
                    .field("city", r.pick(kCities))
                    .key("speedKmh").decimal(r.between(0, 1200), 1)
                    .field("recordedAt", isoTime(s.time)).endObject();
            },
            6},
           {"ShipmentWasDelivered",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("shipmentID", s.id)
                    .field("signedBy", r.pick(kPeople))
                    .flag("photo", r.chance(50))
                    .key("position").beginObject()
                    .key("lat").decimal(r.between(-60'000'000, 70'000'000), 6)
                    .key("lon").decimal(r.between(-170'000'000, 170'000'000), 6).endObject()
                    .field("deliveredAt", isoTime(s.time)).endObject();
            },
            1},
           {}}}},
        {"product",
         [](std::uint64_t n, std::uint64_t) { return "sku-" + padded(n, 5); },
         {"ProductWasCreated",
          [](JsonText &j, Rng &r, const StreamContext &s) {
              j.beginObject().field("sku", s.id)
                  .field("name", kProducts[stable(s, 1, kProducts.size())])
                  .money("price", r.between(99, 9999))
                  .field("currency", kCurrencies[stable(s, 2, kCurrencies.size())])
                  .key("categories").beginArray().string("food").string(r.chance(50) ? "drinks" : "bakery").endArray()
                  .key("attributes").beginObject().flag("organic", r.chance(40)).field("origin", r.pick(kCountries))
                  .endObject()
                  .field("stock", r.between(0, 500)).endObject();
          },
          0},
         {{{"ProductPriceWasChanged",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("sku", s.id)
                    .key("previous").beginObject().money("price", r.between(99, 9999)).field("since", isoTime(s.time - 86400 * 30).substr(0, 10)).endObject()
                    .money("price", r.between(99, 9999))
                    .field("currency", kCurrencies[stable(s, 2, kCurrencies.size())])
                    .field("changedBy", r.pick(kLogins))
                    .field("validFrom", isoTime(s.time)).endObject();
            },
            3},
           {"ProductStockWasAdjusted",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("sku", s.id)
                    .field("delta", r.between(-50, 200))
                    .field("warehouse", std::string(r.pick(kCities)) + " DC")
                    .field("reason", r.chance(70) ? "restock" : "inventory count")
                    .key("batch").beginObject().field("lot", "L-" + hex(r.next(), 6))
                    .field("expires", isoTime(s.time + 180 * 86400).substr(0, 10)).endObject()
                    .field("at", isoTime(s.time)).endObject();
            },
            5},
           {"ProductWasDiscontinued",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("sku", s.id)
                    .field("replacement", "sku-" + padded(static_cast<std::uint64_t>(r.between(1, 99999)), 5))
                    .field("note", "Nicht mehr lieferbar / no longer available")
                    .field("at", isoTime(s.time)).endObject();
            },
            1},
           {}}}},
        {"payment",
         hexId,
         {"PaymentWasInitiated",
          [](JsonText &j, Rng &r, const StreamContext &s) {
              j.beginObject().field("paymentID", s.id)
                  .field("orderID", "ord-2024-" + padded(stable(s, 1, 999999), 6))
                  .money("amount", r.between(100, 500000))
                  .field("currency", kCurrencies[stable(s, 2, kCurrencies.size())])
                  .field("method", kMethods[stable(s, 3, kMethods.size())])
                  .key("card").beginObject().field("brand", r.chance(50) ? "visa" : "mastercard")
                  .field("last4", padded(static_cast<std::uint64_t>(r.between(0, 9999)), 4)).endObject()
                  .field("initiatedAt", isoTime(s.time)).endObject();
          },
          0},
         {{{"PaymentWasAuthorized",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("paymentID", s.id)
                    .field("authCode", hex(r.next(), 8))
                    .key("riskScore").decimal(r.between(0, 1000), 3)
                    .key("checks").beginArray().string("3ds").string("avs").endArray()
                    .field("authorizedAt", isoTime(s.time)).endObject();
            },
            3},
           {"PaymentWasCaptured",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("paymentID", s.id)
                    .money("amount", r.between(100, 500000))
                    .money("fee", r.between(1, 900))
                    .field("settlementBatch", "B" + padded(static_cast<std::uint64_t>(r.between(1, 99999)), 6))
                    .field("capturedAt", isoTime(s.time)).endObject();
            },
            3},
           {"PaymentWasRefunded",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("paymentID", s.id)
                    .money("amount", r.between(100, 50000))
                    .field("reason", r.chance(50) ? "damaged item" : "late delivery")
                    .field("refundedBy", r.pick(kLogins))
                    .field("refundedAt", isoTime(s.time)).endObject();
            },
            1},
           {}}}},
        {"cart",
         hexId,
         {"CartWasCreated",
          [](JsonText &j, Rng &r, const StreamContext &s) {
              j.beginObject().field("cartID", s.id)
                  .key("customerID").null()
                  .field("channel", kChannels[stable(s, 2, kChannels.size())])
                  .field("locale", r.chance(50) ? "fr-CH" : "ja-JP")
                  .key("utm").beginObject().field("source", "newsletter").field("campaign", "spring-sale").endObject()
                  .field("createdAt", isoTime(s.time)).endObject();
          },
          0},
         {{{"ItemWasAddedToCart",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                const auto product = r.below(kProducts.size());
                j.beginObject().field("cartID", s.id)
                    .field("sku", "SKU-" + padded(product * 97 + 1000, 5))
                    .field("name", kProducts[product])
                    .field("qty", r.between(1, 3))
                    .money("unitPrice", r.between(99, 4999))
                    .field("addedAt", isoTime(s.time)).endObject();
            },
            6},
           {"ItemWasRemovedFromCart",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                const auto product = r.below(kProducts.size());
                j.beginObject().field("cartID", s.id)
                    .field("sku", "SKU-" + padded(product * 97 + 1000, 5))
                    .field("name", kProducts[product])
                    .field("qty", r.between(1, 2))
                    .field("removedAt", isoTime(s.time)).endObject();
            },
            2},
           {"CartWasCheckedOut",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("cartID", s.id)
                    .field("orderID", "ord-2024-" + padded(static_cast<std::uint64_t>(r.between(1, 999999)), 6))
                    .money("total", r.between(500, 90000))
                    .key("coupons").beginArray().endArray()
                    .field("checkedOutAt", isoTime(s.time)).endObject();
            },
            1}}}},
        {"sensor",
         [](std::uint64_t n, std::uint64_t) { return "sensor-" + padded(n, 4); },
         {"SensorWasInstalled",
          [](JsonText &j, Rng &r, const StreamContext &s) {
              j.beginObject().field("sensorID", s.id)
                  .field("model", r.chance(50) ? "TH-200" : "TH-300 Pro")
                  .field("site", std::string(kCities[stable(s, 1, kCities.size())]) + " station")
                  .key("position").beginArray().decimal(r.between(-60'000'000, 70'000'000), 6)
                  .decimal(r.between(-170'000'000, 170'000'000), 6).integer(r.between(0, 2500)).endArray()
                  .field("firmware", "2.4." + std::to_string(r.between(0, 9)))
                  .field("installedBy", r.pick(kLogins)).endObject();
          },
          0},
         {{{"TemperatureWasRecorded",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("sensorID", s.id)
                    .key("celsius").decimal(r.between(-3500, 4500), 2)
                    .key("samples").beginArray();
                for (int i = 0; i < 4; ++i)
                    j.decimal(r.between(-3500, 4500), 2);
                j.endArray().field("unit", "°C").field("recordedAt", isoTime(s.time)).endObject();
            },
            6},
           {"HumidityWasRecorded",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("sensorID", s.id)
                    .key("relative").decimal(r.between(50, 1000), 3)
                    .key("dewPoint").decimal(r.between(-2000, 2500), 2)
                    .key("samples").beginArray().decimal(r.between(50, 1000), 3)
                    .decimal(r.between(50, 1000), 3).decimal(r.between(50, 1000), 3).endArray()
                    .field("unit", "%RH")
                    .field("recordedAt", isoTime(s.time)).endObject();
            },
            4},
           {"SensorBatteryWasLow",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("sensorID", s.id)
                    .key("batteryPercent").integer(r.between(1, 15))
                    .key("voltage").decimal(r.between(2900, 3300), 3)
                    .field("message", "Batterie schwach — please replace ⚠")
                    .field("at", isoTime(s.time)).endObject();
            },
            1}}}},
        {"user",
         hexId,
         {"UserWasSignedUp",
          [](JsonText &j, Rng &r, const StreamContext &s) {
              const auto person = stable(s, 1, kPeople.size());
              j.beginObject().field("userID", s.id)
                  .field("displayName", kPeople[person])
                  .field("login", std::string(kLogins[person % kLogins.size()]) + std::to_string(stable(s, 2, 1000)))
                  .key("roles").beginArray().string("viewer").endArray()
                  .key("preferences").beginObject().field("theme", r.chance(50) ? "dark" : "light")
                  .field("timezone", r.chance(50) ? "Europe/Zurich" : "Asia/Tokyo").endObject()
                  .field("signedUpAt", isoTime(s.time)).endObject();
          },
          0},
         {{{"UserDidLogIn",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("userID", s.id)
                    .field("ip", "10." + std::to_string(r.between(0, 255)) + "." + std::to_string(r.between(0, 255))
                                     + "." + std::to_string(r.between(1, 254)))
                    .field("userAgent", r.chance(50) ? "Mozilla/5.0 (X11; Linux x86_64)" : "RangeDBApp/1.2 (iOS 17)")
                    .flag("mfa", r.chance(70))
                    .field("at", isoTime(s.time)).endObject();
            },
            8},
           {"UserPasswordWasChanged",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("userID", s.id)
                    .field("strength", r.chance(50) ? "strong" : "medium")
                    .flag("viaReset", r.chance(30))
                    .key("policy").beginObject().field("minLength", 12).field("rotationDays", 90).endObject()
                    .field("ip", "192.168." + std::to_string(r.between(0, 255)) + "." + std::to_string(r.between(1, 254)))
                    .field("at", isoTime(s.time)).endObject();
            },
            2},
           {"UserRoleWasGranted",
            [](JsonText &j, Rng &r, const StreamContext &s) {
                j.beginObject().field("userID", s.id)
                    .field("role", r.pick(kRoles))
                    .field("grantedBy", r.pick(kLogins))
                    .key("scope").beginObject().field("project", "rangedb-" + std::to_string(r.between(1, 9)))
                    .endObject()
                    .field("at", isoTime(s.time)).endObject();
            },
            1}}}},
    }};
    return all;
}

const EventKind &pickOther(const AggregateKind &kind, Rng &r)
{
    int total = 0;
    for (const auto &e : kind.others)
        total += e.weight;
    auto roll = static_cast<int>(r.below(static_cast<std::uint64_t>(total)));
    for (const auto &e : kind.others) {
        if (roll < e.weight)
            return e;
        roll -= e.weight;
    }
    return kind.others.front();
}

std::string metadataFor(Rng &r)
{
    if (r.chance(30))
        return "null";
    JsonText j;
    j.beginObject().field("correlationID", hex(r.next(), 16)).field("user", r.pick(kLogins));
    if (r.chance(25))
        j.field("source", r.pick(kChannels));
    j.endObject();
    return j.take();
}

} // namespace

SampleGenerator::SampleGenerator(const GeneratorOptions &options)
    : m_options(options)
    , m_state(0)
{
    m_options.aggregateTypes = std::clamp(m_options.aggregateTypes, 1, static_cast<int>(kinds().size()));
    m_options.streams = std::max<std::uint64_t>(m_options.streams, 1);
}

std::vector<EventRecord> SampleGenerator::nextBatch(std::size_t max)
{
    std::vector<EventRecord> batch;
    if (max == 0 || m_produced >= m_options.events)
        return batch;

    const std::uint64_t batchIndex = m_state++;
    Rng r(derive(m_options.seed, batchIndex));
    const std::uint64_t streams = m_options.streams;
    const auto types = static_cast<std::uint64_t>(m_options.aggregateTypes);

    // The first `streams` batches open one stream each; later ones continue a random one,
    // with a fifth of them going to a small set of busy streams, as real workloads do.
    const bool opening = batchIndex < streams;
    std::uint64_t stream = batchIndex;
    if (!opening) {
        const std::uint64_t busy = std::max<std::uint64_t>(streams / 20, 1);
        stream = r.chance(20) ? r.below(busy) : r.below(streams);
    }

    // Runs average the events-per-stream ratio (so every stream gets its share), capped.
    const std::uint64_t remaining = m_options.events - m_produced;
    const std::uint64_t perStream = std::max<std::uint64_t>((m_options.events + streams - 1) / streams, 1);
    const std::uint64_t longest = std::min<std::uint64_t>({2 * perStream - 1, max, remaining});
    const std::uint64_t length = 1 + r.below(longest);

    const AggregateKind &kind = kinds()[stream % types];
    StreamContext context;
    context.streamSeed = derive(m_options.seed, 0xa11ce, stream);
    context.id = kind.makeId(stream / types + 1, context.streamSeed);
    // A synthetic clock: 2024-01-01 plus about a minute per batch.
    context.time = 1704067200 + static_cast<std::int64_t>(batchIndex) * 53;

    batch.reserve(length);
    for (std::uint64_t i = 0; i < length; ++i) {
        const bool first = opening && i == 0;
        const EventKind &event = first ? kind.opening : pickOther(kind, r);
        JsonText data;
        event.build(data, r, context);
        EventRecord record;
        record.aggregateType = std::string(kind.aggregateType);
        record.aggregateId = context.id;
        record.eventType = std::string(event.eventType);
        record.data = data.take();
        record.metadata = metadataFor(r);
        batch.push_back(std::move(record));
        context.time += 1 + static_cast<std::int64_t>(r.below(5));
    }
    m_produced += batch.size();
    return batch;
}

} // namespace rangedb
