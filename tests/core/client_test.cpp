//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// The client core driven by hand-written server frames: what a Phoenix V2
// server sends is the protocol, so these frames are the real input.

#include <sock8/client.hpp>

#include <sock8/constraints.hpp>

#include <boost/describe.hpp>
#include <boost/json.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

struct chat_message
{
    sock8::constrained<std::string, sock8::length<1, 280>> text;
    std::string author;
};
BOOST_DESCRIBE_STRUCT(chat_message, (), (text, author))

struct cursor
{
    sock8::constrained<double, sock8::range<0.0, 1.0>> x;
    double y = 0;
    bool typing = false;
};
BOOST_DESCRIBE_STRUCT(cursor, (), (x, y, typing))

struct label
{
    std::optional<std::string> text;
};
BOOST_DESCRIBE_STRUCT(label, (), (text))

using chat = sock8::channel<"chat.{roomId}", chat_message>;
using labels =
    sock8::channel<"labels.{id}", chat_message, sock8::presence<label>>;
using board =
    sock8::channel<"board.{boardId}", chat_message, sock8::presence<cursor>>;
using app = sock8::tree<chat, board, labels>;

static_assert(sock8::client_core<sock8::client<app>>);

using presence_handle = sock8::presence_handle<board>;
using entry = presence_handle::entry_type;

class client_test : public ::testing::Test
{
protected:
    sock8::time_point const t0 = sock8::time_point{} + 1h;
    sock8::client<app> c{options()};
    std::vector<std::string> log_lines;

    static sock8::client_options options()
    {
        sock8::client_options o;
        o.params = {{"token", "a b&c"}, {"name", "zo\xc3\xab"}};
        return o;
    }

    // Every frame the client asked to send since the last call, parsed.
    std::vector<boost::json::array> sent()
    {
        std::vector<sock8::action> actions;
        c.take_actions(actions);
        std::vector<boost::json::array> out;
        for (auto const& a : actions) {
            if (a.what != sock8::action::kind::send)
                continue;
            out.push_back(boost::json::parse(*a.frame).as_array());
        }
        return out;
    }

    std::vector<sock8::action> actions()
    {
        std::vector<sock8::action> out;
        c.take_actions(out);
        return out;
    }

    void feed(std::string_view text, sock8::time_point now)
    {
        c.receive(text, now);
    }

    void feed(std::string_view text) { c.receive(text, t0); }

    // Subscribes to board "b1" on an open connection and has the server
    // accept it as key "me" with meta ref "m1". Returns the join ref.
    std::string join_board(sock8::subscription<board>& s)
    {
        auto frames = sent();
        EXPECT_EQ(frames.size(), 1u);
        std::string j(frames.at(0).at(0).as_string());
        feed("[\"" + j + "\",\"" + j +
             "\",\"board.b1\",\"phx_reply\",{\"status\":\"ok\",\"response\":"
             "{\"key\":\"me\",\"ref\":\"m1\"}}]");
        EXPECT_EQ(s.state(), sock8::subscription_state::joined);
        return j;
    }
};

std::string str(boost::json::value const& v)
{
    return std::string(v.as_string());
}

TEST_F(client_test, url_query_percent_encodes_params_and_adds_vsn)
{
    EXPECT_EQ(c.url_query(), "token=a%20b%26c&name=zo%C3%AB&vsn=2.0.0");

    sock8::client<app> bare;
    EXPECT_EQ(bare.url_query(), "vsn=2.0.0");
}

TEST_F(client_test, subscribe_before_opened_joins_on_opened)
{
    auto& s = c.subscribe(chat::topic("lobby"));
    EXPECT_TRUE(sent().empty());
    EXPECT_EQ(s.state(), sock8::subscription_state::rejoining);
    EXPECT_EQ(s.topic().str(), "chat.lobby");

    c.opened(t0);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0],
              boost::json::parse(R"(["1","1","chat.lobby","phx_join",{}])"));
    EXPECT_EQ(s.state(), sock8::subscription_state::joining);

    int joined = 0;
    s.on_joined([&] { ++joined; });
    feed(R"(["1","1","chat.lobby","phx_reply",)"
         R"({"status":"ok","response":{}}])");
    EXPECT_EQ(s.state(), sock8::subscription_state::joined);
    EXPECT_EQ(joined, 1);
}

TEST_F(client_test, subscribe_twice_returns_the_same_subscription)
{
    c.opened(t0);
    auto& a = c.subscribe(chat::topic("lobby"));
    auto& b = c.subscribe(chat::topic("lobby"));
    EXPECT_EQ(&a, &b);
    EXPECT_EQ(sent().size(), 1u);
}

TEST_F(client_test, refs_are_increasing_decimal_strings_per_socket)
{
    c.opened(t0);
    c.subscribe(chat::topic("a"));
    c.subscribe(chat::topic("b"));
    c.advance(t0 + 30s);

    auto frames = sent();
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(str(frames[0][0]), "1");
    EXPECT_EQ(str(frames[0][1]), "1");
    EXPECT_EQ(str(frames[1][0]), "2");
    EXPECT_EQ(str(frames[1][1]), "2");
    EXPECT_TRUE(frames[2][0].is_null());
    EXPECT_EQ(str(frames[2][1]), "3");
}

