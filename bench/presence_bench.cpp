//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// The protocol and presence building blocks alone, each next to the
// obvious way to do the same job with Boost.JSON's DOM, in the same run:
// - a coalescing window of presence updates (1,000 members, each replacing
//   its ref 1 or 10 times per window), encoded once per window, against
//   keeping the latest meta per member in a boost::json::object and
//   serializing it;
// - parsing a typical presence push frame with sock8::frame_parser against
//   boost::json::parse into fresh memory.

#include <sock8/frame.hpp>
#include <sock8/presence.hpp>

#include <benchmark/benchmark.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>
#include <vector>

namespace {

constexpr std::size_t members = 1000;
constexpr std::string_view record = R"("x":0.5,"y":0.25,"typing":false)";

struct room
{
    sock8::presence_ref_generator gen{1};
    std::vector<std::string> keys;
    std::vector<std::string> refs;
    std::string next;

    room()
    {
        for (std::size_t i = 0; i < members; ++i) {
            keys.push_back("user:" + std::to_string(i));
            refs.push_back(gen.next());
        }
    }
};

void diff_builder(benchmark::State& state)
{
    int const per_window = static_cast<int>(state.range(0));
    room r;
    sock8::presence_diff_builder b;
    std::string out;

    for (auto _ : state) {
        for (int u = 0; u < per_window; ++u)
            for (std::size_t i = 0; i < members; ++i) {
                b.leave(r.keys[i], r.refs[i], record);
                r.gen.next(r.next);
                r.refs[i].swap(r.next);
                b.join(r.keys[i], r.refs[i], record);
            }
        out.clear();
        b.encode(out);
        b.clear();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations() * per_window * members);
}
BENCHMARK(diff_builder)->Arg(1)->Arg(10);

// The baseline keeps, per key, the first leave and the latest join of the
// window in DOM objects, then serializes them.
void diff_as_json_dom(benchmark::State& state)
{
    int const per_window = static_cast<int>(state.range(0));
    room r;
    auto const fields =
        boost::json::parse("{" + std::string(record) + "}").as_object();

    for (auto _ : state) {
        boost::json::object joins;
        boost::json::object leaves;
        for (int u = 0; u < per_window; ++u)
            for (std::size_t i = 0; i < members; ++i) {
                auto const& key = r.keys[i];
                if (!leaves.contains(key) && !joins.contains(key)) {
                    boost::json::object m = fields;
                    m["phx_ref"] = r.refs[i];
                    leaves[key] = {{"metas", boost::json::array{m}}};
                }
                r.gen.next(r.next);
                r.refs[i].swap(r.next);
                boost::json::object m = fields;
                m["phx_ref"] = r.refs[i];
                joins[key] = {{"metas", boost::json::array{m}}};
            }
        boost::json::object diff;
        diff["joins"] = std::move(joins);
        diff["leaves"] = std::move(leaves);
        std::string out = boost::json::serialize(diff);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(state.iterations() * per_window * members);
}
BENCHMARK(diff_as_json_dom)->Arg(1)->Arg(10);

constexpr std::string_view push =
    R"(["3","17","rooms.lobby.cursors","presence",)"
    R"({"x":0.4821,"y":0.1337,"typing":false,"status":"online"}])";

void frame_parser(benchmark::State& state)
{
    sock8::frame_parser p;
    sock8::frame f;
    boost::system::error_code ec;
    for (auto _ : state) {
        bool const ok = p.parse(push, f, ec);
        benchmark::DoNotOptimize(ok);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(frame_parser);

void json_parse_fresh(benchmark::State& state)
{
    for (auto _ : state) {
        auto v = boost::json::parse(push);
        benchmark::DoNotOptimize(v);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(json_parse_fresh);

} // namespace

BENCHMARK_MAIN();
