//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

// live_cursors: everyone in a room sees everyone's mouse cursor, who is
// typing, and the chat. A sock8 server on the Boost.Beast transport; the
// browser side (static/) is the stock phoenix client and its Presence.
//
//   live_cursors [--port 4000] [--address 127.0.0.1] [options]
//
// then open http://127.0.0.1:4000/ (add ?room=name for another room) in
// two windows. --help lists the options.
//
// Demo authentication only: the connection is identified by the `name`
// query parameter the page sends, and anyone may pick any name. A real
// application identifies the connection from a session cookie or a signed
// token (phoenix's authToken option, connect_request::auth_token).

#include "chat_channels.hpp"

#include <sock8/beast/server.hpp>
#include <sock8/channels.hpp>
#include <sock8/schema.hpp>
#include <sock8/server.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/describe.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

// ---------------------------------------------------------------------
// The channels, shared with C++ clients

using namespace live_cursors;
using core_type = sock8::server<app>;

// ---------------------------------------------------------------------
// Command line

struct settings
{
    sock8::server_options core;
    sock8::beast::server_options transport;
    std::filesystem::path static_dir = SOCK8_LIVE_CURSORS_STATIC_DIR;
    std::filesystem::path phoenix_js = SOCK8_LIVE_CURSORS_PHOENIX_JS;
    bool verbose = false;
};

constexpr std::string_view usage_text = R"(usage: live_cursors [options]

  --port N                        TCP port (default 4000; 0 picks a free one)
  --address A                     address to listen on (default 127.0.0.1)
  --idle-timeout-ms N             close connections silent for N ms
                                  (default 60000; phoenix heartbeats every
                                  30 s)
  --presence-window-ms N          coalesce presence diffs per room over N ms
                                  (default 20; 0 sends each change at once)
  --max-presence-updates-per-second N
                                  per connection (default 50); faster
                                  updates are merged, not refused
  --max-frame-bytes N             largest frame answered (default 65536);
                                  frames 16 times larger close the socket
  --max-channels-per-connection N (default 100)
  --handshake-timeout-ms N        time to finish the upgrade (default 10000)
  --close-timeout-ms N            time for a close handshake (default 5000)
  --static-dir DIR                where index.html, app.js and style.css are
  --phoenix-js FILE               the phoenix client served as /phoenix.js
  --verbose                       print the server's log on stderr
  --help                          this text
)";

[[noreturn]] void usage_error(std::string_view what)
{
    std::cerr << "live_cursors: " << what << "\n\n" << usage_text;
    std::exit(2);
}

template <class Int>
Int parse_number(std::string_view flag, std::string_view text)
{
    Int value{};
    auto const* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end)
        usage_error(std::string(flag) + " needs a number, not '" +
                    std::string(text) + "'");
    return value;
}

double parse_double(std::string_view flag, std::string_view text)
{
    // from_chars for double is in libstdc++ 11 and later; strtod keeps
    // this portable to older standard libraries.
    std::string s(text);
    char* end = nullptr;
    double const value = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || !(value > 0))
        usage_error(std::string(flag) + " needs a positive number, not '" + s +
                    "'");
    return value;
}

settings parse_command_line(int argc, char** argv)
{
    settings s;
    s.transport.port = 4000;

    // Cursors move all the time: one diff per room every 20 ms carries
    // the latest position of everyone who moved, instead of one frame per
    // move per member.
    s.core.presence_window = std::chrono::milliseconds(20);

    // A misspelt presence field is an error the page's author should see,
    // not an update that silently keeps the old value.
    s.core.strict_schemas = true;

    // The server answers a frame over its limit with an error reply and
    // keeps the connection; only far larger frames, past the transport's
    // cap, close it (1009).
    s.transport.max_frame_bytes = 16 * s.core.max_frame_bytes;

    std::vector<std::string_view> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto const flag = args[i];
        auto value = [&]() -> std::string_view {
            if (i + 1 >= args.size())
                usage_error(std::string(flag) + " needs a value");
            return args[++i];
        };
        auto millis = [&] {
            return std::chrono::milliseconds(
                parse_number<std::int64_t>(flag, value()));
        };

        if (flag == "--help" || flag == "-h") {
            std::cout << usage_text;
            std::exit(0);
        } else if (flag == "--port") {
            s.transport.port = parse_number<std::uint16_t>(flag, value());
        } else if (flag == "--address") {
            s.transport.address = std::string(value());
        } else if (flag == "--idle-timeout-ms") {
            s.core.idle_timeout = millis();
        } else if (flag == "--presence-window-ms") {
            s.core.presence_window = millis();
        } else if (flag == "--max-presence-updates-per-second") {
            s.core.max_presence_updates_per_second =
                parse_double(flag, value());
        } else if (flag == "--max-frame-bytes") {
            auto const n = parse_number<std::size_t>(flag, value());
            s.core.max_frame_bytes = n;
            s.transport.max_frame_bytes = 16 * n;
        } else if (flag == "--max-channels-per-connection") {
            s.core.max_channels_per_connection =
                parse_number<std::size_t>(flag, value());
        } else if (flag == "--handshake-timeout-ms") {
            s.transport.handshake_timeout = millis();
        } else if (flag == "--close-timeout-ms") {
            s.transport.close_timeout = millis();
        } else if (flag == "--static-dir") {
            s.static_dir = std::string(value());
        } else if (flag == "--phoenix-js") {
            s.phoenix_js = std::string(value());
        } else if (flag == "--verbose") {
            s.verbose = true;
        } else {
            usage_error("unknown option '" + std::string(flag) + "'");
        }
    }
    return s;
}