TEST_F(client_test, heartbeat_every_interval_and_close_when_unanswered)
{
    c.opened(t0);
    EXPECT_EQ(c.next_deadline(), t0 + 30s);

    c.advance(t0 + 30s);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0],
              boost::json::parse(R"([null,"1","phoenix","heartbeat",{}])"));

    feed(R"([null,"1","phoenix","phx_reply",{"status":"ok","response":{}}])",
         t0 + 31s);
    c.advance(t0 + 60s);
    frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(str(frames[0][1]), "2");
    EXPECT_EQ(str(frames[0][3]), "heartbeat");

    // No reply to "2": when "3" would be due, the client gives up.
    c.advance(t0 + 90s);
    auto acts = actions();
    ASSERT_EQ(acts.size(), 1u);
    EXPECT_EQ(acts[0].what, sock8::action::kind::close);
    EXPECT_EQ(acts[0].reason, "heartbeat timeout");
    EXPECT_EQ(acts[0].code, sock8::close_code::going_away);
    EXPECT_FALSE(c.connected());
}

TEST_F(client_test, heartbeat_timeout_puts_subscriptions_in_rejoining)
{
    c.opened(t0);
    auto& s = c.subscribe(chat::topic("lobby"));
    feed(R"(["1","1","chat.lobby","phx_reply",)"
         R"({"status":"ok","response":{}}])");
    c.advance(t0 + 30s);
    c.advance(t0 + 60s);
    EXPECT_EQ(s.state(), sock8::subscription_state::rejoining);

    // The transport reports the close it performed, then reconnects.
    c.closed(t0 + 60s);
    (void)actions();
    c.opened(t0 + 61s);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(str(frames[0][3]), "phx_join");
    EXPECT_NE(str(frames[0][0]), "1");
}

TEST_F(client_test, rejoin_after_reconnect_uses_new_join_ref_and_presence)
{
    auto& s = c.subscribe(board::topic("b1"));
    s.presence().update(cursor{0.25, 3, false});
    c.opened(t0);
    auto const j1 = join_board(s);
    EXPECT_EQ(j1, "1");

    s.presence().set<&cursor::typing>(true);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);

    c.closed(t0 + 1s);
    EXPECT_EQ(s.state(), sock8::subscription_state::rejoining);
    c.opened(t0 + 2s);
    frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    std::string const j2(frames[0][0].as_string());
    EXPECT_NE(j2, j1);
    EXPECT_EQ(frames[0][1], frames[0][0]);
    EXPECT_EQ(str(frames[0][3]), "phx_join");
    EXPECT_EQ(
        frames[0][4],
        boost::json::parse(R"({"presence":{"x":0.25,"y":3,"typing":true}})"));
}

TEST_F(client_test, frames_with_a_stale_join_ref_are_dropped)
{
    auto& s = c.subscribe(board::topic("b1"));
    c.opened(t0);
    auto const j1 = join_board(s);
    int joins = 0;
    s.presence().on_join([&](std::string const&, entry const&) { ++joins; });

    c.closed(t0 + 1s);
    c.opened(t0 + 2s);
    auto frames = sent();
    std::string const j2(frames.at(0).at(0).as_string());

    // A late reply and snapshot of the first join must not count.
    feed("[\"" + j1 + "\",\"" + j1 +
         R"(","board.b1","phx_reply",{"status":"ok","response":{}}])");
    EXPECT_EQ(s.state(), sock8::subscription_state::joining);
    feed("[\"" + j1 +
         R"(",null,"board.b1","presence_state",)"
         R"({"me":{"metas":[{"phx_ref":"m1","x":0,"y":0,"typing":false}]}}])");
    EXPECT_EQ(joins, 0);
    EXPECT_TRUE(s.presence().roster().empty());

    feed("[\"" + j2 + "\",\"" + j2 +
         R"(","board.b1","phx_reply",)"
         R"({"status":"ok","response":{"key":"me","ref":"m2"}}])");
    EXPECT_EQ(s.state(), sock8::subscription_state::joined);
    feed("[\"" + j2 +
         R"(",null,"board.b1","presence_state",)"
         R"({"me":{"metas":[{"phx_ref":"m2","x":0,"y":0,"typing":false}]}}])");
    EXPECT_EQ(joins, 1);

    // Pushes, errors and closes of the old join do not touch the new one.
    int messages = 0;
    s.on_message([&](chat_message const&) { ++messages; });
    feed("[\"" + j1 +
         R"(",null,"board.b1","message",{"text":"old","author":"a"}])");
    feed("[\"" + j1 + "\",\"" + j1 + R"(","board.b1","phx_error",{}])");
    feed("[\"" + j1 + "\",\"" + j1 + R"(","board.b1","phx_close",{}])");
    EXPECT_EQ(messages, 0);
    EXPECT_EQ(s.state(), sock8::subscription_state::joined);
    feed("[\"" + j2 +
         R"(",null,"board.b1","message",{"text":"new","author":"a"}])");
    EXPECT_EQ(messages, 1);
}

