//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_TRANSPORT_HPP
#define SOCK8_TRANSPORT_HPP

// The adapter interface between sock8's cores and a transport.
//
// The server and client cores are state machines: they own no socket, no
// thread and no clock. A transport feeds them events (a connection opened,
// a text frame arrived, a connection closed, time advanced) and carries out
// the actions they answer with (send these bytes to this connection, close
// that connection with this code). docs/transports.md shows how to write
// one; sock8/in_process.hpp and sock8/beast/ are the two that ship.

#include <sock8/detail/url.hpp>

#include <boost/system/result.hpp>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sock8 {

/** The clock every core is driven by. Time is passed in, never read. */
using clock = std::chrono::steady_clock;
using time_point = clock::time_point;

/** Names one connection of a server. Never reused by the same server. */
using connection_id = std::uint64_t;

/** A serialized frame shared by every recipient of one broadcast.

    The bytes are encoded once and the same buffer is handed to every
    connection that receives them; transports keep the pointer alive until
    their write completes.
*/
using shared_frame = std::shared_ptr<std::string const>;

inline shared_frame make_frame(std::string text)
{
    return std::make_shared<std::string const>(std::move(text));
}

/** WebSocket close codes sock8 uses, chosen for what stock clients do. */
enum class close_code : std::uint16_t
{
    /// Done: the phoenix client does not reconnect after this one.
    normal = 1000,
    /// The server is going away; clients reconnect.
    going_away = 1001,
    /// The peer broke the protocol beyond what a reply can answer.
    protocol_error = 1002,
    /// Policy: refused, idle, or too slow to read.
    policy_violation = 1008,
    /// A frame larger than the transport accepts.
    message_too_big = 1009,
    /// The server restarts; clients reconnect.
    service_restart = 1012,
};

/** What a transport knows about a connection request.

    The connect hook sees this to identify the connection and grant it
    channels. Names of headers are lower-cased by the transport.
*/
struct connect_request
{
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string remote_address;

    /// The token a client offered as the subprotocol
    /// `base64url.bearer.phx.<token>` (phoenix's `authToken` option),
    /// already decoded; empty when none was offered.
    std::string auth_token;

    /** The value of the first query parameter named @p name, or empty. */
    std::string_view query_value(std::string_view name) const noexcept
    {
        return detail::find_value(query, name);
    }

    /** The value of the first header named @p name (lower case), or empty. */
    std::string_view header(std::string_view name) const noexcept
    {
        return detail::find_value(headers, name);
    }
};

/** One thing a core asks its transport to do.

    `send` writes @ref frame as one text message to @ref connection.
    `close` closes @ref connection with @ref code after every send queued
    before it; the transport then reports the close back to the core.
*/
struct action
{
    enum class kind : std::uint8_t
    {
        send,
        close,
    };

    kind what = kind::send;
    connection_id connection = 0;
    shared_frame frame;
    close_code code = close_code::normal;
    std::string reason;
};

/** The actions a core produced since the transport last took them.

    Cores append; the transport calls `take` after each event it fed in and
    performs the actions in order. `take` swaps buffers so that steady state
    allocates nothing.
*/
class action_queue
{
public:
    void send(connection_id to, shared_frame const& frame)
    {
        auto& a = items_.emplace_back();
        a.what = action::kind::send;
        a.connection = to;
        a.frame = frame;
    }

    void close(connection_id to, close_code code, std::string_view reason)
    {
        auto& a = items_.emplace_back();
        a.what = action::kind::close;
        a.connection = to;
        a.code = code;
        a.reason.assign(reason);
    }

    bool empty() const noexcept { return items_.empty(); }

    std::size_t size() const noexcept { return items_.size(); }

    /** Moves the pending actions into @p out (cleared first). */
    void take(std::vector<action>& out)
    {
        out.clear();
        out.swap(items_);
    }

private:
    std::vector<action> items_;
};

/** What a transport needs of a server core (sock8::server models it).

    Every call happens on one thread at a time; a transport that runs I/O
    on several threads serializes its calls into the core (a strand).
    After each call the transport takes the actions and performs them.
    `congested(id, true, now)` says a connection's send queue passed the
    transport's soft limit: the core stops queueing presence diffs for it
    and, on `congested(id, false, now)`, sends it the current presence
    state instead of the backlog. Past its hard limit the transport closes
    the connection (close_code::policy_violation) and reports `closed`.
    `open` returns the new connection's id, or an error (for instance
    error::unauthorized) that the transport turns into a refusal (HTTP 403).
*/
template <class Core>
concept server_core = requires(Core& core, Core const& ccore,
                               connect_request const& request,
                               connection_id id, std::string_view text,
                               time_point now, std::vector<action>& out) {
    {
        core.open(request, now)
    } -> std::same_as<boost::system::result<connection_id>>;
    core.receive(id, text, now);
    core.closed(id, now);
    core.advance(now);
    { ccore.next_deadline() } -> std::same_as<std::optional<time_point>>;
    core.take_actions(out);
    core.stop(now);
    core.congested(id, true, now);
};

/** What a transport needs of a client core (sock8::client models it).

    A client core has one connection at a time; the connection field of
    its actions is always 0. `opened` and `closed` report the life of the
    underlying connection; reconnecting (with backoff) is the transport's
    job, and the core rejoins its channels on the next `opened`.
*/
template <class Core>
concept client_core = requires(Core& core, Core const& ccore,
                               std::string_view text, time_point now,
                               std::vector<action>& out) {
    core.opened(now);
    core.receive(text, now);
    core.closed(now);
    core.advance(now);
    { ccore.next_deadline() } -> std::same_as<std::optional<time_point>>;
    core.take_actions(out);
    { ccore.url_query() } -> std::convertible_to<std::string>;
};

} // namespace sock8

#endif
