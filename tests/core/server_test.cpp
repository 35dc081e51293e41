//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/server.hpp>

#include "chat_app.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_to.hpp>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

using namespace chat_app;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// What one connection was sent, parsed back into JSON for assertions.
struct outbox
{
    std::vector<json::array> frames;
    std::optional<sock8::close_code> closed;

    // The frames whose event is `event`.
    std::vector<json::array> events(std::string_view event) const
    {
        std::vector<json::array> out;
        for (auto const& f : frames)
            if (f[3].as_string() == event)
                out.push_back(f);
        return out;
    }
};

class server_test : public ::testing::Test
{
protected:
    explicit server_test(sock8::server_options options = {})
        : server(options)
    {
        server.on_connect([this](sock8::authorization<app>& auth) {
            auto const name = auth.request().query_value("name");
            if (name.empty())
                return;
            auth.identify_as("user:" + std::string(name));
            if (auth.request().query_value("room") == "only-lobby")
                auth.grant(room::topic("lobby"));
            else
                auth.grant<room>();
        });
        server.on_log([this](sock8::log_level, std::string_view line) {
            log.emplace_back(line);
        });
    }

    sock8::connection_id connect(std::string name,
                                 std::string grants = "all")
    {
        sock8::connect_request r;
        r.query = {{"name", std::move(name)}, {"room", std::move(grants)}};
        return server.open(r, now).value();
    }

    // Feeds one frame and collects what every connection was sent.
    void send(sock8::connection_id id, std::string_view text)
    {
        server.receive(id, text, now);
        collect();
    }

    void collect()
    {
        std::vector<sock8::action> actions;
        server.take_actions(actions);
        for (auto const& a : actions) {
            auto& box = sent[a.connection];
            if (a.what == sock8::action::kind::close) {
                box.closed = a.code;
                continue;
            }
            frame_bytes[a.connection].push_back(a.frame.get());
            box.frames.push_back(json::parse(*a.frame).as_array());
        }
    }

    void pass(std::chrono::milliseconds d)
    {
        now += d;
        server.advance(now);
        collect();
    }

    void join(sock8::connection_id id, std::string const& join_ref,
              std::string_view topic = "chat.lobby.messages",
              std::string_view payload = "{}")
    {
        send(id, "[\"" + join_ref + "\",\"" + join_ref + "\",\"" +
                     std::string(topic) + "\",\"phx_join\"," +
                     std::string(payload) + "]");
    }

    json::array last(sock8::connection_id id)
    {
        EXPECT_FALSE(sent[id].frames.empty());
        return sent[id].frames.empty() ? json::array()
                                       : sent[id].frames.back();
    }

    // The roster a phoenix client would build from everything sent to
    // `id`: key -> refs, applying states and diffs in order.
    std::map<std::string, std::set<std::string>> view_of(
        sock8::connection_id id)
    {
        std::map<std::string, std::set<std::string>> view;
        for (auto const& f : sent[id].frames) {
            auto const event = f[3].as_string();
            auto const& payload = f[4].as_object();
            if (event == "presence_state") {
                view.clear();
                for (auto const& [key, v] : payload)
                    for (auto const& meta : v.at("metas").as_array())
                        view[key].insert(
                            json::value_to<std::string>(meta.at("phx_ref")));
            } else if (event == "presence_diff") {
                for (auto const& [key, v] : payload.at("joins").as_object())
                    for (auto const& meta : v.at("metas").as_array())
                        view[key].insert(
                            json::value_to<std::string>(meta.at("phx_ref")));
                for (auto const& [key, v] : payload.at("leaves").as_object()) {
                    for (auto const& meta : v.at("metas").as_array())
                        view[key].erase(
                            json::value_to<std::string>(meta.at("phx_ref")));
                    if (view[key].empty())
                        view.erase(key);
                }
            }
        }
        return view;
    }

    static std::string reason(json::array const& reply)
    {
        return json::value_to<std::string>(
            reply[4].at("response").at("reason"));
    }

    static std::string status(json::array const& reply)
    {
        return json::value_to<std::string>(reply[4].at("status"));
    }

    sock8::time_point now = sock8::time_point(1h);
    sock8::server<app> server;
    std::map<sock8::connection_id, outbox> sent;
    std::map<sock8::connection_id, std::vector<std::string const*>>
        frame_bytes;
    std::vector<std::string> log;
};

} // namespace