TEST_F(client_test, messages_are_decoded_and_typed)
{
    auto& s = c.subscribe(chat::topic("lobby"));
    c.opened(t0);
    feed(R"(["1","1","chat.lobby","phx_reply",)"
         R"({"status":"ok","response":{}}])");

    std::vector<chat_message> got;
    s.on_message([&](chat_message const& m) { got.push_back(m); });
    feed(R"([null,null,"chat.lobby","message",{"text":"hi","author":"ann"}])");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].text.value(), "hi");
    EXPECT_EQ(got[0].author, "ann");
}

TEST_F(client_test, invalid_message_goes_to_the_error_handler_only)
{
    auto& s = c.subscribe(chat::topic("lobby"));
    c.opened(t0);
    feed(R"(["1","1","chat.lobby","phx_reply",)"
         R"({"status":"ok","response":{}}])");

    int messages = 0;
    std::vector<sock8::subscription_error> errors;
    s.on_message([&](chat_message const&) { ++messages; });
    s.on_error(
        [&](sock8::subscription_error const& e) { errors.push_back(e); });

    feed(R"([null,null,"chat.lobby","message",{"text":"","author":7}])");
    EXPECT_EQ(messages, 0);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].reason, "invalid message");
    ASSERT_EQ(errors[0].failure.errors.size(), 2u);
    EXPECT_EQ(errors[0].failure.errors[0].path, "/text");
    EXPECT_EQ(errors[0].failure.errors[1].path, "/author");
    EXPECT_EQ(errors[0].code, sock8::error::too_short);
    EXPECT_TRUE(errors[0].details.is_array());
}

TEST_F(client_test, error_handler_taking_reason_and_details)
{
    auto& s = c.subscribe(chat::topic("lobby"));
    std::string reason;
    boost::json::value details;
    s.on_error([&](std::string_view r, boost::json::value const& d) {
        reason = r;
        details = d;
    });
    c.opened(t0);
    feed(R"(["1","1","chat.lobby","phx_reply",)"
         R"({"status":"error","response":{"reason":"unauthorized"}}])");
    EXPECT_EQ(reason, "unauthorized");
    EXPECT_EQ(details, boost::json::parse(R"({"reason":"unauthorized"})"));
}

TEST_F(client_test, refused_join_is_reported_and_not_retried_until_reconnect)
{
    auto& s = c.subscribe(chat::topic("lobby"));
    std::vector<sock8::subscription_error> errors;
    s.on_error(
        [&](sock8::subscription_error const& e) { errors.push_back(e); });
    c.opened(t0);
    (void)sent();
    feed(R"(["1","1","chat.lobby","phx_reply",)"
         R"({"status":"error","response":{"reason":"unauthorized"}}])");

    EXPECT_EQ(s.state(), sock8::subscription_state::refused);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].reason, "unauthorized");
    EXPECT_EQ(errors[0].code, sock8::error::unauthorized);

    // Time passes, heartbeats are answered, yet no join is sent again.
    for (int i = 1; i <= 4; ++i) {
        c.advance(t0 + i * 30s);
        for (auto const& f : sent()) {
            EXPECT_EQ(str(f[3]), "heartbeat");
            feed("[null,\"" + str(f[1]) +
                     R"(","phoenix","phx_reply",)"
                     R"({"status":"ok","response":{}}])",
                 t0 + i * 30s);
        }
    }
    EXPECT_EQ(s.state(), sock8::subscription_state::refused);

    c.closed(t0 + 200s);
    c.opened(t0 + 201s);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(str(frames[0][3]), "phx_join");
    EXPECT_EQ(s.state(), sock8::subscription_state::joining);
}

TEST_F(client_test, refused_rejoin_forgets_the_roster)
{
    auto& s = c.subscribe(board::topic("b1"));
    std::vector<std::string> left;
    s.presence().on_leave(
        [&](std::string const& k, entry const&) { left.push_back(k); });
    c.opened(t0);
    auto const j = join_board(s);
    feed("[\"" + j +
         R"(",null,"board.b1","presence_state",{)"
         R"("ann":{"metas":[{"phx_ref":"a1","x":0,"y":0,"typing":false}]}}])");

    c.closed(t0 + 1s);
    c.opened(t0 + 2s);
    std::string const j2 = str(sent().at(0)[0]);
    feed("[\"" + j2 + "\",\"" + j2 +
         R"(","board.b1","phx_reply",)"
         R"({"status":"error","response":{"reason":"unauthorized"}}])");
    EXPECT_EQ(s.state(), sock8::subscription_state::refused);
    EXPECT_TRUE(s.presence().roster().empty());
    EXPECT_EQ(left, std::vector<std::string>{"ann"});
}

TEST_F(client_test, unmatched_topic_reply_with_null_join_ref_refuses)
{
    auto& s = c.subscribe(chat::topic("lobby"));
    c.opened(t0);
    feed(R"([null,"1","chat.lobby","phx_reply",)"
         R"({"status":"error","response":{"reason":"unmatched topic"}}])");
    EXPECT_EQ(s.state(), sock8::subscription_state::refused);
}

