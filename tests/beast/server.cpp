//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#include <sock8/beast/server.hpp>

#include "test_support.hpp"

#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <future>

using namespace sock8_test;

namespace {

std::string const ws_target = "/socket/websocket?token=good&vsn=2.0.0";

sock8::beast::server_options quick_options()
{
    sock8::beast::server_options o;
    o.close_timeout = 500ms;
    o.handshake_timeout = 2s;
    return o;
}

} // namespace

TEST(beast_server, upgrades_and_echoes)
{
    test_server_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, core, quick_options());
    ASSERT_NE(server.port(), 0);

    ws_peer peer;
    ASSERT_FALSE(peer.connect(server.port(),
                              "/socket/websocket?vsn=2.0.0&name=a%20b+c"
                              "&token=good"));
    ASSERT_FALSE(peer.write("hello"));
    std::string echo;
    ASSERT_FALSE(peer.read(echo));
    EXPECT_EQ(echo, "hello");

    auto const r = core.last_request();
    EXPECT_EQ(r.path, "/socket/websocket");
    EXPECT_EQ(r.query_value("name"), "a b c");
    EXPECT_EQ(r.query_value("token"), "good");
    EXPECT_EQ(r.remote_address, "127.0.0.1");
    EXPECT_EQ(r.header("host"), "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(r.header("upgrade"), "websocket");
    EXPECT_TRUE(r.auth_token.empty());
}

TEST(beast_server, refusal_by_the_core_is_http_403)
{
    test_server_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, core, quick_options());

    ws_peer peer;
    auto ec = peer.connect(server.port(),
                           "/socket/websocket?token=bad&vsn=2.0.0");
    EXPECT_EQ(ec, bws::error::upgrade_declined);
    EXPECT_EQ(peer.response.result_int(), 403);
    EXPECT_NE(peer.response.body().find(
                  sock8::make_error_code(sock8::error::unauthorized)
                      .message()),
              std::string::npos);
    EXPECT_EQ(core.refused, 1);
    EXPECT_EQ(core.opened_total(), 0u);
}

TEST(beast_server, vsn_1_is_refused_with_400)
{
    test_server_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, core, quick_options());

    ws_peer peer;
    auto ec = peer.connect(server.port(),
                           "/socket/websocket?token=good&vsn=1.0.0");
    EXPECT_TRUE(ec);
    EXPECT_EQ(peer.response.result_int(), 400);
    EXPECT_NE(peer.response.body().find("Phoenix V2"), std::string::npos);
    EXPECT_NE(peer.response.body().find("vsn=2.0.0"), std::string::npos);
    EXPECT_TRUE(core.requests.empty());

    // Hand-written clients that leave vsn out get V2.
    ws_peer bare;
    EXPECT_FALSE(bare.connect(server.port(), "/socket/websocket"));
}

TEST(beast_server, phoenix_subprotocol_is_answered_and_token_decoded)
{
    test_server_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, core, quick_options());

    // phoenix.js encodes with btoa: the standard alphabet, unpadded.
    // "user?\?>" is dXNlcj8/Pg== ("/" only appears in the standard one).
    ws_peer peer;
    ASSERT_FALSE(peer.connect(server.port(), ws_target,
                              "phoenix, base64url.bearer.phx.dXNlcj8/Pg"));
    EXPECT_EQ(peer.response[bhttp::field::sec_websocket_protocol],
              "phoenix");
    EXPECT_EQ(core.last_request().auth_token, "user?\?>");

    // base64url proper: "?>?" is Pz4_ in base64url.
    ws_peer url;
    ASSERT_FALSE(url.connect(server.port(), ws_target,
                             "phoenix, base64url.bearer.phx.Pz4_"));
    EXPECT_EQ(core.last_request().auth_token, "?>?");

    ws_peer plain;
    ASSERT_FALSE(plain.connect(server.port(), ws_target));
    EXPECT_EQ(plain.response.count(bhttp::field::sec_websocket_protocol),
              0u);
    EXPECT_TRUE(core.last_request().auth_token.empty());
}