// --- connecting -------------------------------------------------------------

TEST_F(server_test, refuses_a_connection_the_hook_does_not_identify)
{
    sock8::connect_request r;
    auto const opened = server.open(r, now);
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error(), sock8::error::unauthorized);
    ASSERT_FALSE(log.empty());
    EXPECT_NE(log.back().find("identified no one"), std::string::npos);
}

TEST_F(server_test, refuses_everything_without_a_connect_hook)
{
    sock8::server<app> bare;
    sock8::connect_request r;
    r.query = {{"name", "ada"}};
    EXPECT_EQ(bare.open(r, now).error(), sock8::error::unauthorized);
}

TEST(server_authorization, refusal_reason_reaches_the_log)
{
    sock8::server<app> s;
    std::string line;
    s.on_log([&](sock8::log_level, std::string_view l) { line = l; });
    s.on_connect([](sock8::authorization<app>& auth) {
        auth.identify_as("user:x");
        auth.grant<room>();
        auth.refuse("banned");
    });
    EXPECT_FALSE(s.open({}, sock8::time_point{}));
    EXPECT_NE(line.find("banned"), std::string::npos);
}

// --- joining ----------------------------------------------------------------

TEST_F(server_test, join_replies_ok_then_sends_a_snapshot_with_the_joiner)
{
    auto const ada = connect("ada");
    join(ada, "1", "chat.lobby.messages", R"({"presence":{"typing":true}})");

    auto const& frames = sent[ada].frames;
    ASSERT_GE(frames.size(), 2u);
    EXPECT_EQ(frames[0][3].as_string(), "phx_reply");
    EXPECT_EQ(frames[0][0].as_string(), "1");
    EXPECT_EQ(frames[0][1].as_string(), "1");
    EXPECT_EQ(status(frames[0]), "ok");
    EXPECT_EQ(frames[0][4].at("response").at("key").as_string(), "user:ada");

    EXPECT_EQ(frames[1][3].as_string(), "presence_state");
    EXPECT_EQ(frames[1][0].as_string(), "1"); // stamped with the join ref
    EXPECT_TRUE(frames[1][1].is_null());
    auto const& metas =
        frames[1][4].at("user:ada").at("metas").as_array();
    ASSERT_EQ(metas.size(), 1u);
    EXPECT_EQ(metas[0].at("typing"), true);
    EXPECT_EQ(metas[0].at("phx_ref"), frames[0][4].at("response").at("ref"));
}

TEST_F(server_test, an_unknown_topic_is_unmatched_with_a_null_join_ref)
{
    auto const ada = connect("ada");
    join(ada, "1", "no.such.topic");
    auto const reply = last(ada);
    EXPECT_TRUE(reply[0].is_null());
    EXPECT_EQ(reply[1].as_string(), "1");
    EXPECT_EQ(reason(reply), "unmatched topic");
}

TEST_F(server_test, a_bad_parameter_value_is_refused_with_its_reason)
{
    auto const ada = connect("ada");
    join(ada, "1", "chat.lo$by.messages");
    auto const reply = last(ada);
    EXPECT_EQ(status(reply), "error");
    EXPECT_NE(reason(reply).find("not allowed"), std::string::npos)
        << reason(reply);
}

TEST_F(server_test, a_channel_not_granted_is_unauthorized)
{
    auto const ada = connect("ada");
    join(ada, "1", "admin.logs");
    EXPECT_EQ(reason(last(ada)), "unauthorized");
    EXPECT_EQ(server.subscriber_count(logs::topic()), 0u);
}

TEST_F(server_test, an_exact_grant_allows_that_topic_only)
{
    auto const ada = connect("ada", "only-lobby");
    join(ada, "1", "chat.lobby.messages");
    EXPECT_EQ(status(sent[ada].frames[0]), "ok");
    join(ada, "2", "chat.kitchen.messages");
    EXPECT_EQ(reason(last(ada)), "unauthorized");
}

TEST_F(server_test, joining_the_same_topic_again_closes_the_old_instance)
{
    auto const ada = connect("ada");
    join(ada, "1");
    sent[ada].frames.clear();
    join(ada, "5");

    auto const& frames = sent[ada].frames;
    ASSERT_FALSE(frames.empty());
    EXPECT_EQ(frames[0][3].as_string(), "phx_close");
    EXPECT_EQ(frames[0][0].as_string(), "1");
    EXPECT_EQ(frames[1][3].as_string(), "phx_reply");
    EXPECT_EQ(frames[1][0].as_string(), "5");

    // Still one record: the old one left, the new one joined.
    auto const r = server.roster_of(room::topic("lobby"));
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r.at("user:ada").size(), 1u);
    EXPECT_EQ(view_of(ada).at("user:ada").size(), 1u);
}

