//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/in_process.hpp>

#include "../core/chat_app.hpp"

#include <sock8/client.hpp>
#include <sock8/server.hpp>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

// The presence scenarios of a real deployment, replayed with the real
// server and real clients over the in-process transport. Each would fail
// on a naive implementation (noted per test).

using namespace chat_app;
using namespace std::chrono_literals;

namespace {

// identity -> how many entries, as one side sees a topic.
using census = std::map<std::string, std::size_t>;

template <class Roster>
census count(Roster const& r)
{
    census out;
    for (auto const& [key, entries] : r)
        out[key] = entries.size();
    return out;
}

struct member
{
    explicit member(std::string name)
        : client(make_options(std::move(name)))
    {
    }

    static sock8::client_options make_options(std::string name)
    {
        sock8::client_options o;
        o.params = {{"name", std::move(name)}};
        return o;
    }

    void join(std::string const& room_id = "lobby")
    {
        sub = &client.subscribe(room::topic(room_id));
        auto& p = sub->presence();
        p.on_join([this](std::string const& key, auto const&) {
            events.push_back("join " + key);
        });
        p.on_leave([this](std::string const& key, auto const&) {
            events.push_back("leave " + key);
        });
        p.on_update([this](std::string const& key, auto const&,
                           auto const&) { events.push_back("update " + key); });
    }

    census view() const { return count(sub->presence().roster()); }

    sock8::client<app> client;
    sock8::subscription<room>* sub = nullptr;
    std::vector<std::string> events;
    sock8::in_process::link_id link = 0;
};

class in_process_test : public ::testing::Test
{
protected:
    explicit in_process_test(sock8::server_options options = {})
        : server(options), hub(server)
    {
        server.on_connect([](sock8::authorization<app>& auth) {
            auth.identify_as(std::string(auth.request().query_value("name")));
            auth.grant<room>();
        });
    }

    member& add(std::string name, bool join = true)
    {
        auto& m = *members.emplace_back(std::make_unique<member>(name));
        m.link = hub.connect(m.client).value();
        if (join) {
            m.join();
            hub.run();
        }
        return m;
    }

    census server_view()
    {
        return count(server.roster_of(room::topic("lobby")));
    }

    // Every connected member sees exactly what the server holds.
    void expect_consistent()
    {
        auto const truth = server_view();
        for (auto const& m : members) {
            if (hub.connected(m->link) && m->sub) {
                EXPECT_EQ(m->view(), truth)
                    << "member " << m->client.options().params[0].second;
            }
        }
    }

    sock8::server<app> server;
    sock8::in_process::hub<sock8::server<app>> hub;
    std::vector<std::unique_ptr<member>> members;
};

} // namespace

// Naive: presence removed only on phx_leave.
TEST_F(in_process_test, a_member_dropped_abruptly_is_gone_for_everyone)
{
    auto& ada = add("ada");
    auto& bob = add("bob");
    auto& cat = add("cat");
    EXPECT_EQ(ada.view(), (census{{"ada", 1}, {"bob", 1}, {"cat", 1}}));

    hub.drop(bob.link);
    EXPECT_EQ(ada.view(), (census{{"ada", 1}, {"cat", 1}}));
    EXPECT_EQ(cat.view(), (census{{"ada", 1}, {"cat", 1}}));
    EXPECT_EQ(server_view(), (census{{"ada", 1}, {"cat", 1}}));
}

// Naive: records keyed by identity alone, so tabs overwrite each other
// and the first close removes the user.
TEST_F(in_process_test, one_identity_on_three_connections)
{
    auto& tab1 = add("ada");
    auto& tab2 = add("ada");
    auto& tab3 = add("ada");
    auto& bob = add("bob");
    EXPECT_EQ(bob.view(), (census{{"ada", 3}, {"bob", 1}}));
    EXPECT_EQ(tab1.sub->presence().others().at("ada").size(), 2u);

    hub.drop(tab1.link);
    EXPECT_EQ(bob.view(), (census{{"ada", 2}, {"bob", 1}}));
    tab2.client.unsubscribe(*tab2.sub);
    tab2.sub = nullptr;
    hub.run();
    EXPECT_EQ(bob.view(), (census{{"ada", 1}, {"bob", 1}}));
    hub.drop(tab3.link);
    EXPECT_EQ(bob.view(), (census{{"bob", 1}}));
    EXPECT_EQ(bob.events.back(), "leave ada");
}