TEST_F(client_test, channel_error_rejoins_with_backoff)
{
    auto& s = c.subscribe(chat::topic("lobby"));
    c.opened(t0);
    (void)sent();
    feed(R"(["1","1","chat.lobby","phx_reply",)"
         R"({"status":"ok","response":{}}])");

    feed(R"(["1","1","chat.lobby","phx_error",{}])", t0 + 5s);
    EXPECT_EQ(s.state(), sock8::subscription_state::rejoining);
    EXPECT_EQ(c.next_deadline(), t0 + 6s);
    c.advance(t0 + 5s + 999ms);
    EXPECT_TRUE(sent().empty());
    c.advance(t0 + 6s);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(str(frames[0][3]), "phx_join");
    std::string const j2 = str(frames[0][0]);
    EXPECT_EQ(s.join_ref(), j2);

    // A second failure waits longer: 1, 2, 5, then 10 s.
    feed("[\"" + j2 + "\",\"" + j2 + R"(","chat.lobby","phx_error",{}])",
         t0 + 7s);
    EXPECT_EQ(c.next_deadline(), t0 + 9s);

    // A successful join starts the backoff over.
    c.advance(t0 + 9s);
    std::string const j3 = str(sent().at(0)[0]);
    feed("[\"" + j3 + "\",\"" + j3 +
             R"(","chat.lobby","phx_reply",{"status":"ok","response":{}}])",
         t0 + 9s);
    feed("[\"" + j3 + "\",\"" + j3 + R"(","chat.lobby","phx_error",{}])",
         t0 + 20s);
    EXPECT_EQ(c.next_deadline(), t0 + 21s);
}

TEST_F(client_test, join_timeout_rejoins_with_backoff)
{
    auto& s = c.subscribe(chat::topic("lobby"));
    std::vector<std::string> reasons;
    s.on_error([&](sock8::subscription_error const& e) {
        reasons.push_back(e.reason);
    });
    c.opened(t0);
    (void)sent();
    EXPECT_EQ(c.next_deadline(), t0 + 10s);

    c.advance(t0 + 10s);
    EXPECT_EQ(s.state(), sock8::subscription_state::rejoining);
    ASSERT_EQ(reasons.size(), 1u);
    EXPECT_EQ(reasons[0], "join timeout");

    // The timed-out join is left, in case the server still processes it.
    auto leave = sent();
    ASSERT_EQ(leave.size(), 1u);
    EXPECT_EQ(str(leave[0][0]), "1");
    EXPECT_EQ(str(leave[0][3]), "phx_leave");

    c.advance(t0 + 11s);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(str(frames[0][3]), "phx_join");
    EXPECT_EQ(s.state(), sock8::subscription_state::joining);

    // The late reply to the first join is not taken for the second.
    feed(R"(["1","1","chat.lobby","phx_reply",)"
         R"({"status":"ok","response":{}}])");
    EXPECT_EQ(s.state(), sock8::subscription_state::joining);
}

TEST_F(client_test, phx_close_closes_for_good)
{
    auto& s = c.subscribe(chat::topic("lobby"));
    int closed = 0;
    s.on_closed([&] { ++closed; });
    c.opened(t0);
    feed(R"(["1","1","chat.lobby","phx_reply",)"
         R"({"status":"ok","response":{}}])");
    feed(R"(["1","1","chat.lobby","phx_close",{}])");
    EXPECT_EQ(s.state(), sock8::subscription_state::closed);
    EXPECT_EQ(closed, 1);

    (void)sent();
    c.closed(t0 + 1s);
    c.opened(t0 + 2s);
    EXPECT_TRUE(sent().empty());

    // Subscribing again is an explicit decision to rejoin.
    EXPECT_EQ(&c.subscribe(chat::topic("lobby")), &s);
    EXPECT_EQ(s.state(), sock8::subscription_state::joining);
}

TEST_F(client_test, presence_join_payload_carries_the_current_record)
{
    auto& s = c.subscribe(board::topic("b1"));
    EXPECT_TRUE(s.presence().update(cursor{0.5, 2, true}));
    EXPECT_EQ(s.presence().self().x.value(), 0.5);
    c.opened(t0);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(
        frames[0][4],
        boost::json::parse(R"({"presence":{"x":0.5,"y":2,"typing":true}})"));
}

TEST_F(client_test, record_set_right_after_subscribe_travels_in_the_join)
{
    c.opened(t0);
    auto& s = c.subscribe(board::topic("b1"));
    EXPECT_TRUE(s.join_ref().empty());
    s.presence().set<&cursor::typing>(true);

    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(str(frames[0][3]), "phx_join");
    EXPECT_EQ(frames[0][4], boost::json::parse(
                                R"({"presence":{"x":0,"y":0,"typing":true}})"));
    EXPECT_EQ(s.join_ref(), str(frames[0][0]));

    feed("[\"" + s.join_ref() + "\",\"" + s.join_ref() +
         R"(","board.b1","phx_reply",)"
         R"({"status":"ok","response":{"key":"me","ref":"m1"}}])");
    EXPECT_TRUE(sent().empty());
}

