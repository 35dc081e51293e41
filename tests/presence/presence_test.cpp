//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/presence.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <new>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "../support/allocation_counter.hpp"

namespace {

using sock8::presence_diff_builder;
using sock8::presence_meta;
using sock8::presence_ref_generator;
using sock8::presence_roster;

// ---------------------------------------------------------------- refs

TEST(presence_ref_generator, refs_are_unique_and_prefixed)
{
    presence_ref_generator g(42);
    std::set<std::string> seen;
    for (int i = 0; i < 100000; ++i) {
        std::string r = g.next();
        ASSERT_EQ(r.substr(0, 8), g.prefix());
        ASSERT_GT(r.size(), 8u);
        ASSERT_EQ(r.find_first_not_of("0123456789abcdefghijklmnopqrstuv"),
                  std::string::npos)
            << r;
        ASSERT_TRUE(seen.insert(r).second) << r;
    }
}

TEST(presence_ref_generator, seeds_give_different_prefixes)
{
    presence_ref_generator a(1), b(2), c(1);
    EXPECT_NE(a.prefix(), b.prefix());
    EXPECT_EQ(a.prefix(), c.prefix());
    EXPECT_NE(a.next(), b.next());

    presence_ref_generator r1, r2;
    EXPECT_NE(r1.prefix(), r2.prefix());
}

TEST(presence_ref_generator, next_into_a_string_replaces_it)
{
    presence_ref_generator g(7);
    std::string s = "old content";
    g.next(s);
    std::string const first = s;
    g.next(s);
    EXPECT_NE(s, first);
    EXPECT_EQ(s.substr(0, 8), g.prefix());
    EXPECT_EQ(s.find("old"), std::string::npos);
}

// ---------------------------------------------------------------- diffs

std::string encoded(presence_diff_builder const& b)
{
    std::string out;
    b.encode(out);
    return out;
}

TEST(presence_diff_builder, empty_diff)
{
    presence_diff_builder b;
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(encoded(b), R"({"joins":{},"leaves":{}})");
}

TEST(presence_diff_builder, one_join_with_members)
{
    presence_diff_builder b;
    b.join("user:1", "r1", R"("typing":true)");
    EXPECT_FALSE(b.empty());
    EXPECT_EQ(encoded(b), R"({"joins":{"user:1":{"metas":[)"
                          R"({"phx_ref":"r1","typing":true}]}},"leaves":{}})");
}

TEST(presence_diff_builder, empty_members_give_a_bare_ref)
{
    presence_diff_builder b;
    b.leave("user:1", "r0", "");
    EXPECT_EQ(encoded(b), R"({"joins":{},"leaves":{"user:1":{"metas":[)"
                          R"({"phx_ref":"r0"}]}}})");
}

// A joiner may have seen r1 in its snapshot: the leave must reach it.
TEST(presence_diff_builder, a_join_then_leave_in_one_window_sends_both)
{
    presence_diff_builder b;
    b.join("u", "r1", R"("v":1)");
    b.leave("u", "r1", R"("v":1)");
    b.join("u", "r2", R"("v":2)");
    EXPECT_EQ(encoded(b),
              R"({"joins":{"u":{"metas":[{"phx_ref":"r1","v":1},)"
              R"({"phx_ref":"r2","v":2}]}},)"
              R"("leaves":{"u":{"metas":[{"phx_ref":"r1","v":1}]}}})");
}

TEST(presence_diff_builder, a_key_that_joined_and_left_is_written_both_ways)
{
    presence_diff_builder b;
    b.join("gone", "g1", "");
    b.join("stays", "s1", "");
    b.leave("gone", "g1", "");
    EXPECT_EQ(encoded(b), R"({"joins":{"gone":{"metas":[{"phx_ref":"g1"}]},)"
                          R"("stays":{"metas":[{"phx_ref":"s1"}]}},)"
                          R"("leaves":{"gone":{"metas":[{"phx_ref":"g1"}]}}})");
}

TEST(presence_diff_builder, metas_are_grouped_by_key)
{
    presence_diff_builder b;
    b.join("a", "a1", "");
    b.join("b", "b1", "");
    b.leave("a", "a0", "");
    b.join("a", "a2", "");
    b.leave("b", "b0", "");
    EXPECT_EQ(encoded(b),
              R"({"joins":{"a":{"metas":[{"phx_ref":"a1"},{"phx_ref":"a2"}]},)"
              R"("b":{"metas":[{"phx_ref":"b1"}]}},)"
              R"("leaves":{"a":{"metas":[{"phx_ref":"a0"}]},)"
              R"("b":{"metas":[{"phx_ref":"b0"}]}}})");
}

TEST(presence_diff_builder, repeated_refs_keep_the_latest_members)
{
    presence_diff_builder b;
    b.join("u", "r1", R"("v":1)");
    b.join("u", "r1", R"("v":2)");
    b.leave("u", "r0", R"("v":0)");
    b.leave("u", "r0", R"("v":-1)");
    EXPECT_EQ(encoded(b),
              R"({"joins":{"u":{"metas":[{"phx_ref":"r1","v":2}]}},)"
              R"("leaves":{"u":{"metas":[{"phx_ref":"r0","v":-1}]}}})");
}

TEST(presence_diff_builder, a_join_of_a_ref_that_left_replaces_the_leave)
{
    presence_diff_builder b;
    b.leave("u", "r1", R"("v":1)");
    b.join("u", "r1", R"("v":2)");
    EXPECT_EQ(encoded(b),
              R"({"joins":{"u":{"metas":[{"phx_ref":"r1","v":2}]}},)"
              R"("leaves":{}})");
}

TEST(presence_diff_builder, keys_and_refs_are_escaped)
{
    presence_diff_builder b;
    b.join("a\"b\\c\n", "r\"", "");
    EXPECT_EQ(encoded(b),
              R"({"joins":{"a\"b\\c\n":{"metas":[{"phx_ref":"r\""}]}},)"
              R"("leaves":{}})");
    auto v = boost::json::parse(encoded(b));
    EXPECT_TRUE(v.at("joins").as_object().contains("a\"b\\c\n"));
}

