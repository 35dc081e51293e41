//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// Decode, validate and encode of a presence-sized record (about 90 bytes),
// against the same work done by hand with Boost.JSON's DOM. Read the two
// results as a ratio: see docs/performance.md.

#include <sock8/schema.hpp>

#include <benchmark/benchmark.h>
#include <boost/describe.hpp>
#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace {

enum class status
{
    online,
    away,
    busy
};
BOOST_DESCRIBE_ENUM(status, online, away, busy)

struct cursor
{
    sock8::constrained<double, sock8::range<0.0, 1.0>> x;
    sock8::constrained<double, sock8::range<0.0, 1.0>> y;
};
BOOST_DESCRIBE_STRUCT(cursor, (), (x, y))

struct presence
{
    bool typing = false;
    status state = status::online;
    cursor cursor_at;
    sock8::constrained<std::string, sock8::length<1, 32>> name;
};
BOOST_DESCRIBE_STRUCT(presence, (), (typing, state, cursor_at, name))

constexpr std::string_view input =
    R"({"typing":true,"state":"online","cursor_at":{"x":0.4213,)"
    R"("y":0.7735},"name":"ada"})";

// Parsing is the same in both: a reused parser over a reused buffer.
struct reused_parser
{
    unsigned char buffer[4096];
    boost::json::monotonic_resource mr{buffer, sizeof buffer};
    boost::json::parser p;

    // the value keeps using mr; it must be gone before the next parse
    boost::json::value parse(std::string_view text)
    {
        mr.release();
        p.reset(&mr);
        p.write(text);
        return p.release();
    }
};

void sock8_decode_validate_encode(benchmark::State& state)
{
    reused_parser rp;
    presence record;
    sock8::validation_failure failure;
    std::string out;

    for (auto _ : state) {
        boost::json::value const v = rp.parse(input);
        if (!sock8::decode_into(v, record, failure))
            state.SkipWithError("decode failed");
        out.clear();
        if (!sock8::try_encode(record, out, failure))
            state.SkipWithError("encode failed");
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() *
                            static_cast<std::int64_t>(input.size()));
}
BENCHMARK(sock8_decode_validate_encode);

// What an application writes without sock8: parse, pick the members out
// by hand (no checks beyond what as_* throws), build an object, serialize.
void boost_json_by_hand(benchmark::State& state)
{
    reused_parser rp;
    std::string out;

    for (auto _ : state) {
        boost::json::value const v = rp.parse(input);
        auto const& in = v.as_object();
        auto const& c = in.at("cursor_at").as_object();

        boost::json::object o(&rp.mr);
        o.reserve(4);
        o.emplace("typing", in.at("typing").as_bool());
        o.emplace("state", in.at("state").as_string());
        boost::json::object co(&rp.mr);
        co.reserve(2);
        co.emplace("x", c.at("x").as_double());
        co.emplace("y", c.at("y").as_double());
        o.emplace("cursor_at", std::move(co));
        o.emplace("name", in.at("name").as_string());
        out = boost::json::serialize(o);
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(state.iterations() *
                            static_cast<std::int64_t>(input.size()));
}
BENCHMARK(boost_json_by_hand);

// The parse alone, to show how much of both is shared.
void parse_only(benchmark::State& state)
{
    reused_parser rp;
    for (auto _ : state) {
        boost::json::value const v = rp.parse(input);
        benchmark::DoNotOptimize(&v);
    }
}
BENCHMARK(parse_only);

} // namespace

BENCHMARK_MAIN();