TEST_F(client_test, a_ref_seen_twice_is_reported_once)
{
    auto& s = c.subscribe(board::topic("b1"));
    int joins = 0;
    s.presence().on_join([&](std::string const&, entry const&) { ++joins; });
    c.opened(t0);
    auto const j = join_board(s);

    // The snapshot holds the joiner, and so does the diff of its join.
    feed("[\"" + j +
         R"(",null,"board.b1","presence_state",)"
         R"({"me":{"metas":[{"phx_ref":"m1","x":0,"y":0,"typing":false}]}}])");
    feed(R"([null,null,"board.b1","presence_diff",{)"
         R"("joins":{"me":{"metas":[{"phx_ref":"m1","x":0,"y":0,)"
         R"("typing":false}]}},"leaves":{}}])");
    EXPECT_EQ(joins, 1);
    EXPECT_EQ(s.presence().roster().at("me").size(), 1u);
}

TEST_F(client_test, unsubscribe_before_the_join_is_sent_sends_nothing)
{
    c.opened(t0);
    auto& s = c.subscribe(chat::topic("lobby"));
    int closed = 0;
    s.on_closed([&] { ++closed; });
    c.unsubscribe(s);
    EXPECT_TRUE(sent().empty());
    EXPECT_EQ(s.state(), sock8::subscription_state::closed);
    EXPECT_EQ(closed, 1);
}

TEST_F(client_test, presence_snapshot_and_diffs_are_typed)
{
    auto& s = c.subscribe(board::topic("b1"));
    auto& p = s.presence();
    std::vector<std::pair<std::string, entry>> joins, leaves;
    int syncs = 0;
    p.on_join([&](std::string const& k, entry const& e) {
        joins.emplace_back(k, e);
    });
    p.on_leave([&](std::string const& k, entry const& e) {
        leaves.emplace_back(k, e);
    });
    p.on_sync([&] { ++syncs; });

    c.opened(t0);
    auto const j = join_board(s);
    EXPECT_EQ(p.key(), "me");
    feed(
        "[\"" + j +
        R"(",null,"board.b1","presence_state",{)"
        R"("me":{"metas":[{"phx_ref":"m1","x":0,"y":0,"typing":false}]},)"
        R"("ann":{"metas":[{"phx_ref":"a1","x":0.75,"y":4,"typing":true}]}}])");

    EXPECT_EQ(syncs, 1);
    ASSERT_EQ(joins.size(), 2u);
    auto const& roster = p.roster();
    ASSERT_EQ(roster.size(), 2u);
    ASSERT_EQ(roster.at("ann").size(), 1u);
    EXPECT_EQ(roster.at("ann")[0].ref, "a1");
    EXPECT_EQ(roster.at("ann")[0].record.x.value(), 0.75);
    EXPECT_TRUE(roster.at("ann")[0].record.typing);

    feed(R"([null,null,"board.b1","presence_diff",{"joins":{},)"
         R"("leaves":{"ann":{"metas":[{"phx_ref":"a1"}]}}}])");
    EXPECT_EQ(syncs, 2);
    ASSERT_EQ(leaves.size(), 1u);
    EXPECT_EQ(leaves[0].first, "ann");
    // The entry as it was, although the leave carried only its ref.
    EXPECT_EQ(leaves[0].second.record.y, 4);
    EXPECT_FALSE(p.roster().contains("ann"));
}

TEST_F(client_test, others_leaves_out_only_this_connections_meta)
{
    auto& s = c.subscribe(board::topic("b1"));
    c.opened(t0);
    auto const j = join_board(s);
    // Key "me" has two tabs: this connection (m1) and another (m9).
    feed(
        "[\"" + j +
        R"(",null,"board.b1","presence_state",{"me":{"metas":[)"
        R"({"phx_ref":"m9","x":0.1,"y":0,"typing":false},)"
        R"({"phx_ref":"m1","x":0,"y":0,"typing":false}]},)"
        R"("ann":{"metas":[{"phx_ref":"a1","x":0.75,"y":4,"typing":true}]}}])");

    auto const others = s.presence().others();
    ASSERT_EQ(others.size(), 2u);
    ASSERT_EQ(others.at("me").size(), 1u);
    EXPECT_EQ(others.at("me")[0].ref, "m9");
    EXPECT_EQ(others.at("ann")[0].ref, "a1");
    EXPECT_EQ(s.presence().roster().at("me").size(), 2u);
}

TEST_F(client_test, own_update_gets_a_new_ref_and_stays_out_of_others)
{
    auto& s = c.subscribe(board::topic("b1"));
    auto& p = s.presence();
    c.opened(t0);
    auto const j = join_board(s);
    feed("[\"" + j +
         R"(",null,"board.b1","presence_state",)"
         R"({"me":{"metas":[{"phx_ref":"m1","x":0,"y":0,"typing":false}]}}])");
    EXPECT_TRUE(p.others().empty());

    ASSERT_TRUE(p.set<&cursor::x>(0.5));
    EXPECT_EQ(p.self().x.value(), 0.5);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(str(frames[0][0]), j);
    EXPECT_EQ(str(frames[0][2]), "board.b1");
    EXPECT_EQ(str(frames[0][3]), "presence");
    EXPECT_EQ(frames[0][4], boost::json::parse(R"({"x":0.5})"));
    std::string const r = str(frames[0][1]);

    feed("[\"" + j + "\",\"" + r +
         R"(","board.b1","phx_reply",)"
         R"({"status":"ok","response":{"ref":"m2"}}])");
    feed(R"([null,null,"board.b1","presence_diff",{)"
         R"("joins":{"me":{"metas":[{"phx_ref":"m2","phx_ref_prev":"m1",)"
         R"("x":0.5,"y":0,"typing":false}]}},)"
         R"("leaves":{"me":{"metas":[{"phx_ref":"m1"}]}}}])");
    EXPECT_TRUE(p.others().empty());
    ASSERT_EQ(p.roster().at("me").size(), 1u);
    EXPECT_TRUE(p.is_self(p.roster().at("me")[0]));

    ASSERT_TRUE(p.update(cursor{0.25, 1, true}));
    frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0][4],
              boost::json::parse(R"({"x":0.25,"y":1,"typing":true})"));
}