TEST_F(server_test, an_invalid_initial_presence_refuses_the_join)
{
    auto const ada = connect("ada");
    join(ada, "1", "chat.lobby.messages",
         R"({"presence":{"cursor":{"x":2,"y":0}}})");
    auto const reply = last(ada);
    EXPECT_EQ(reason(reply), "invalid presence");
    EXPECT_EQ(reply[4].at("response").at("errors").at(0).at("path"),
              "/cursor/x");
    EXPECT_EQ(server.subscriber_count(room::topic("lobby")), 0u);
}

// --- presence ---------------------------------------------------------------

TEST_F(server_test, others_see_a_join_in_a_diff)
{
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "1");
    join(bob, "1");

    auto const diffs = sent[ada].events("presence_diff");
    ASSERT_FALSE(diffs.empty());
    EXPECT_TRUE(diffs.back()[4].at("joins").as_object().contains("user:bob"));
    EXPECT_TRUE(diffs.back()[0].is_null()); // a broadcast
    EXPECT_EQ(view_of(ada), view_of(bob));
    EXPECT_EQ(view_of(ada).size(), 2u);
}

TEST_F(server_test, an_update_retires_the_old_ref_in_the_same_diff)
{
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "1");
    join(bob, "1");
    auto const old_ref =
        json::value_to<std::string>(sent[ada].frames[0][4].at("response")
                                        .at("ref"));

    send(ada, R"(["1","2","chat.lobby.messages","presence",{"typing":true}])");

    auto const reply = sent[ada].events("phx_reply").back();
    EXPECT_EQ(status(reply), "ok");
    auto const new_ref =
        json::value_to<std::string>(reply[4].at("response").at("ref"));
    EXPECT_NE(new_ref, old_ref);

    auto const diff = sent[bob].events("presence_diff").back()[4];
    auto const& joined = diff.at("joins").at("user:ada").at("metas").at(0);
    auto const& left = diff.at("leaves").at("user:ada").at("metas").at(0);
    EXPECT_EQ(joined.at("phx_ref"), new_ref.c_str());
    EXPECT_EQ(joined.at("phx_ref_prev"), old_ref.c_str());
    EXPECT_EQ(joined.at("typing"), true);
    EXPECT_EQ(left.at("phx_ref"), old_ref.c_str());
    EXPECT_EQ(left.at("typing"), false); // the full old meta
    EXPECT_EQ(view_of(bob).at("user:ada"), std::set{new_ref});
}

TEST_F(server_test, a_partial_update_merges_member_by_member)
{
    auto const ada = connect("ada");
    join(ada, "1", "chat.lobby.messages", R"({"presence":{"typing":true}})");
    send(ada, R"(["1","2","chat.lobby.messages","presence",
                 {"cursor":{"x":0.25,"y":0.5}}])");

    auto const r = server.roster_of(room::topic("lobby"));
    auto const& rec = r.at("user:ada").at(0).record;
    EXPECT_TRUE(rec.typing);
    ASSERT_TRUE(rec.cursor);
    EXPECT_EQ(rec.cursor->x.value(), 0.25);

    send(ada, R"(["1","3","chat.lobby.messages","presence",{"cursor":null}])");
    EXPECT_FALSE(server.roster_of(room::topic("lobby"))
                     .at("user:ada")
                     .at(0)
                     .record.cursor);
}