TEST(beast_server, broadcast_shares_one_buffer_across_20_clients)
{
    test_server_core core;
    io_threads io;
    auto o = quick_options();
    o.soft_send_limit = 64 * 1024 * 1024;
    o.hard_send_limit = 128 * 1024 * 1024;
    sock8::beast::server server(io.ioc, core, o);

    std::vector<std::unique_ptr<ws_peer>> peers;
    for (int i = 0; i < 20; ++i) {
        peers.push_back(std::make_unique<ws_peer>());
        ASSERT_FALSE(peers.back()->connect(server.port(), ws_target));
    }
    ASSERT_TRUE(eventually([&] { return core.open_count() == 20; }));

    // 8 MB cannot fit in the kernel's buffers, so every connection still
    // holds the frame while nobody reads: 20 references plus the core's
    // mean the bytes were shared, not copied.
    std::size_t const n = 8 * 1024 * 1024;
    ASSERT_FALSE(peers[0]->write("broadcast:" + std::to_string(n)));
    EXPECT_TRUE(eventually([&] {
        std::lock_guard lock(core.m);
        return core.last_broadcast && core.last_broadcast.use_count() == 21;
    }));

    std::string expected;
    {
        std::lock_guard lock(core.m);
        expected = *core.last_broadcast;
    }
    for (auto& p : peers) {
        std::string got;
        ASSERT_FALSE(p->read(got, 20s));
        EXPECT_EQ(got.size(), n);
        EXPECT_TRUE(got == expected);
    }
    EXPECT_TRUE(eventually([&] {
        std::lock_guard lock(core.m);
        return core.last_broadcast.use_count() == 1;
    }));
}

TEST(beast_server, a_client_that_never_reads_is_closed_past_the_hard_cap)
{
    test_server_core core;
    io_threads io;
    auto o = quick_options();
    o.soft_send_limit = 64 * 1024;
    o.hard_send_limit = 512 * 1024;
    o.close_timeout = 200ms;
    sock8::beast::server server(io.ioc, core, o);

    ws_peer slow;
    ASSERT_FALSE(slow.connect(server.port(), ws_target, {}, 4096));
    ASSERT_FALSE(slow.write("flood:400:65536"));

    ASSERT_TRUE(eventually([&] { return core.saw("closed 1"); }));
    auto const congested = core.position("congested 1 on");
    ASSERT_GE(congested, 0);
    EXPECT_LT(congested, core.position("closed 1"));
}

TEST(beast_server, congestion_clears_when_the_queue_drains)
{
    test_server_core core;
    io_threads io;
    auto o = quick_options();
    o.soft_send_limit = 64 * 1024;
    o.hard_send_limit = 64 * 1024 * 1024;
    sock8::beast::server server(io.ioc, core, o);

    ws_peer peer;
    ASSERT_FALSE(peer.connect(server.port(), ws_target));
    ASSERT_FALSE(peer.write("flood:100:65536"));
    for (int i = 0; i < 100; ++i) {
        std::string got;
        ASSERT_FALSE(peer.read(got));
        ASSERT_EQ(got.size(), 65536u);
    }
    EXPECT_TRUE(eventually([&] { return core.saw("congested 1 off"); }));
    EXPECT_LT(core.position("congested 1 on"),
              core.position("congested 1 off"));
    EXPECT_FALSE(core.saw("closed 1"));
}

// Many small frames queued at once: with batching they share socket
// writes, without it each has its own; either way all arrive, in order.
class beast_server_batching : public ::testing::TestWithParam<std::size_t>
{
};

TEST_P(beast_server_batching, many_small_frames_arrive_in_order)
{
    test_server_core core;
    io_threads io;
    auto o = quick_options();
    o.write_batch_bytes = GetParam();
    o.soft_send_limit = 64 * 1024 * 1024;
    o.hard_send_limit = 128 * 1024 * 1024;
    sock8::beast::server server(io.ioc, core, o);

    ws_peer peer;
    ASSERT_FALSE(peer.connect(server.port(), ws_target));
    int const n = 20000;
    ASSERT_FALSE(peer.write("count:" + std::to_string(n)));
    for (int i = 0; i < n; ++i) {
        std::string got;
        ASSERT_FALSE(peer.read(got));
        ASSERT_EQ(got, "[null,null,\"t\",\"n\",{\"i\":" +
                           std::to_string(i) + "}]");
    }
    ASSERT_FALSE(peer.write("after"));
    std::string got;
    ASSERT_FALSE(peer.read(got));
    EXPECT_EQ(got, "after");
}