TEST(presence_diff_builder, clear_starts_a_new_window)
{
    presence_diff_builder b;
    b.join("a", "a1", R"("x":1)");
    b.leave("b", "b0", "");
    b.clear();
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(encoded(b), R"({"joins":{},"leaves":{}})");

    // a ref of the old window is unknown now: its leave is sent
    b.leave("a", "a1", R"("x":1)");
    EXPECT_EQ(encoded(b),
              R"({"joins":{},)"
              R"("leaves":{"a":{"metas":[{"phx_ref":"a1","x":1}]}}})");
}

TEST(presence_diff_builder, encode_appends)
{
    presence_diff_builder b;
    b.join("a", "a1", "");
    std::string out = "x";
    b.encode_diff(out);
    EXPECT_EQ(out,
              R"(x{"joins":{"a":{"metas":[{"phx_ref":"a1"}]}},"leaves":{}})");
}

// A window of updates: every member replaces its ref, some several times.
struct steady_room
{
    presence_ref_generator gen{99};
    std::vector<std::string> keys;
    std::vector<std::string> refs;
    std::vector<std::string> members;
    std::string next_ref;

    explicit steady_room(std::size_t n)
    {
        for (std::size_t i = 0; i < n; ++i) {
            keys.push_back("user:" + std::to_string(i) + "-with-a-long-key");
            refs.push_back(gen.next());
            members.push_back(R"("x":0.5,"y":0.25,"typing":false,"id":)" +
                              std::to_string(i));
        }
        next_ref.reserve(32);
    }

    void window(presence_diff_builder& b, int updates_per_member)
    {
        for (int u = 0; u < updates_per_member; ++u)
            for (std::size_t i = 0; i < keys.size(); ++i) {
                b.leave(keys[i], refs[i], members[i]);
                gen.next(next_ref);
                refs[i].swap(next_ref);
                b.join(keys[i], refs[i], members[i]);
            }
    }
};

TEST(presence_diff_builder, steady_state_allocates_nothing)
{
    steady_room room(1000);
    presence_diff_builder b;
    std::string out;

    for (int w = 0; w < 3; ++w) {
        room.window(b, 3);
        out.clear();
        b.encode(out);
        b.clear();
    }

    std::size_t const before = allocations.load();
    for (int w = 0; w < 10; ++w) {
        room.window(b, 1 + w % 3);
        out.clear();
        b.encode(out);
        b.clear();
    }
    EXPECT_EQ(allocations.load() - before, 0u);

    // and the last window still says the right thing: 1000 leaves, 1000
    // joins, one meta each
    auto v = boost::json::parse(out);
    EXPECT_EQ(v.at("joins").as_object().size(), 1000u);
    EXPECT_EQ(v.at("leaves").as_object().size(), 1000u);
    EXPECT_EQ(v.at("joins")
                  .at("user:7-with-a-long-key")
                  .at("metas")
                  .as_array()
                  .size(),
              1u);
}