TEST_F(server_test, an_invalid_update_names_the_field_and_changes_nothing)
{
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "1", "chat.lobby.messages", R"({"presence":{"typing":true}})");
    join(bob, "1");
    auto const diffs_before = sent[bob].events("presence_diff").size();

    send(ada, R"(["1","2","chat.lobby.messages","presence",
                 {"typing":false,"cursor":{"x":"left","y":0}}])");

    auto const reply = sent[ada].events("phx_reply").back();
    EXPECT_EQ(reason(reply), "invalid presence");
    auto const& err = reply[4].at("response").at("errors").at(0);
    EXPECT_EQ(err.at("path"), "/cursor/x");
    EXPECT_EQ(err.at("expected"), "a number");
    EXPECT_EQ(err.at("found"), "a string");

    // Nothing stored, nothing sent, and the connection carries on.
    auto const r = server.roster_of(room::topic("lobby"));
    EXPECT_TRUE(r.at("user:ada").at(0).record.typing);
    EXPECT_EQ(sent[bob].events("presence_diff").size(), diffs_before);
    EXPECT_FALSE(sent[ada].closed);
    send(ada, R"(["1","3","chat.lobby.messages","presence",{"typing":false}])");
    EXPECT_EQ(status(sent[ada].events("phx_reply").back()), "ok");
}

TEST_F(server_test, one_identity_on_three_connections_is_one_key)
{
    auto const tab1 = connect("ada");
    auto const tab2 = connect("ada");
    auto const tab3 = connect("ada");
    auto const bob = connect("bob");
    for (auto id : {tab1, tab2, tab3, bob})
        join(id, "1");

    EXPECT_EQ(view_of(bob).at("user:ada").size(), 3u);
    EXPECT_EQ(server.roster_of(room::topic("lobby")).at("user:ada").size(),
              3u);

    server.closed(tab1, now);
    collect();
    EXPECT_EQ(view_of(bob).at("user:ada").size(), 2u);
    server.closed(tab2, now);
    collect();
    EXPECT_EQ(view_of(bob).at("user:ada").size(), 1u);
    server.closed(tab3, now);
    collect();
    EXPECT_EQ(view_of(bob).count("user:ada"), 0u);

    // No key is ever sent with no metas.
    for (auto const& d : sent[bob].events("presence_diff"))
        for (auto const* part : {"joins", "leaves"})
            for (auto const& [key, v] : d[4].at(part).as_object())
                EXPECT_FALSE(v.at("metas").as_array().empty()) << key;
}

TEST_F(server_test, an_abrupt_close_is_a_leave_for_everyone)
{
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    auto const cat = connect("cat");
    for (auto id : {ada, bob, cat})
        join(id, "1");
    server.closed(bob, now);
    collect();
    EXPECT_EQ(view_of(ada).count("user:bob"), 0u);
    EXPECT_EQ(view_of(cat).count("user:bob"), 0u);
    EXPECT_EQ(server.roster_of(room::topic("lobby")).count("user:bob"), 0u);
}

TEST_F(server_test, a_leave_replies_closes_and_removes_the_record)
{
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "1");
    join(bob, "1");
    send(ada, R"(["1","7","chat.lobby.messages","phx_leave",{}])");

    auto const& frames = sent[ada].frames;
    auto const reply = frames[frames.size() - 2];
    EXPECT_EQ(reply[3].as_string(), "phx_reply");
    EXPECT_EQ(reply[1].as_string(), "7");
    EXPECT_EQ(frames.back()[3].as_string(), "phx_close");
    EXPECT_EQ(view_of(bob).count("user:ada"), 0u);

    // A push to the topic now is refused: it is no longer joined.
    send(ada, R"(["1","8","chat.lobby.messages","presence",{}])");
    EXPECT_EQ(reason(last(ada)), "topic is not joined");
}

TEST_F(server_test, frames_with_a_stale_join_ref_change_nothing)
{
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "1");
    join(ada, "3"); // rejoin: "1" is stale now
    join(bob, "1");
    auto const before = sent[bob].frames.size();

    send(ada, R"(["1","4","chat.lobby.messages","presence",{"typing":true}])");
    send(ada, R"(["1","5","chat.lobby.messages","phx_leave",{}])");

    EXPECT_EQ(sent[bob].frames.size(), before);
    auto const r = server.roster_of(room::topic("lobby"));
    EXPECT_FALSE(r.at("user:ada").at(0).record.typing);
    EXPECT_EQ(server.subscriber_count(room::topic("lobby")), 2u);
}