// Naive: the update reuses the old ref, and the client, which applies
// joins before leaves, drops the new record.
TEST_F(in_process_test, an_update_has_a_new_ref_and_retires_the_old)
{
    auto& ada = add("ada");
    auto& bob = add("bob");
    auto const before = bob.sub->presence().roster().at("ada").at(0);

    presence p;
    p.typing = true;
    ada.sub->presence().update(p);
    hub.run();

    auto const& after = bob.sub->presence().roster().at("ada");
    ASSERT_EQ(after.size(), 1u);
    EXPECT_NE(after[0].ref, before.ref);
    EXPECT_TRUE(after[0].record.typing);
    EXPECT_EQ(bob.events.back(), "update ada");
    expect_consistent();
}

TEST_F(in_process_test, a_partial_update_reaches_others_merged)
{
    auto& ada = add("ada");
    auto& bob = add("bob");
    ada.sub->presence().set<&presence::typing>(true);
    hub.run();
    point c;
    c.x = 0.5;
    c.y = 0.25;
    ada.sub->presence().set<&presence::cursor>(c);
    hub.run();

    auto const& rec = bob.sub->presence().roster().at("ada").at(0).record;
    EXPECT_TRUE(rec.typing);
    ASSERT_TRUE(rec.cursor);
    EXPECT_EQ(rec.cursor->x.value(), 0.5);
}

// Naive: the joiner's view is built from diffs only.
TEST_F(in_process_test, a_joiner_gets_the_full_state_first)
{
    add("ada");
    add("bob");
    auto& cat = add("cat");
    EXPECT_EQ(cat.view(), (census{{"ada", 1}, {"bob", 1}, {"cat", 1}}));
}

// Messages: emitted once, decoded into the struct on every client.
TEST_F(in_process_test, emitted_messages_reach_every_subscriber_typed)
{
    auto& ada = add("ada");
    auto& bob = add("bob");
    std::vector<std::string> got;
    for (auto* m : {&ada, &bob})
        m->sub->on_message([&](message const& msg) {
            got.push_back(msg.sender.value() + ": " + msg.text.value());
        });

    message msg;
    msg.sender = std::string("server");
    msg.text = std::string("welcome");
    EXPECT_EQ(server.emit(room::topic("lobby"), msg), 2u);
    hub.run();
    EXPECT_EQ(got, (std::vector<std::string>{"server: welcome",
                                             "server: welcome"}));
}

// Naive: a reconnecting client keeps its stale roster, or forgets its own
// record.
TEST_F(in_process_test, a_rejoin_restores_own_record_and_reports_changes)
{
    auto& ada = add("ada");
    auto& bob = add("bob");
    add("cat");
    presence p;
    p.typing = true;
    ada.sub->presence().update(p);
    hub.run();

    hub.drop(ada.link);
    EXPECT_EQ(bob.view(), (census{{"bob", 1}, {"cat", 1}}));

    // While ada is away: cat leaves, dan arrives.
    hub.drop(members[2]->link);
    add("dan");
    ada.events.clear();

    ASSERT_TRUE(hub.reconnect(ada.link));
    EXPECT_EQ(ada.view(), (census{{"ada", 1}, {"bob", 1}, {"dan", 1}}));
    std::set<std::string> events(ada.events.begin(), ada.events.end());
    EXPECT_TRUE(events.count("leave cat")) << "cat's leave was reported";
    EXPECT_TRUE(events.count("join dan"));

    // Its own record came back with the rejoin.
    EXPECT_TRUE(server.roster_of(room::topic("lobby"))
                    .at("ada")
                    .at(0)
                    .record.typing);
    EXPECT_TRUE(bob.sub->presence().roster().at("ada").at(0).record.typing);
    expect_consistent();
}