TEST_F(client_test, update_pairs_a_join_naming_phx_ref_prev_with_its_leave)
{
    auto& s = c.subscribe(board::topic("b1"));
    auto& p = s.presence();
    int joins = 0, leaves = 0;
    std::vector<std::pair<entry, entry>> updates;
    p.on_join([&](std::string const&, entry const&) { ++joins; });
    p.on_leave([&](std::string const&, entry const&) { ++leaves; });
    p.on_update(
        [&](std::string const& k, entry const& old_e, entry const& new_e) {
            EXPECT_EQ(k, "ann");
            updates.emplace_back(old_e, new_e);
        });
    c.opened(t0);
    auto const j = join_board(s);
    feed(
        "[\"" + j +
        R"(",null,"board.b1","presence_state",)"
        R"({"ann":{"metas":[{"phx_ref":"a1","x":0.5,"y":0,"typing":false}]}}])");
    joins = 0;

    feed(R"([null,null,"board.b1","presence_diff",{)"
         R"("joins":{"ann":{"metas":[{"phx_ref":"a2","phx_ref_prev":"a1",)"
         R"("x":0.5,"y":0,"typing":true}]}},)"
         R"("leaves":{"ann":{"metas":[{"phx_ref":"a1"}]}}}])");
    EXPECT_EQ(joins, 0);
    EXPECT_EQ(leaves, 0);
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0].first.ref, "a1");
    EXPECT_FALSE(updates[0].first.record.typing);
    EXPECT_EQ(updates[0].second.ref, "a2");
    EXPECT_TRUE(updates[0].second.record.typing);

    // Without phx_ref_prev (or with a leave that is not in this diff) it
    // stays a join and a leave, as phoenix reports it.
    feed(R"([null,null,"board.b1","presence_diff",{)"
         R"("joins":{"ann":{"metas":[{"phx_ref":"a3",)"
         R"("x":0.5,"y":0,"typing":false}]}},)"
         R"("leaves":{"ann":{"metas":[{"phx_ref":"a2"}]}}}])");
    EXPECT_EQ(joins, 1);
    EXPECT_EQ(leaves, 1);
    EXPECT_EQ(updates.size(), 1u);
}

TEST_F(client_test, diffs_before_the_snapshot_are_applied_after_it)
{
    auto& s = c.subscribe(board::topic("b1"));
    auto& p = s.presence();
    std::vector<std::string> joined;
    p.on_join([&](std::string const& k, entry const&) { joined.push_back(k); });
    c.opened(t0);
    auto const j = join_board(s);

    feed(R"([null,null,"board.b1","presence_diff",{)"
         R"("joins":{"bob":{"metas":[{"phx_ref":"b1","x":0,"y":0,)"
         R"("typing":false}]}},"leaves":{}}])");
    EXPECT_TRUE(joined.empty());
    EXPECT_TRUE(p.roster().empty());

    feed("[\"" + j +
         R"(",null,"board.b1","presence_state",)"
         R"({"me":{"metas":[{"phx_ref":"m1","x":0,"y":0,"typing":false}]}}])");
    EXPECT_EQ(joined, (std::vector<std::string>{"me", "bob"}));
    EXPECT_EQ(p.roster().size(), 2u);
}

TEST_F(client_test, reconnect_reports_what_changed_while_away)
{
    auto& s = c.subscribe(board::topic("b1"));
    auto& p = s.presence();
    std::vector<std::string> events;
    p.on_join([&](std::string const& k, entry const& e) {
        events.push_back("join " + k + " " + e.ref);
    });
    p.on_leave([&](std::string const& k, entry const& e) {
        events.push_back("leave " + k + " " + e.ref);
    });
    c.opened(t0);
    auto const j1 = join_board(s);
    feed("[\"" + j1 +
         R"(",null,"board.b1","presence_state",{)"
         R"("me":{"metas":[{"phx_ref":"m1","x":0,"y":0,"typing":false}]},)"
         R"("ann":{"metas":[{"phx_ref":"a1","x":0,"y":0,"typing":false}]},)"
         R"("bob":{"metas":[{"phx_ref":"b1","x":0,"y":0,"typing":false}]}}])");
    events.clear();

    c.closed(t0 + 1s);
    // Nothing is forgotten while away: the snapshot after the rejoin says
    // what changed.
    EXPECT_EQ(p.roster().size(), 3u);

    c.opened(t0 + 5s);
    std::string const j2 = str(sent().at(0)[0]);
    feed("[\"" + j2 + "\",\"" + j2 +
         R"(","board.b1","phx_reply",)"
         R"({"status":"ok","response":{"key":"me","ref":"m2"}}])");
    feed("[\"" + j2 +
         R"(",null,"board.b1","presence_state",{)"
         R"("me":{"metas":[{"phx_ref":"m2","x":0,"y":0,"typing":false}]},)"
         R"("ann":{"metas":[{"phx_ref":"a1","x":0,"y":0,"typing":false}]},)"
         R"("cid":{"metas":[{"phx_ref":"c1","x":0,"y":0,"typing":false}]}}])");

    EXPECT_EQ(events,
              (std::vector<std::string>{"join me m2", "join cid c1",
                                        "leave bob b1", "leave me m1"}));
    auto const others = p.others();
    EXPECT_EQ(others.size(), 2u);
    EXPECT_TRUE(others.contains("ann"));
    EXPECT_TRUE(others.contains("cid"));
}