TEST_F(server_test, a_leave_between_snapshot_and_first_diff_reaches_the_joiner)
{
    // With a window, the joiner's snapshot goes out at once and the
    // leave waits for the next diff: the joiner must still get it.
    sock8::server_options o;
    o.presence_window = 50ms;
    sock8::server<app> s(o);
    s.on_connect([](sock8::authorization<app>& auth) {
        auth.identify_as(std::string(auth.request().query_value("name")));
        auth.grant<room>();
    });
    sock8::connect_request ra, rb;
    ra.query = {{"name", "ada"}};
    rb.query = {{"name", "bob"}};
    auto const ada = s.open(ra, now).value();
    auto const bob = s.open(rb, now).value();
    std::vector<sock8::action> out;
    s.receive(ada, R"(["1","1","chat.lobby.messages","phx_join",{}])", now);
    s.advance(now += 60ms);
    s.receive(bob, R"(["1","1","chat.lobby.messages","phx_join",{}])", now);
    s.take_actions(out);
    s.closed(ada, now);
    s.advance(now += 60ms);
    s.take_actions(out);

    bool saw_leave = false;
    for (auto const& a : out) {
        if (a.connection != bob || !a.frame)
            continue;
        auto const f = json::parse(*a.frame).as_array();
        if (f[3].as_string() == "presence_diff" &&
            f[4].at("leaves").as_object().contains("ada"))
            saw_leave = true;
    }
    EXPECT_TRUE(saw_leave);
}

// --- what clients may not do --------------------------------------------------

TEST_F(server_test, a_client_cannot_emit)
{
    auto const ada = connect("ada");
    join(ada, "1");
    send(ada, R"(["1","2","chat.lobby.messages","message",
                 {"sender":"ada","text":"hi"}])");
    EXPECT_EQ(reason(last(ada)),
              "clients cannot emit messages; only the server emits");
    EXPECT_EQ(sent[ada].events("message").size(), 0u);
}

TEST_F(server_test, malformed_frames_are_answered_and_the_connection_stays)
{
    auto const ada = connect("ada");
    join(ada, "1");
    struct bad
    {
        std::string_view text;
        std::string_view reason;
    };
    for (auto const& [text, why] : std::initializer_list<bad>{
             {"not json", "frame is not valid JSON"},
             {R"(["1","2","chat.lobby.messages","presence"])",
              "frame is not [join_ref, ref, topic, event, payload]"},
             {R"(["1","2","chat.lobby.messages",7,{}])",
              "frame is not [join_ref, ref, topic, event, payload]"},
             {R"(["1","2","chat.lobby.messages","presence",[]])",
              "frame is not [join_ref, ref, topic, event, payload]"},
             {R"({"topic":"x"})",
              "frame is not [join_ref, ref, topic, event, payload]"},
             {R"(["1","2","chat.lobby.messages","dance",{}])",
              "unknown event"},
             {R"([null,"2","phoenix","dance",{}])", "unknown event"},
         }) {
        send(ada, text);
        EXPECT_EQ(reason(last(ada)), why) << text;
        EXPECT_FALSE(sent[ada].closed);
    }

    // The reply to a broken frame still carries the refs it could read.
    send(ada, R"(["1","9","chat.lobby.messages","presence",{]])");
    EXPECT_EQ(last(ada)[1].as_string(), "9");

    send(ada, R"([null,"10","phoenix","heartbeat",{}])");
    EXPECT_EQ(status(last(ada)), "ok");
}

TEST_F(server_test, presence_on_a_channel_without_presence_is_refused)
{
    server.on_connect([](sock8::authorization<app>& auth) {
        auth.identify_as("user:root");
        auth.grant<logs>();
    });
    sock8::connect_request r;
    auto const root = server.open(r, now).value();
    join(root, "1", "admin.logs");
    EXPECT_EQ(status(last(root)), "ok");
    send(root, R"(["1","2","admin.logs","presence",{"typing":true}])");
    EXPECT_EQ(reason(last(root)), "channel has no presence schema");
}

// --- emit ---------------------------------------------------------------------

TEST_F(server_test, emit_serializes_once_for_every_subscriber)
{
    std::vector<sock8::connection_id> ids;
    for (int i = 0; i < 5; ++i) {
        ids.push_back(connect("u" + std::to_string(i)));
        join(ids.back(), "1");
    }
    auto const other = connect("z");
    join(other, "1", "chat.kitchen.messages");
    frame_bytes.clear();

    message m;
    m.sender = std::string("ada");
    m.text = std::string("hello");
    EXPECT_EQ(server.emit(room::topic("lobby"), m), 5u);
    collect();

    std::set<std::string const*> buffers;
    for (auto id : ids) {
        auto const msgs = sent[id].events("message");
        ASSERT_EQ(msgs.size(), 1u);
        EXPECT_TRUE(msgs[0][0].is_null());
        EXPECT_EQ(msgs[0][4].at("text"), "hello");
        buffers.insert(frame_bytes[id].back());
    }
    EXPECT_EQ(buffers.size(), 1u); // one buffer shared by all
    EXPECT_TRUE(sent[other].events("message").empty());
}