INSTANTIATE_TEST_SUITE_P(write_batch_bytes, beast_server_batching,
                         ::testing::Values(std::size_t{0},
                                           std::size_t{64 * 1024}));

TEST(beast_server, an_abrupt_drop_reaches_closed)
{
    test_server_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, core, quick_options());

    ws_peer peer;
    ASSERT_FALSE(peer.connect(server.port(), ws_target));
    ASSERT_TRUE(eventually([&] { return core.saw("open 1"); }));
    bb::get_lowest_layer(peer.ws).socket().close();
    EXPECT_TRUE(eventually([&] { return core.saw("closed 1"); }));
    EXPECT_EQ(core.closed_total(), 1u);
}

TEST(beast_server, next_deadline_drives_advance)
{
    test_server_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, core, quick_options());

    ws_peer peer;
    ASSERT_FALSE(peer.connect(server.port(), ws_target));
    auto const start = std::chrono::steady_clock::now();
    ASSERT_FALSE(peer.write("deadline:60"));
    std::string got;
    ASSERT_FALSE(peer.read(got));
    EXPECT_EQ(got, "tick");
    EXPECT_GE(std::chrono::steady_clock::now() - start, 60ms);
    std::lock_guard lock(core.m);
    EXPECT_GE(core.advances, 1);
}

TEST(beast_server, core_close_action_closes_with_its_code)
{
    test_server_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, core, quick_options());

    ws_peer peer;
    ASSERT_FALSE(peer.connect(server.port(), ws_target));
    ASSERT_FALSE(peer.write("before"));
    ASSERT_FALSE(peer.write("close"));
    std::vector<std::string> frames;
    EXPECT_EQ(peer.read_until_closed(&frames), 1012);
    EXPECT_EQ(peer.ws.reason().reason, "asked");
    EXPECT_EQ(frames, std::vector<std::string>{"before"});
    EXPECT_TRUE(eventually([&] { return core.saw("closed 1"); }));
}

TEST(beast_server, binary_frames_close_with_1003)
{
    test_server_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, core, quick_options());

    ws_peer peer;
    ASSERT_FALSE(peer.connect(server.port(), ws_target));
    ASSERT_FALSE(peer.write("\x01\x02", true));
    EXPECT_EQ(peer.read_until_closed(), 1003);
    EXPECT_TRUE(eventually([&] { return core.saw("closed 1"); }));
    EXPECT_FALSE(core.saw("receive 1"));
}

TEST(beast_server, an_oversized_frame_closes_with_1009)
{
    test_server_core core;
    io_threads io;
    auto o = quick_options();
    o.max_frame_bytes = 1024;
    sock8::beast::server server(io.ioc, core, o);

    ws_peer peer;
    ASSERT_FALSE(peer.connect(server.port(), ws_target));
    ASSERT_FALSE(peer.write(std::string(2000, 'x')));
    EXPECT_EQ(peer.read_until_closed(), 1009) << peer.last_error.message();
    EXPECT_TRUE(eventually([&] { return core.saw("closed 1"); }));
    EXPECT_FALSE(core.saw("receive 1"));
}

TEST(beast_server, graceful_stop_closes_with_1001_and_completes)
{
    test_server_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, core, quick_options());

    std::vector<std::unique_ptr<ws_peer>> peers;
    for (int i = 0; i < 3; ++i) {
        peers.push_back(std::make_unique<ws_peer>());
        ASSERT_FALSE(peers.back()->connect(server.port(), ws_target));
    }
    ASSERT_TRUE(eventually([&] { return core.open_count() == 3; }));

    // A peer that reads (and so answers the close) alongside the stop.
    std::future<void> stopped = server.async_stop(net::use_future);
    for (auto& p : peers) {
        std::vector<std::string> frames;
        EXPECT_EQ(p->read_until_closed(&frames), 1001)
            << p->last_error.message();
        EXPECT_EQ(frames, std::vector<std::string>{"bye"});
    }
    ASSERT_EQ(stopped.wait_for(5s), std::future_status::ready);
    EXPECT_EQ(core.closed_total(), 3u);
    EXPECT_TRUE(core.saw("stop"));

    // Nothing is accepted after the stop.
    ws_peer late;
    EXPECT_TRUE(late.connect(server.port(), ws_target));
}