TEST_F(client_test, invalid_meta_goes_to_the_error_hook_and_is_skipped)
{
    auto& s = c.subscribe(board::topic("b1"));
    std::vector<sock8::subscription_error> errors;
    s.on_error(
        [&](sock8::subscription_error const& e) { errors.push_back(e); });
    c.opened(t0);
    auto const j = join_board(s);
    feed("[\"" + j +
         R"(",null,"board.b1","presence_state",{)"
         R"("me":{"metas":[{"phx_ref":"m1","x":0,"y":0,"typing":false}]},)"
         R"("bad":{"metas":[{"phx_ref":"z1","x":7,"y":0,"typing":false}]}}])");

    EXPECT_EQ(s.presence().roster().size(), 1u);
    EXPECT_FALSE(s.presence().roster().contains("bad"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].reason, "invalid presence meta");
    ASSERT_EQ(errors[0].failure.errors.size(), 1u);
    EXPECT_EQ(errors[0].failure.errors[0].path, "/x");
}

TEST_F(client_test, invalid_update_is_refused_locally)
{
    auto& s = c.subscribe(board::topic("b1"));
    std::vector<sock8::subscription_error> errors;
    s.on_error(
        [&](sock8::subscription_error const& e) { errors.push_back(e); });
    c.opened(t0);
    (void)join_board(s);

    EXPECT_FALSE(s.presence().set<&cursor::x>(1.5));
    EXPECT_EQ(s.presence().self().x.value(), 0);
    EXPECT_TRUE(sent().empty());
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].reason, "invalid presence");
    EXPECT_EQ(errors[0].code, sock8::error::out_of_range);
}

TEST_F(client_test, update_refused_by_the_server_restores_self)
{
    auto& s = c.subscribe(board::topic("b1"));
    std::vector<sock8::subscription_error> errors;
    s.on_error(
        [&](sock8::subscription_error const& e) { errors.push_back(e); });
    c.opened(t0);
    auto const j = join_board(s);

    ASSERT_TRUE(s.presence().set<&cursor::y>(1e9));
    EXPECT_EQ(s.presence().self().y, 1e9);
    std::string const r = str(sent().at(0)[1]);
    feed("[\"" + j + "\",\"" + r +
         R"(","board.b1","phx_reply",{"status":"error","response":)"
         R"({"reason":"presence record is too large"}}])");
    EXPECT_EQ(s.presence().self().y, 0);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].reason, "invalid presence");
    EXPECT_EQ(errors[0].code, sock8::error::presence_too_large);
}

TEST_F(client_test, refused_update_keeps_later_updates_in_flight)
{
    auto& s = c.subscribe(board::topic("b1"));
    c.opened(t0);
    auto const j = join_board(s);
    auto& p = s.presence();

    ASSERT_TRUE(p.set<&cursor::y>(1e9));
    ASSERT_TRUE(p.set<&cursor::typing>(true));
    auto frames = sent();
    ASSERT_EQ(frames.size(), 2u);
    std::string const r1 = str(frames[0][1]);
    std::string const r2 = str(frames[1][1]);

    feed("[\"" + j + "\",\"" + r1 +
         R"(","board.b1","phx_reply",{"status":"error","response":)"
         R"({"reason":"presence record is too large"}}])");
    EXPECT_EQ(p.self().y, 0);
    EXPECT_TRUE(p.self().typing);

    feed("[\"" + j + "\",\"" + r2 +
         R"(","board.b1","phx_reply",)"
         R"({"status":"ok","response":{"ref":"m2"}}])");
    EXPECT_EQ(p.self().y, 0);
    EXPECT_TRUE(p.self().typing);

    // A later refusal goes back to what the server accepted: typing set.
    ASSERT_TRUE(p.set<&cursor::x>(0.75));
    std::string const r3 = str(sent().at(0)[1]);
    feed("[\"" + j + "\",\"" + r3 +
         R"(","board.b1","phx_reply",{"status":"error","response":)"
         R"({"reason":"too many messages; slow down"}}])");
    EXPECT_EQ(p.self().x.value(), 0);
    EXPECT_TRUE(p.self().typing);
}