TEST_F(server_test, emit_checks_constraints_and_sends_nothing_on_failure)
{
    auto const ada = connect("ada");
    join(ada, "1");
    message m;
    m.sender = std::string("");
    m.text = std::string("hi");
    EXPECT_THROW(server.emit(room::topic("lobby"), m),
                 sock8::validation_exception);
    auto const r = server.try_emit(room::topic("lobby"), m);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().errors.at(0).path, "/sender");
    collect();
    EXPECT_TRUE(sent[ada].events("message").empty());
}

// --- limits -------------------------------------------------------------------

class server_limits_test : public server_test
{
protected:
    static sock8::server_options limits()
    {
        sock8::server_options o;
        o.max_channels_per_connection = 2;
        o.max_members_per_topic = 2;
        o.max_presence_bytes = 40;
        o.max_frame_bytes = 200;
        return o;
    }

    server_limits_test() : server_test(limits()) {}
};

TEST_F(server_limits_test, channels_per_connection)
{
    auto const ada = connect("ada");
    join(ada, "1", "chat.a.messages");
    join(ada, "2", "chat.b.messages");
    join(ada, "3", "chat.c.messages");
    EXPECT_EQ(reason(last(ada)), "too many channels joined");
}

TEST_F(server_limits_test, members_per_topic)
{
    for (auto name : {"a", "b"})
        join(connect(name), "1");
    auto const c = connect("c");
    join(c, "1");
    EXPECT_EQ(reason(last(c)), "too many members in channel");
}

TEST_F(server_limits_test, presence_record_size)
{
    auto const ada = connect("ada");
    join(ada, "1");
    send(ada, R"(["1","2","chat.lobby.messages","presence",
                 {"typing":true,"cursor":{"x":0.123456789,"y":0.123456789}}])");
    EXPECT_EQ(reason(last(ada)), "presence record is too large");
}

TEST_F(server_limits_test, frame_size)
{
    auto const ada = connect("ada");
    join(ada, "1");
    std::string big = R"(["1","2","chat.lobby.messages","presence",{"x":")";
    big += std::string(300, 'a');
    big += "\"}]";
    send(ada, big);
    EXPECT_EQ(reason(last(ada)), "frame is too large");
    EXPECT_FALSE(sent[ada].closed);
}

// --- coalescing and rate ----------------------------------------------------

class server_window_test : public server_test
{
protected:
    static sock8::server_options windowed()
    {
        sock8::server_options o;
        o.presence_window = 50ms;
        o.max_presence_updates_per_second = 1000;
        return o;
    }

    server_window_test() : server_test(windowed()) {}
};

TEST_F(server_window_test, updates_in_one_window_go_out_as_one_diff)
{
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "1");
    join(bob, "1");
    pass(60ms);
    auto const before = sent[bob].events("presence_diff").size();

    for (int i = 1; i <= 9; ++i)
        send(ada, R"(["1",")" + std::to_string(i + 1) +
                      R"(","chat.lobby.messages","presence",
                      {"cursor":{"x":0.)" + std::to_string(i) +
                      R"(,"y":0}}])");
    EXPECT_EQ(sent[bob].events("presence_diff").size(), before);

    pass(60ms);
    auto const diffs = sent[bob].events("presence_diff");
    ASSERT_EQ(diffs.size(), before + 1);
    auto const& metas =
        diffs.back()[4].at("joins").at("user:ada").at("metas").as_array();
    ASSERT_EQ(metas.size(), 1u);
    EXPECT_EQ(metas[0].at("cursor").at("x"), 0.9); // the latest wins
    EXPECT_EQ(view_of(bob).at("user:ada").size(), 1u);
}