// ---------------------------------------------------------------- state

TEST(encode_presence_state, groups_adjacent_metas_by_key)
{
    std::vector<std::tuple<std::string, std::string, std::string>> metas = {
        {"a", "a1", R"("tab":1)"},
        {"a", "a2", ""},
        {"b", "b1", R"("tab":3)"},
    };
    std::string out;
    sock8::encode_presence_state(out, metas);
    EXPECT_EQ(out,
              R"({"a":{"metas":[{"phx_ref":"a1","tab":1},{"phx_ref":"a2"}]},)"
              R"("b":{"metas":[{"phx_ref":"b1","tab":3}]}})");
}

TEST(encode_presence_state, empty_and_struct_elements)
{
    struct entry
    {
        std::string_view key, ref, members;
    };
    std::vector<entry> none;
    std::string out;
    sock8::encode_presence_state(out, none);
    EXPECT_EQ(out, "{}");

    std::vector<entry> one = {{"k\"", "r", ""}};
    out.clear();
    sock8::encode_presence_state(out, one);
    EXPECT_EQ(out, R"({"k\"":{"metas":[{"phx_ref":"r"}]}})");
}

TEST(presence_state_encoder, incremental_use)
{
    std::string out;
    sock8::presence_state_encoder e(out);
    e.add("x", "x1", "");
    e.add("y", "y1", R"("s":"on")");
    e.add("y", "y2", "");
    e.finish();
    EXPECT_EQ(out,
              R"({"x":{"metas":[{"phx_ref":"x1"}]},)"
              R"("y":{"metas":[{"phx_ref":"y1","s":"on"},{"phx_ref":"y2"}]}})");
}

// ---------------------------------------------------------------- roster

boost::json::value meta_json(presence_meta const& m)
{
    boost::json::object o;
    o["phx_ref"] = m.ref;
    for (auto const& kv : m.fields)
        o[kv.key()] = kv.value();
    return o;
}

boost::json::value metas_json(std::span<presence_meta const> metas)
{
    boost::json::array a;
    for (auto const& m : metas)
        a.push_back(meta_json(m));
    return a;
}

boost::json::value list_json(presence_roster const& r)
{
    boost::json::array a;
    for (auto const& m : r.list())
        a.push_back(
            boost::json::array{boost::json::value(m.key), metas_json(m.metas)});
    return a;
}

// Runs one scenario of presence_scenarios.json; the result has the shape
// phoenix_presence_check.mjs prints.
boost::json::object run_scenario(boost::json::object const& scenario)
{
    presence_roster roster;
    boost::json::array log;
    roster.on_join([&](std::string_view key, auto current, auto joined) {
        boost::json::value cur = nullptr;
        if (!current.empty())
            cur = metas_json(current);
        log.push_back(boost::json::object{{"event", "join"},
                                          {"key", key},
                                          {"current", cur},
                                          {"joined", metas_json(joined)}});
    });
    roster.on_leave([&](std::string_view key, auto remaining, auto left) {
        log.push_back(boost::json::object{{"event", "leave"},
                                          {"key", key},
                                          {"remaining", metas_json(remaining)},
                                          {"left", metas_json(left)}});
    });
    roster.on_sync([&] {
        log.push_back(boost::json::object{{"event", "sync"}});
    });

    for (auto const& sv : scenario.at("steps").as_array()) {
        auto const& step = sv.as_object();
        std::optional<std::string_view> frame_join_ref;
        if (auto const* j = step.if_contains("frame_join_ref"))
            if (j->is_string())
                frame_join_ref = j->get_string();

        if (auto const* j = step.if_contains("join_ref"))
            roster.set_join_ref(j->as_string());
        else if (auto const* s = step.if_contains("state"))
            roster.apply_state(s->as_object(), frame_join_ref);
        else if (auto const* d = step.if_contains("diff"))
            roster.apply_diff(d->as_object(), frame_join_ref);
    }

    return {{"name", scenario.at("name")},
            {"log", log},
            {"list", list_json(roster)}};
}