// Held frames: one member sees others' frames late, then catches up.
TEST_F(in_process_test, paused_delivery_catches_up_in_order)
{
    auto& ada = add("ada");
    auto& bob = add("bob");
    hub.pause(bob.link);
    for (int i = 0; i < 5; ++i) {
        presence p;
        p.typing = i % 2 == 0;
        ada.sub->presence().update(p);
        hub.run();
    }
    EXPECT_FALSE(bob.sub->presence().roster().at("ada").at(0).record.typing);
    hub.resume(bob.link);
    EXPECT_TRUE(bob.sub->presence().roster().at("ada").at(0).record.typing);
    expect_consistent();
}

TEST_F(in_process_test, a_failed_send_breaks_that_link_only)
{
    auto& ada = add("ada");
    auto& bob = add("bob");
    auto& cat = add("cat");
    hub.fail_send(1); // the next delivery, whatever it is, fails
    presence p;
    p.typing = true;
    bob.sub->presence().update(p);
    hub.run();

    EXPECT_FALSE(hub.connected(bob.link)) << "the push from bob failed";
    EXPECT_TRUE(hub.connected(ada.link));
    EXPECT_EQ(ada.view(), (census{{"ada", 1}, {"cat", 1}}));
    EXPECT_EQ(cat.view(), (census{{"ada", 1}, {"cat", 1}}));
}

TEST(in_process_idle, a_connection_that_sends_nothing_is_closed_and_leaves)
{
    sock8::server_options o;
    o.idle_timeout = 5s;
    sock8::server<app> s(o);
    s.on_connect([](sock8::authorization<app>& auth) {
        auth.identify_as(std::string(auth.request().query_value("name")));
        auth.grant<room>();
    });
    sock8::in_process::hub<sock8::server<app>> h(s);

    // bob heartbeats every second; ada at the phoenix default of 30 s,
    // longer than this server's idle timeout.
    member ada("ada"), bob("bob");
    auto bob_options = member::make_options("bob");
    bob_options.heartbeat_interval = 1s;
    sock8::client<app> bob_client(bob_options);
    ada.link = h.connect(ada.client).value();
    auto const bob_link = h.connect(bob_client).value();
    ada.join();
    auto& bob_sub = bob_client.subscribe(room::topic("lobby"));
    h.run();
    EXPECT_EQ(count(s.roster_of(room::topic("lobby"))).size(), 2u);

    h.advance(10s);
    EXPECT_FALSE(h.connected(ada.link));
    EXPECT_TRUE(h.connected(bob_link));
    EXPECT_EQ(count(s.roster_of(room::topic("lobby"))),
              (census{{"bob", 1}}));
    EXPECT_EQ(count(bob_sub.presence().roster()), (census{{"bob", 1}}));
}

TEST_F(in_process_test, a_refused_join_is_reported_with_its_reason)
{
    auto& ada = add("ada", false);
    std::string reason;
    auto& sub = ada.client.subscribe(logs::topic());
    sub.on_error([&](sock8::subscription_error const& e) {
        reason = e.reason;
    });
    hub.run();
    EXPECT_EQ(reason, "unauthorized");
    EXPECT_EQ(sub.state(), sock8::subscription_state::refused);
}

// Naive: a leave sent in the window between a joiner's snapshot and the
// next diff is lost for the joiner.
class in_process_window_test : public in_process_test
{
protected:
    static sock8::server_options windowed()
    {
        sock8::server_options o;
        o.presence_window = 50ms;
        return o;
    }
    in_process_window_test() : in_process_test(windowed()) {}
};

TEST_F(in_process_window_test, a_leave_after_the_snapshot_reaches_the_joiner)
{
    auto& ada = add("ada");
    hub.advance(60ms);
    auto& bob = add("bob"); // snapshot holds ada
    EXPECT_EQ(bob.view().count("ada"), 1u);
    hub.drop(ada.link);     // before the next diff
    hub.advance(60ms);
    EXPECT_EQ(bob.view(), (census{{"bob", 1}}));
    expect_consistent();
}

