//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// Presence fan-out: 1,000 members in one topic, updates round-robin,
// coalescing on. Reports updates ingested per second and allocations per
// recipient of each flushed diff, and, in the same run, the cost of the
// least any server must do per update (parsing the frame with Boost.JSON)
// so that the result reads as a ratio.

#include <sock8/server.hpp>

#include <boost/describe.hpp>
#include <boost/json/parser.hpp>
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <vector>

// Counting every allocation of the process is the simplest honest way to
// see what the hot path allocates.
static std::atomic<std::size_t> allocations{0};

void* operator new(std::size_t n)
{
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n == 0 ? 1 : n))
        return p;
    throw std::bad_alloc();
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

struct point
{
    double x = 0;
    double y = 0;
};
BOOST_DESCRIBE_STRUCT(point, (), (x, y))

struct presence
{
    bool typing = false;
    std::optional<point> cursor;
};
BOOST_DESCRIBE_STRUCT(presence, (), (typing, cursor))

struct message
{
    std::string text;
};
BOOST_DESCRIBE_STRUCT(message, (), (text))

using room =
    sock8::channel<"room.{id}", message, sock8::presence<presence>>;
using app = sock8::tree<room>;

constexpr int members = 1000;

std::string update_frame(int i)
{
    return R"(["1",")" + std::to_string(i) +
           R"(","room.lobby","presence",{"cursor":{"x":0.)" +
           std::to_string(1000 + i % 9000) + R"(,"y":0.5}}])";
}

struct room_fixture
{
    explicit room_fixture(std::chrono::milliseconds window)
    {
        sock8::server_options o;
        o.presence_window = window;
        o.max_presence_updates_per_second = 1000;
        o.max_members_per_topic = members;
        server.emplace(o);
        server->on_connect([](sock8::authorization<app>& auth) {
            auth.identify_as(
                std::string(auth.request().query_value("name")));
            auth.grant<room>();
        });
        for (int i = 0; i < members; ++i) {
            sock8::connect_request r;
            r.query = {{"name", "m" + std::to_string(i)}};
            ids.push_back(server->open(r, now).value());
            server->receive(ids.back(),
                            R"(["1","1","room.lobby","phx_join",{}])", now);
            server->take_actions(actions);
        }
        for (int i = 0; i < 64; ++i)
            frames.push_back(update_frame(i));
        server->advance(now += std::chrono::seconds(1));
        server->take_actions(actions);
    }

    std::optional<sock8::server<app>> server;
    std::vector<sock8::connection_id> ids;
    std::vector<std::string> frames;
    std::vector<sock8::action> actions;
    sock8::time_point now = sock8::time_point(std::chrono::hours(1));
};

// Ingest: updates from every member in turn; every 16,000 updates (one
// 16 ms window at a million updates per second) time moves on and the
// coalesced diff goes out to all 1,000 members.
// One room for every run: the 1,000 joins are set-up, not measured.
room_fixture& shared_room()
{
    static room_fixture f(std::chrono::milliseconds(16));
    return f;
}

void sock8_presence_fanout(benchmark::State& state)
{
    auto& f = shared_room();
    std::size_t i = 0;
    std::size_t flush_allocs = 0;
    std::size_t recipients = 0;
    std::size_t flushes = 0;

    for (auto _ : state) {
        // As a transport does: feed one frame, take what it produced.
        f.server->receive(f.ids[i % members], f.frames[i % f.frames.size()],
                          f.now);
        f.server->take_actions(f.actions);
        if (++i % 16000 == 0) {
            f.now += std::chrono::milliseconds(16);
            auto const before = allocations.load();
            f.server->advance(f.now);
            f.server->take_actions(f.actions);
            flush_allocs += allocations.load() - before;
            recipients += f.actions.size();
            ++flushes;
        }
    }
    f.server->take_actions(f.actions);

    state.SetItemsProcessed(state.iterations());
    state.counters["updates_per_s"] = benchmark::Counter(
        double(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["allocs_per_recipient"] =
        recipients ? double(flush_allocs) / double(recipients) : 0;
    state.counters["recipients_per_flush"] =
        flushes ? double(recipients) / double(flushes) : 0;
}
BENCHMARK(sock8_presence_fanout)->MinTime(2.0)->UseRealTime();

// Allocations the ingest path makes per update (the reply frame to the
// sender), measured apart from the flush.
void sock8_presence_ingest_allocations(benchmark::State& state)
{
    auto& f = shared_room();
    std::size_t i = 0;
    std::size_t allocs = 0;
    for (auto _ : state) {
        auto const before = allocations.load();
        f.server->receive(f.ids[i % members], f.frames[i % f.frames.size()],
                          f.now);
        f.server->take_actions(f.actions);
        allocs += allocations.load() - before;
        ++i;
    }
    state.counters["allocs_per_update"] =
        double(allocs) / double(state.iterations());
}
BENCHMARK(sock8_presence_ingest_allocations);

// Baseline: what every server must do at least, parse the frame.
void baseline_boost_json_parse(benchmark::State& state)
{
    std::vector<std::string> frames;
    for (int i = 0; i < 64; ++i)
        frames.push_back(update_frame(i));
    boost::json::parser p;
    std::size_t i = 0;
    for (auto _ : state) {
        p.reset();
        boost::system::error_code ec;
        auto const& text = frames[i++ % frames.size()];
        p.write(text.data(), text.size(), ec);
        benchmark::DoNotOptimize(p.release());
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["updates_per_s"] = benchmark::Counter(
        double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(baseline_boost_json_parse)->MinTime(1.0)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