// ---------------------------------------------------------------------
// Connect hook

// A name is shown to everyone and becomes part of the identity, so it
// must be text: valid UTF-8 without control characters, 1 to 64 code
// points (the limit of chat_message::sender).
bool valid_name(std::string_view name)
{
    std::size_t code_points = 0;
    for (std::size_t i = 0; i < name.size();) {
        auto const c = static_cast<unsigned char>(name[i]);
        std::size_t n = c < 0x80           ? 1
                        : (c >> 5) == 0x6  ? 2
                        : (c >> 4) == 0xe  ? 3
                        : (c >> 3) == 0x1e ? 4
                                           : 0;
        if (n == 0 || i + n > name.size())
            return false;
        for (std::size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(name[i + k]) >> 6) != 0x2)
                return false;
        if (n == 1 && (c < 0x20 || c == 0x7f))
            return false;
        i += n;
        ++code_points;
    }
    bool const blank = name.find_first_not_of(' ') == name.npos;
    return code_points >= 1 && code_points <= 64 && !blank;
}

// The name comes from the query (`params: {name}`), or from phoenix's
// authToken option, which travels as a WebSocket subprotocol instead of in
// the URL; here the "token" is the bare name, for the demo.
void authorize(sock8::authorization<app>& auth)
{
    auto name = auth.request().query_value("name");
    if (name.empty())
        name = auth.request().auth_token;
    if (name.empty())
        return auth.refuse("no name: connect with ?name=...");
    if (!valid_name(name))
        return auth.refuse("the name must be 1 to 64 characters of text");

    auth.identify_as("user:" + std::string(name));
    auth.grant<chat_messages>();
}

// ---------------------------------------------------------------------
// HTTP: the page and POST /api/messages

std::optional<std::string> read_file(std::filesystem::path const& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream out;
    out << in.rdbuf();
    return std::move(out).str();
}

// 400 with {"errors": [...]}, each entry shaped like field_error's JSON.
sock8::beast::http_response refused(boost::json::array errors)
{
    boost::json::object body;
    body["errors"] = std::move(errors);
    sock8::beast::http_response r;
    r.status = 400;
    r.content_type = "application/json";
    r.body = boost::json::serialize(body);
    return r;
}

boost::json::object request_error(std::string_view path,
                                  std::string_view expected,
                                  std::string_view found)
{
    // Worded like the library's own errors.
    sock8::field_error const error{std::string(path), sock8::error::wrong_type,
                                   std::string(expected), std::string(found)};
    boost::json::object e;
    e["path"] = path;
    e["expected"] = expected;
    e["found"] = found;
    e["message"] = error.message();
    return e;
}

std::string_view kind_of(boost::json::value const* v)
{
    if (v == nullptr)
        return "nothing";
    switch (v->kind()) {
    case boost::json::kind::null:
        return "null";
    case boost::json::kind::bool_:
        return "a boolean";
    case boost::json::kind::string:
        return "a string";
    case boost::json::kind::array:
        return "an array";
    case boost::json::kind::object:
        return "an object";
    default:
        return "a number";
    }
}