// Naive: the joiner's snapshot lists a record whose join still waits in
// the window's diff; coalescing then folds that join into the next
// version (or cancels it with a leave), and the joiner keeps the old ref.
TEST_F(server_window_test, a_record_joined_inside_the_window_leaves_no_ghost)
{
    auto const ivan = connect("ivan");
    join(ivan, "1");
    auto const judy = connect("judy"); // in the window of ivan's join
    join(judy, "1");
    send(ivan, R"(["1","2","chat.lobby.messages","presence",
                   {"typing":true}])");
    pass(60ms);
    ASSERT_EQ(view_of(judy).count("user:ivan"), 1u);
    EXPECT_EQ(view_of(judy).at("user:ivan").size(), 1u)
        << "one meta for ivan's one connection";

    auto const kim = connect("kim");
    join(kim, "1");
    auto const leo = connect("leo"); // in the window of kim's join
    join(leo, "1");
    server.closed(kim, now);
    collect();
    pass(60ms);
    EXPECT_EQ(view_of(leo).count("user:kim"), 0u) << "kim left";
    EXPECT_EQ(view_of(judy).count("user:kim"), 0u);
}

TEST_F(server_test, updates_beyond_the_rate_are_merged_not_refused)
{
    // Default rate is 50 per second; 200 updates in one instant.
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "1");
    join(bob, "1");
    for (int i = 0; i < 200; ++i)
        send(ada, R"(["1","r)" + std::to_string(i) +
                      R"(","chat.lobby.messages","presence",
                      {"typing":)" + (i % 2 ? "true" : "false") + "}]");

    for (auto const& r : sent[ada].events("phx_reply"))
        EXPECT_EQ(status(r), "ok");
    auto const published = sent[bob].events("presence_diff").size();
    EXPECT_LT(published, 60u);

    // The last version is published once the rate allows.
    pass(1000ms);
    auto const diff = sent[bob].events("presence_diff").back();
    EXPECT_EQ(diff[4].at("joins").at("user:ada").at("metas").at(0).at(
                  "typing"),
              true);
    EXPECT_TRUE(
        server.roster_of(room::topic("lobby")).at("user:ada").at(0).record
            .typing);
}

// A topic held back by the rate limit waits up to 1 / rate; topics
// scheduled after it must still flush after one window.
class server_slow_rate_test : public server_test
{
protected:
    static sock8::server_options slow()
    {
        sock8::server_options o;
        o.presence_window = 5ms;
        o.max_presence_updates_per_second = 1;
        return o;
    }

    server_slow_rate_test() : server_test(slow()) {}
};

TEST_F(server_slow_rate_test, a_held_topic_does_not_delay_other_topics)
{
    // ada's bucket holds one token: her first update spends it, her
    // second waits a second.
    auto const ada = connect("ada");
    join(ada, "1", "chat.a.messages");
    pass(10ms);
    send(ada, R"(["1","2","chat.a.messages","presence",{"typing":true}])");
    pass(10ms);
    send(ada, R"(["1","3","chat.a.messages","presence",{"typing":false}])");
    pass(10ms);

    auto const cat = connect("cat");
    join(cat, "1", "chat.b.messages");
    join(connect("bob"), "1", "chat.b.messages");
    ASSERT_TRUE(server.next_deadline());
    EXPECT_LE(*server.next_deadline(), now + 5ms);
    pass(10ms);
    EXPECT_EQ(view_of(cat).count("user:bob"), 1u)
        << "bob's join waited for ada's held update in another topic";
}

// --- liveness ---------------------------------------------------------------

TEST_F(server_test, a_silent_connection_is_closed_and_leaves)
{
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "1");
    join(bob, "1");
    for (int i = 0; i < 8; ++i) {
        pass(10s);
        send(bob, R"([null,"h","phoenix","heartbeat",{}])");
    }
    EXPECT_EQ(sent[ada].closed, sock8::close_code::policy_violation);
    EXPECT_FALSE(sent[bob].closed);
    EXPECT_EQ(view_of(bob).count("user:ada"), 0u);
    ASSERT_TRUE(server.next_deadline());
}

TEST_F(server_test, stop_closes_everyone_with_going_away)
{
    auto const ada = connect("ada");
    join(ada, "1");
    server.stop(now);
    collect();
    EXPECT_EQ(sent[ada].closed, sock8::close_code::going_away);
    EXPECT_TRUE(sent[ada].events("phx_close").empty()); // clients rejoin
    EXPECT_EQ(server.subscriber_count(room::topic("lobby")), 0u);
    sock8::connect_request r;
    r.query = {{"name", "bob"}};
    EXPECT_EQ(server.open(r, now).error(), sock8::error::server_stopped);
}