TEST(beast_server, stop_completes_despite_a_peer_that_never_answers)
{
    test_server_core core;
    io_threads io;
    auto o = quick_options();
    o.close_timeout = 200ms;
    sock8::beast::server server(io.ioc, core, o);

    ws_peer silent;
    ASSERT_FALSE(silent.connect(server.port(), ws_target));
    ASSERT_TRUE(eventually([&] { return core.open_count() == 1; }));
    auto const start = std::chrono::steady_clock::now();
    std::future<void> stopped = server.async_stop(net::use_future);
    ASSERT_EQ(stopped.wait_for(5s), std::future_status::ready);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    EXPECT_TRUE(core.saw("closed 1"));
}

TEST(beast_server, serves_plain_http_alongside_the_websocket)
{
    test_server_core core;
    io_threads io;
    auto o = quick_options();
    o.http = [&core](sock8::beast::http_request const& r)
        -> std::optional<sock8::beast::http_response> {
        if (r.path == "/app") {
            sock8::beast::http_response res;
            res.content_type = "text/html";
            res.body = "<p>hello " + std::string(r.query_value("who")) +
                       "</p>";
            res.headers.emplace_back("cache-control", "no-store");
            return res;
        }
        if (r.path == "/api/connections") {
            // Runs on the core strand: the core may be read directly.
            sock8::beast::http_response res;
            res.content_type = "application/json";
            std::lock_guard lock(core.m);
            res.body = "{\"open\":" + std::to_string(core.open_now.size()) +
                       "}";
            return res;
        }
        return std::nullopt;
    };
    sock8::beast::server server(io.ioc, core, o);

    auto page = http_get(server.port(), "/app?who=you%21");
    EXPECT_EQ(page.result_int(), 200);
    EXPECT_EQ(page.body(), "<p>hello you!</p>");
    EXPECT_EQ(page[bhttp::field::content_type], "text/html");
    EXPECT_EQ(page[bhttp::field::cache_control], "no-store");

    ws_peer peer;
    ASSERT_FALSE(peer.connect(server.port(), ws_target));
    ASSERT_TRUE(eventually([&] { return core.open_count() == 1; }));
    auto api = http_get(server.port(), "/api/connections");
    EXPECT_EQ(api.result_int(), 200);
    EXPECT_EQ(api.body(), "{\"open\":1}");

    EXPECT_EQ(http_get(server.port(), "/nothing").result_int(), 404);
    EXPECT_EQ(http_get(server.port(), "/socket/websocket").result_int(),
              404);

    ws_peer wrong;
    EXPECT_TRUE(wrong.connect(server.port(), "/elsewhere/websocket"));
    EXPECT_EQ(wrong.response.result_int(), 404);
}

TEST(beast_server, post_reaches_the_core_and_performs_its_actions)
{
    test_server_core core;
    io_threads io;
    sock8::beast::server server(io.ioc, core, quick_options());

    ws_peer peer;
    ASSERT_FALSE(peer.connect(server.port(), ws_target));
    ASSERT_TRUE(eventually([&] { return core.open_count() == 1; }));
    server.post([](test_server_core& c) {
        std::lock_guard lock(c.m);
        c.q.send(1, sock8::make_frame("pushed"));
    });
    std::string got;
    ASSERT_FALSE(peer.read(got));
    EXPECT_EQ(got, "pushed");
}

TEST(beast_server, a_busy_port_throws)
{
    test_server_core core;
    io_threads io;
    sock8::beast::server first(io.ioc, core, quick_options());
    auto o = quick_options();
    o.port = first.port();
    // reuse_address lets a port in TIME_WAIT be bound again, not a port
    // that is listened on.
    EXPECT_THROW(sock8::beast::server(io.ioc, core, o),
                 boost::system::system_error);
}