std::string read_text(std::filesystem::path const& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

boost::json::array const& scenarios()
{
    static boost::json::array const all =
        boost::json::parse(
            read_text(std::filesystem::path(SOCK8_PRESENCE_TEST_DIR) /
                      "presence_scenarios.json"))
            .as_array();
    return all;
}

boost::json::object run(std::string_view name)
{
    for (auto const& s : scenarios())
        if (s.at("name").as_string() == name)
            return run_scenario(s.as_object());
    ADD_FAILURE() << "no scenario " << name;
    return {};
}

boost::json::value json(std::string_view text)
{
    return boost::json::parse(text);
}

TEST(presence_roster, snapshot_then_diffs)
{
    auto r = run("snapshot_then_diffs");
    EXPECT_EQ(r.at("list"),
              json(R"([["user:b",[{"phx_ref":"b1","typing":true}]]])"));
    EXPECT_EQ(r.at("log"), json(R"([
        {"event":"join","key":"user:a","current":null,
         "joined":[{"phx_ref":"a1","typing":false}]},
        {"event":"sync"},
        {"event":"join","key":"user:b","current":null,
         "joined":[{"phx_ref":"b1","typing":true}]},
        {"event":"sync"},
        {"event":"leave","key":"user:a","remaining":[],
         "left":[{"phx_ref":"a1","typing":false}]},
        {"event":"sync"}])"));
}

TEST(presence_roster, diffs_before_the_snapshot_apply_after_it_once)
{
    auto r = run("diffs_before_snapshot");
    EXPECT_EQ(r.at("list"), json(R"([["user:b",[{"phx_ref":"b1"}]],
                                     ["user:c",[{"phx_ref":"c1"}]],
                                     ["user:d",[{"phx_ref":"d1"}]]])"));

    // one sync for the snapshot with its buffered diffs, one for the diff
    // after it
    int syncs = 0;
    for (auto const& e : r.at("log").as_array())
        syncs += e.at("event") == "sync";
    EXPECT_EQ(syncs, 2);
}

TEST(presence_roster, buffers_until_in_sync)
{
    presence_roster roster;
    auto const diff = json(R"({"joins":{"k":{"metas":[{"phx_ref":"r"}]}},
                               "leaves":{}})")
                          .as_object();
    EXPECT_FALSE(roster.in_sync());
    EXPECT_TRUE(roster.apply_diff(diff, std::nullopt));
    EXPECT_EQ(roster.pending_diffs(), 1u);
    EXPECT_EQ(roster.size(), 0u);

    roster.set_join_ref("1");
    EXPECT_TRUE(roster.apply_state({}, "1"));
    EXPECT_TRUE(roster.in_sync());
    EXPECT_EQ(roster.pending_diffs(), 0u);
    ASSERT_NE(roster.find("k"), nullptr);
    EXPECT_EQ(roster.find("k")->metas.at(0).ref, "r");

    // a rejoin is out of sync until its own snapshot arrives
    roster.set_join_ref("2");
    EXPECT_FALSE(roster.in_sync());
    roster.apply_diff(
        json(R"({"joins":{},"leaves":{"k":{"metas":[{"phx_ref":"r"}]}}})")
            .as_object(),
        std::nullopt);
    EXPECT_NE(roster.find("k"), nullptr);
    EXPECT_FALSE(roster.apply_state({}, "1"));
    EXPECT_TRUE(roster.apply_state({}, "2"));
    EXPECT_EQ(roster.size(), 0u);
}

TEST(presence_roster, a_leave_between_snapshot_and_first_diff)
{
    auto r = run("leave_between_snapshot_and_first_diff");
    EXPECT_EQ(r.at("list"), json(R"([["user:a",[{"phx_ref":"a1"}]],
                                     ["user:b",[{"phx_ref":"b2"}]]])"));
}

TEST(presence_roster, three_metas_of_one_key_leave_one_by_one)
{
    auto r = run("three_metas_leave_one_by_one");
    EXPECT_EQ(r.at("list"), json("[]"));

    std::vector<boost::json::value> leaves;
    for (auto const& e : r.at("log").as_array())
        if (e.at("event") == "leave")
            leaves.push_back(e.at("remaining"));
    ASSERT_EQ(leaves.size(), 3u);
    EXPECT_EQ(leaves[0],
              json(R"([{"phx_ref":"t1","tab":1},{"phx_ref":"t3","tab":3}])"));
    EXPECT_EQ(leaves[1], json(R"([{"phx_ref":"t3","tab":3}])"));
    EXPECT_EQ(leaves[2], json("[]"));
}