TEST_F(server_test, close_topic_sends_phx_close_and_clears_presence)
{
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "4");
    join(bob, "1");
    join(bob, "2", "chat.kitchen.messages");
    server.close_topic(room::topic("lobby"));
    collect();
    auto const closes = sent[ada].events("phx_close");
    ASSERT_EQ(closes.size(), 1u);
    EXPECT_EQ(closes[0][0].as_string(), "4");
    EXPECT_EQ(server.subscriber_count(room::topic("lobby")), 0u);
    EXPECT_EQ(server.subscriber_count(room::topic("kitchen")), 1u);
}

TEST_F(server_test, a_congested_reader_gets_the_state_not_the_backlog)
{
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "1");
    join(bob, "1");
    server.congested(bob, true, now);
    auto const before = sent[bob].frames.size();
    for (int i = 0; i < 10; ++i)
        send(ada, R"(["1","x","chat.lobby.messages","presence",
                     {"typing":true}])");
    pass(1s);
    EXPECT_EQ(sent[bob].frames.size(), before);

    server.congested(bob, false, now);
    collect();
    ASSERT_GT(sent[bob].frames.size(), before);
    EXPECT_EQ(sent[bob].frames.back()[3].as_string(), "presence_state");
    EXPECT_EQ(view_of(bob), view_of(ada));
}

TEST_F(server_test, hooks_see_every_join_and_every_leave_with_its_reason)
{
    std::vector<std::string> events;
    server.on_join<room>([&](sock8::topic<room> const& t,
                             sock8::member_info const& m) {
        events.push_back("join " + t.str() + " " + std::string(m.identity));
    });
    server.on_leave<room>([&](sock8::topic<room> const&,
                              sock8::member_info const& m,
                              sock8::leave_reason why) {
        events.push_back("leave " + std::string(m.identity) + " " +
                         std::string(sock8::to_string(why)));
    });
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "1");
    join(bob, "1");
    join(bob, "2");
    send(ada, R"(["1","3","chat.lobby.messages","phx_leave",{}])");
    server.closed(bob, now);
    EXPECT_EQ(events, (std::vector<std::string>{
                          "join chat.lobby.messages user:ada",
                          "join chat.lobby.messages user:bob",
                          "leave user:bob rejoined",
                          "join chat.lobby.messages user:bob",
                          "leave user:ada left",
                          "leave user:bob closed",
                      }));
}

TEST_F(server_test, a_thousand_members_join_update_and_leave)
{
    std::vector<sock8::connection_id> ids;
    for (int i = 0; i < 1000; ++i) {
        ids.push_back(connect("m" + std::to_string(i)));
        server.receive(ids.back(),
                       R"(["1","1","chat.lobby.messages","phx_join",{}])",
                       now);
    }
    std::vector<sock8::action> drain;
    server.take_actions(drain);
    for (auto id : ids)
        server.receive(id,
                       R"(["1","2","chat.lobby.messages","presence",
                          {"typing":true}])",
                       now);
    server.take_actions(drain);
    EXPECT_EQ(server.roster_of(room::topic("lobby")).size(), 1000u);

    // Half leave, half drop.
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i % 2)
            server.receive(ids[i],
                           R"(["1","3","chat.lobby.messages","phx_leave",{}])",
                           now);
        else
            server.closed(ids[i], now);
    }
    server.take_actions(drain);
    EXPECT_TRUE(server.roster_of(room::topic("lobby")).empty());
    EXPECT_EQ(server.subscriber_count(room::topic("lobby")), 0u);
}

// Found by a newcomer: an update that changes nothing (a field the schema
// drops, the same cursor again) was broadcast as a new version.
TEST_F(server_test, an_update_that_changes_nothing_publishes_nothing)
{
    auto const ada = connect("ada");
    auto const bob = connect("bob");
    join(ada, "1");
    join(bob, "1");
    auto const ref = json::value_to<std::string>(
        sent[ada].frames[0][4].at("response").at("ref"));
    auto const diffs = sent[bob].events("presence_diff").size();

    send(ada, R"(["1","2","chat.lobby.messages","presence",
                 {"typing":false,"unknown":1}])");
    auto const reply = sent[ada].events("phx_reply").back();
    EXPECT_EQ(status(reply), "ok");
    EXPECT_EQ(reply[4].at("response").at("ref"), ref.c_str());
    EXPECT_EQ(sent[bob].events("presence_diff").size(), diffs);
}