// POST /api/messages {"room","name","text"}: clients cannot emit on a
// sock8 channel, so the page posts here and the server emits for it.
// The name is trusted as the sender, like the connect hook trusts it:
// demo authentication only.
sock8::beast::http_response post_message(core_type& core, std::string_view body)
{
    boost::system::error_code ec;
    auto const parsed = boost::json::parse(body, ec);
    if (ec)
        return refused({request_error("", "a JSON object", "invalid JSON")});
    auto const* request = parsed.if_object();
    if (request == nullptr)
        return refused({request_error("", "a JSON object", kind_of(&parsed))});

    boost::json::array errors;

    std::optional<sock8::topic<chat_messages>> topic;
    auto const* room = request->if_contains("room");
    if (room == nullptr || !room->is_string()) {
        errors.push_back(request_error("/room", "a string", kind_of(room)));
    } else {
        auto t = chat_messages::try_topic(std::string_view(room->get_string()));
        if (t)
            topic = std::move(*t);
        else
            errors.push_back(request_error(
                "/room", "a room name (letters, digits, _-:@~+=!)",
                t.error().message()));
    }

    // The message is decoded from the request's own members, so every
    // constraint of chat_message is checked; its errors are reported
    // under the request's names.
    boost::json::object candidate;
    if (auto const* v = request->if_contains("name"))
        candidate["sender"] = *v;
    if (auto const* v = request->if_contains("text"))
        candidate["text"] = *v;
    auto message = sock8::try_decode<chat_message>(candidate);
    if (!message) {
        auto failures = message.error().to_json();
        for (auto& e : failures.as_array()) {
            auto& obj = e.as_object();
            auto const path = std::string(obj["path"].as_string());
            if (path.rfind("/sender", 0) == 0) {
                auto const renamed = "/name" + path.substr(7);
                auto& text = obj["message"].as_string();
                if (std::string_view(text).rfind(path, 0) == 0)
                    text = renamed + std::string(text.subview(path.size()));
                obj["path"] = renamed;
            }
            errors.push_back(std::move(e));
        }
    }

    // The sender's name follows the rule the connect hook applies.
    if (message && !valid_name(message->sender.value()))
        errors.push_back(request_error(
            "/name", "1 to 64 characters of text, no control characters",
            "a name the socket would refuse"));

    if (!errors.empty())
        return refused(std::move(errors));

    core.emit(*topic, *message);
    sock8::beast::http_response r;
    r.status = 204;
    r.content_type.clear();
    return r;
}

struct static_file
{
    std::string_view url;
    std::filesystem::path path;
    std::string_view content_type;
};

std::optional<sock8::beast::http_response>
serve(core_type& core, std::vector<static_file> const& files,
      sock8::beast::http_request const& request)
{
    if (request.path == "/api/messages") {
        if (request.method == "POST")
            return post_message(core, request.body);
        sock8::beast::http_response r;
        r.status = 405;
        r.headers.emplace_back("Allow", "POST");
        r.body = "use POST\n";
        return r;
    }

    for (auto const& f : files) {
        if (request.path != f.url)
            continue;
        if (request.method != "GET" && request.method != "HEAD") {
            sock8::beast::http_response r;
            r.status = 405;
            r.headers.emplace_back("Allow", "GET, HEAD");
            return r;
        }

        // Read on every request, so that an edited page shows on reload.
        auto text = read_file(f.path);
        if (!text)
            return std::nullopt;
        sock8::beast::http_response r;
        r.content_type = f.content_type;
        r.body = std::move(*text);
        r.headers.emplace_back("Cache-Control", "no-cache");
        return r;
    }
    return std::nullopt;
}

} // namespace

int main(int argc, char** argv)
{
    auto s = parse_command_line(argc, argv);

    std::vector<static_file> const files{
        {"/", s.static_dir / "index.html", "text/html; charset=utf-8"},
        {"/app.js", s.static_dir / "app.js", "text/javascript; charset=utf-8"},
        {"/style.css", s.static_dir / "style.css", "text/css; charset=utf-8"},
        {"/phoenix.js", s.phoenix_js, "text/javascript; charset=utf-8"},
    };
    for (auto const& f : files) {
        if (!std::filesystem::is_regular_file(f.path)) {
            std::cerr << "live_cursors: " << f.path.string() << " is missing";
            if (f.url == "/phoenix.js")
                std::cerr << " (run scripts/setup, or pass --phoenix-js)";
            std::cerr << '\n';
            return 1;
        }
    }

    core_type core(s.core);
    core.on_connect(authorize);
    if (s.verbose) {
        core.on_log([](sock8::log_level level, std::string_view text) {
            std::cerr << "live_cursors: " << sock8::to_string(level) << ": "
                      << text << '\n';
        });
        core.on_join<chat_messages>(
            [](auto const& topic, sock8::member_info const& m) {
                std::cerr << "live_cursors: " << m.identity << " joined "
                          << topic.str() << '\n';
            });
        core.on_leave<chat_messages>([](auto const& topic,
                                        sock8::member_info const& m,
                                        sock8::leave_reason why) {
            std::cerr << "live_cursors: " << m.identity << " left "
                      << topic.str() << " (" << sock8::to_string(why) << ")\n";
        });
    }

    // Runs on the transport's core strand, like every call into the core,
    // so it may emit directly.
    s.transport.http = [&core, &files](auto const& request) {
        return serve(core, files, request);
    };

    boost::asio::io_context ioc;
    std::optional<sock8::beast::server<core_type>> server;
    try {
        server.emplace(ioc, core, s.transport);
    } catch (std::exception const& e) {
        std::cerr << "live_cursors: cannot listen on " << s.transport.address
                  << ':' << s.transport.port << ": " << e.what() << '\n';
        return 1;
    }

    // Tests read the port from this line: keep its shape.
    std::cout << "sock8 live cursors: http://" << s.transport.address << ':'
              << server->port() << '/' << std::endl;

    // A graceful stop: members leave (everyone sees them go), clients get
    // 1001 and would reconnect to a restarted server.
    boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (ec)
            return;
        server->async_stop([&] { ioc.stop(); });
    });

    ioc.run();
    return 0;
}