TEST_F(client_test, set_sends_one_member_and_null_clears_an_optional)
{
    auto& s = c.subscribe(labels::topic("l1"));
    c.opened(t0);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    std::string const j = str(frames[0][0]);
    feed("[\"" + j + "\",\"" + j +
         R"(","labels.l1","phx_reply",)"
         R"({"status":"ok","response":{"key":"me","ref":"m1"}}])");

    ASSERT_TRUE(s.presence().set<&label::text>(std::string("todo")));
    ASSERT_TRUE(s.presence().set<&label::text>(std::nullopt));
    frames = sent();
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0][4], boost::json::parse(R"({"text":"todo"})"));
    EXPECT_EQ(frames[1][4], boost::json::parse(R"({"text":null})"));
    EXPECT_FALSE(s.presence().self().text);
}

TEST_F(client_test, update_while_joining_is_sent_after_the_join)
{
    auto& s = c.subscribe(board::topic("b1"));
    c.opened(t0);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    std::string const j = str(frames[0][0]);

    s.presence().set<&cursor::typing>(true);
    EXPECT_TRUE(sent().empty());
    feed("[\"" + j + "\",\"" + j +
         R"(","board.b1","phx_reply",)"
         R"({"status":"ok","response":{"key":"me","ref":"m1"}}])");
    frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(str(frames[0][3]), "presence");
    EXPECT_EQ(frames[0][4],
              boost::json::parse(R"({"x":0,"y":0,"typing":true})"));
}

TEST_F(client_test, unsubscribe_leaves_and_reports_presence_leaves)
{
    auto& s = c.subscribe(board::topic("b1"));
    std::vector<std::string> left;
    int closed = 0;
    s.presence().on_leave(
        [&](std::string const& k, entry const&) { left.push_back(k); });
    s.on_closed([&] { ++closed; });
    c.opened(t0);
    auto const j = join_board(s);
    feed("[\"" + j +
         R"(",null,"board.b1","presence_state",{)"
         R"("me":{"metas":[{"phx_ref":"m1","x":0,"y":0,"typing":false}]},)"
         R"("ann":{"metas":[{"phx_ref":"a1","x":0,"y":0,"typing":false}]}}])");

    c.unsubscribe(s);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(str(frames[0][0]), j);
    EXPECT_EQ(str(frames[0][3]), "phx_leave");
    EXPECT_EQ(s.state(), sock8::subscription_state::leaving);
    EXPECT_EQ(left, (std::vector<std::string>{"ann", "me"}));
    EXPECT_TRUE(s.presence().roster().empty());

    feed("[\"" + j + "\",\"" + str(frames[0][1]) +
         R"(","board.b1","phx_reply",{"status":"ok","response":{}}])");
    EXPECT_EQ(s.state(), sock8::subscription_state::closed);
    EXPECT_EQ(closed, 1);

    // The phx_close that follows changes nothing.
    feed("[\"" + j + "\",\"" + j + R"(","board.b1","phx_close",{}])");
    EXPECT_EQ(closed, 1);
}

TEST_F(client_test, subscribe_during_a_leave_joins_again)
{
    auto& s = c.subscribe(chat::topic("lobby"));
    int closed = 0;
    s.on_closed([&] { ++closed; });
    c.opened(t0);
    feed(R"(["1","1","chat.lobby","phx_reply",)"
         R"({"status":"ok","response":{}}])");
    (void)sent();

    c.unsubscribe(s);
    EXPECT_EQ(&c.subscribe(chat::topic("lobby")), &s);
    auto frames = sent();
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(str(frames[0][3]), "phx_leave");
    EXPECT_EQ(str(frames[1][3]), "phx_join");
    std::string const j2 = str(frames[1][0]);

    // The leave's reply and close belong to the old join.
    feed("[\"1\",\"" + str(frames[0][1]) +
         R"(","chat.lobby","phx_reply",{"status":"ok","response":{}}])");
    feed(R"(["1","1","chat.lobby","phx_close",{}])");
    EXPECT_EQ(closed, 0);
    feed("[\"" + j2 + "\",\"" + j2 +
         R"(","chat.lobby","phx_reply",{"status":"ok","response":{}}])");
    EXPECT_EQ(s.state(), sock8::subscription_state::joined);
}

TEST_F(client_test, messages_before_the_join_reply_are_dropped)
{
    auto& s = c.subscribe(chat::topic("lobby"));
    int messages = 0;
    s.on_message([&](chat_message const&) { ++messages; });
    c.opened(t0);
    feed(R"([null,null,"chat.lobby","message",{"text":"hi","author":"a"}])");
    EXPECT_EQ(messages, 0);
}

TEST_F(client_test, malformed_frames_are_logged_and_dropped)
{
    sock8::client_options o;
    o.log = [&](sock8::log_level level, std::string_view text) {
        if (level == sock8::log_level::warning)
            log_lines.emplace_back(text);
    };
    sock8::client<app> logged(std::move(o));
    logged.opened(t0);
    logged.receive("not json", t0);
    logged.receive(R"(["1","1","x"])", t0);
    EXPECT_EQ(log_lines.size(), 2u);
}

TEST_F(client_test, next_deadline_is_empty_while_disconnected)
{
    EXPECT_FALSE(c.next_deadline());
    c.subscribe(chat::topic("lobby"));
    EXPECT_FALSE(c.next_deadline());
    c.opened(t0);
    EXPECT_EQ(c.next_deadline(), t0 + 10s);
    c.closed(t0 + 1s);
    EXPECT_FALSE(c.next_deadline());
}

} // namespace