TEST_F(in_process_window_test, a_thousand_members_join_update_and_leave)
{
    auto& observer = add("observer");
    for (int i = 0; i < 1000; ++i)
        add("m" + std::to_string(i));
    hub.advance(60ms);
    EXPECT_EQ(server_view().size(), 1001u);
    expect_consistent();

    for (std::size_t i = 1; i < members.size(); ++i) {
        presence p;
        p.typing = true;
        members[i]->sub->presence().update(p);
    }
    hub.advance(60ms);
    hub.advance(1s);
    for (auto const& [key, entries] : observer.sub->presence().roster())
        EXPECT_EQ(entries.at(0).record.typing, key != "observer") << key;
    expect_consistent();

    // Half leave, half drop: every path out must end in the same roster.
    for (std::size_t i = 1; i < members.size(); ++i) {
        if (i % 2)
            members[i]->client.unsubscribe(*members[i]->sub);
        else
            hub.drop(members[i]->link);
    }
    hub.advance(60ms);
    EXPECT_EQ(server_view(), (census{{"observer", 1}}));
    EXPECT_EQ(observer.view(), (census{{"observer", 1}}));
    for (std::size_t i = 1; i < members.size(); i += 2)
        EXPECT_TRUE(members[i]->sub->presence().roster().empty());

    observer.client.unsubscribe(*observer.sub);
    hub.advance(60ms);
    EXPECT_TRUE(server_view().empty());
    EXPECT_TRUE(observer.sub->presence().roster().empty());
    EXPECT_EQ(server.subscriber_count(room::topic("lobby")), 0u);
}

// Naive: a close from the server is performed at once on a delayed link,
// losing the frames sent before it that are still on their way.
TEST_F(in_process_test, a_close_on_a_delayed_link_comes_after_earlier_frames)
{
    auto& ada = add("ada");
    std::vector<std::string> got;
    ada.sub->on_message(
        [&](message const& m) { got.push_back(m.text.value()); });
    hub.delay(ada.link, 50ms);

    message msg;
    msg.sender = std::string("server");
    msg.text = std::string("closing now");
    server.emit(room::topic("lobby"), msg);
    server.stop(hub.now());
    hub.run();
    EXPECT_TRUE(hub.connected(ada.link)) << "the close is on its way too";

    hub.advance(100ms);
    EXPECT_EQ(got, (std::vector<std::string>{"closing now"}));
    EXPECT_FALSE(hub.connected(ada.link));
}

// Naive: the snapshot shows a member whose join is still in the pending
// diff; its leave in the same window cancels that join, and the joiner
// keeps a ghost.
TEST_F(in_process_window_test, a_join_and_leave_inside_one_window_leave_no_ghost)
{
    auto& ada = add("ada");
    hub.advance(60ms);
    auto& mia = add("mia"); // present at once, her diff still pending
    auto& bob = add("bob");
    mia.client.unsubscribe(*mia.sub);
    mia.sub = nullptr;
    hub.run();
    hub.advance(60ms);
    EXPECT_EQ(bob.view(), (census{{"ada", 1}, {"bob", 1}}));
    EXPECT_EQ(ada.view(), (census{{"ada", 1}, {"bob", 1}}));
    expect_consistent();
}

TEST_F(in_process_window_test, a_member_joining_inside_a_window_reaches_all)
{
    add("ada");
    hub.advance(60ms);
    add("mia");
    auto& bob = add("bob");
    hub.advance(60ms);
    EXPECT_EQ(bob.view(), (census{{"ada", 1}, {"bob", 1}, {"mia", 1}}));
    expect_consistent();
}

// Naive: the joiner's snapshot shows its first record, an update inside
// the same window cancels that record's join with its leave, and the
// joiner keeps its first record next to the new one.
TEST_F(in_process_window_test, a_joiner_updating_inside_its_window_has_one_record)
{
    add("ada");
    hub.advance(60ms);
    auto& bob = add("bob");
    presence p;
    p.typing = true;
    bob.sub->presence().update(p);
    hub.run();
    hub.advance(60ms);
    EXPECT_EQ(bob.view(), (census{{"ada", 1}, {"bob", 1}}));
    EXPECT_TRUE(bob.sub->presence().roster().at("bob").at(0).record.typing);
    expect_consistent();
}