TEST(presence_roster, an_update_keeps_one_meta_with_the_new_ref)
{
    auto r = run("update_as_leave_and_join");
    EXPECT_EQ(r.at("list"),
              json(R"([["user:a",[{"phx_ref":"r2","typing":true}]]])"));
    EXPECT_EQ(r.at("log").at(2), json(R"({"event":"join","key":"user:a",
        "current":[{"phx_ref":"r1","typing":false}],
        "joined":[{"phx_ref":"r2","typing":true}]})"));
    EXPECT_EQ(r.at("log").at(3), json(R"({"event":"leave","key":"user:a",
        "remaining":[{"phx_ref":"r2","typing":true}],
        "left":[{"phx_ref":"r1","typing":false}]})"));
}

TEST(presence_roster, a_rejoin_snapshot_reports_what_changed_while_away)
{
    auto r = run("rejoin_snapshot_reports_changes_while_away");
    EXPECT_EQ(r.at("list"), json(R"([
        ["user:b",[{"phx_ref":"b2"},{"phx_ref":"b3"}]],
        ["user:c",[{"phx_ref":"c2","status":"away"}]],
        ["user:d",[{"phx_ref":"d1"}]]])"));

    std::set<std::string> left_keys;
    std::set<std::string> left_refs;
    for (auto const& e : r.at("log").as_array())
        if (e.at("event") == "leave") {
            left_keys.insert(std::string(e.at("key").as_string()));
            for (auto const& m : e.at("left").as_array())
                left_refs.insert(std::string(m.at("phx_ref").as_string()));
        }
    EXPECT_EQ(left_keys, (std::set<std::string>{"user:a", "user:b", "user:c"}));
    EXPECT_EQ(left_refs, (std::set<std::string>{"a1", "b1", "c1"}));
}

TEST(presence_roster, frames_with_a_stale_join_ref_are_ignored)
{
    auto r = run("stale_frames_are_ignored");
    EXPECT_EQ(r.at("list"), json(R"([["user:a",[{"phx_ref":"a1"}]],
                                     ["user:b",[{"phx_ref":"b1"}]]])"));
}

TEST(presence_roster, payloads_are_copied_out_of_their_memory)
{
    presence_roster roster;
    roster.set_join_ref("1");
    {
        boost::json::monotonic_resource mr;
        auto v = boost::json::parse(
            R"({"k":{"metas":[{"phx_ref":"r","name":"a long enough string"}]}})",
            &mr);
        roster.apply_state(v.as_object(), "1");
    }
    ASSERT_NE(roster.find("k"), nullptr);
    EXPECT_EQ(roster.find("k")->metas.at(0).fields.at("name"),
              "a long enough string");
}

TEST(presence_roster, malformed_entries_are_skipped)
{
    presence_roster roster;
    roster.set_join_ref("1");
    roster.apply_state(json(R"({"a":5,"b":{"metas":"x"},
        "c":{"metas":[7,{"no_ref":1},{"phx_ref":2},{"phx_ref":"c1"}]}})")
                           .as_object(),
                       "1");
    EXPECT_EQ(list_json(roster), json(R"([["c",[{"phx_ref":"c1"}]]])"));

    roster.apply_diff(
        json(R"({"leaves":{"c":{"metas":[{"phx_ref":"c1"}]}}})").as_object(),
        std::nullopt);
    EXPECT_EQ(roster.size(), 0u);
}

TEST(presence_roster, clear_forgets_everything)
{
    presence_roster roster;
    roster.set_join_ref("1");
    roster.apply_state(
        json(R"({"a":{"metas":[{"phx_ref":"a1"}]}})").as_object(), "1");
    roster.clear();
    EXPECT_EQ(roster.size(), 0u);
    EXPECT_FALSE(roster.in_sync());
    EXPECT_EQ(roster.find("a"), nullptr);
}

// Feeds random windows of joins, updates and leaves through the builder
// into a roster and checks the roster against the truth after each one.
void follow_random_windows(unsigned keys, unsigned max_ops, int windows)
{
    std::mt19937 rng(12345 + keys);
    presence_ref_generator gen(5);
    std::map<std::string, std::map<std::string, std::string>> truth;
    presence_diff_builder b;
    presence_roster roster;
    roster.set_join_ref("1");
    roster.apply_state({}, "1");

    std::string out;
    for (int w = 0; w < windows; ++w) {
        auto const start = truth;
        int const ops = 1 + static_cast<int>(rng() % max_ops);
        for (int o = 0; o < ops; ++o) {
            std::string key = "k" + std::to_string(rng() % keys);
            auto& metas = truth[key];
            std::string members = R"("n":)" + std::to_string(rng() % 1000);
            unsigned const what = rng() % 3;
            if (metas.empty() || what == 0) {
                std::string ref = gen.next();
                b.join(key, ref, members);
                metas[ref] = members;
            } else {
                auto it = metas.begin();
                std::advance(it, rng() % metas.size());
                b.leave(key, it->first, it->second);
                metas.erase(it);
                if (what == 1) {
                    std::string ref = gen.next();
                    b.join(key, ref, members);
                    metas[ref] = members;
                }
            }
            if (metas.empty())
                truth.erase(key);
        }

        out.clear();
        b.encode(out);
        b.clear();
        auto const diff = boost::json::parse(out).as_object();
        roster.apply_diff(diff, std::nullopt);

        // A join is of a meta present at the end of the window or left in
        // it too; a leave is of a meta gone at its end; a ref appears at
        // most once per side.
        auto const holds = [](auto const& state, auto const& key,
                              auto const& ref) {
            auto it = state.find(std::string(key));
            return it != state.end() && it->second.contains(std::string(ref));
        };
        std::set<std::string> joined, left;
        for (auto const& kv : diff.at("leaves").as_object())
            for (auto const& m : kv.value().at("metas").as_array()) {
                auto const ref = std::string(m.at("phx_ref").as_string());
                ASSERT_TRUE(left.insert(ref).second) << ref;
                ASSERT_FALSE(holds(truth, kv.key(), ref)) << ref;
            }
        for (auto const& kv : diff.at("joins").as_object())
            for (auto const& m : kv.value().at("metas").as_array()) {
                auto const ref = std::string(m.at("phx_ref").as_string());
                ASSERT_TRUE(joined.insert(ref).second) << ref;
                ASSERT_TRUE(holds(truth, kv.key(), ref) || left.count(ref))
                    << ref;
            }
        (void)start;

        std::map<std::string, std::map<std::string, std::string>> seen;
        for (auto const& m : roster.list())
            for (auto const& meta : m.metas) {
                std::string fields = boost::json::serialize(meta.fields);
                seen[m.key][meta.ref] = fields.substr(1, fields.size() - 2);
            }
        ASSERT_EQ(seen, truth) << "window " << w << ": " << out;
    }
}

TEST(presence_diff_builder, roster_follows_random_windows)
{
    // few keys: many updates of the same metas within a window
    follow_random_windows(12, 40, 200);
}

TEST(presence_diff_builder, roster_follows_large_random_windows)
{
    // many refs per window: the ref table grows and shifts cells on erase
    follow_random_windows(300, 4000, 20);
}

// ---------------------------------------------------------------- phoenix

TEST(presence_roster, agrees_with_the_phoenix_client)
{
    std::string const node = SOCK8_NODE_EXECUTABLE;
    std::filesystem::path const interop = SOCK8_INTEROP_DIR;
    std::filesystem::path const dir = SOCK8_PRESENCE_TEST_DIR;
    if (node.empty())
        GTEST_SKIP() << "node not found at configure time";
    if (!std::filesystem::exists(interop / "node_modules" / "phoenix"))
        GTEST_SKIP() << "run scripts/setup (npm ci in tests/interop)";

    std::string const command =
        "\"" + node + "\" \"" + (dir / "phoenix_presence_check.mjs").string() +
        "\" \"" + (dir / "presence_scenarios.json").string() + "\" \"" +
        interop.string() + "\"";
    std::FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string text;
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, pipe))
        text.append(buf, n);
    ASSERT_EQ(::pclose(pipe), 0) << command;

    auto const phoenix = boost::json::parse(text).as_array();
    ASSERT_EQ(phoenix.size(), scenarios().size());
    for (std::size_t i = 0; i < phoenix.size(); ++i) {
        auto const ours = run_scenario(scenarios()[i].as_object());
        EXPECT_EQ(boost::json::value(ours), phoenix[i])
            << "ours:    " << boost::json::serialize(ours) << "\n"
            << "phoenix: " << boost::json::serialize(phoenix[i]);
    }
}

} // namespace
