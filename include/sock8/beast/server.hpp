//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_BEAST_SERVER_HPP
#define SOCK8_BEAST_SERVER_HPP

// The Boost.Beast WebSocket transport, server side: listens on one port,
// upgrades `<mount>/websocket` to a WebSocket and feeds a sock8 server
// core, answers other requests through an optional plain HTTP handler.

#include <sock8/beast/detail/initiate_stop.hpp>
#include <sock8/beast/detail/server_impl.hpp>
#include <sock8/beast/http.hpp>
#include <sock8/transport.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

namespace sock8::beast {

/** A WebSocket server driving a sock8 server core over Boost.Beast.

    Binds and listens when constructed, accepts until @ref async_stop.

    Threading: the io_context may run on any number of threads. Every
    call into the core (and the HTTP handler, and functions given to
    @ref post) runs on one strand, the core strand, so the core needs no
    lock; each connection does its I/O on its own strand. After every call
    into the core the transport takes its actions and hands each to its
    connection; sends share the core's buffer (the shared_frame is queued,
    its bytes are never copied).

    Limits per connection: one write in flight, one message per write;
    past `soft_send_limit` queued bytes the core hears
    `congested(id, true)`, and `congested(id, false)` once the queue is
    back under half of it; past `hard_send_limit` the connection is closed
    with 1008 "send queue full". Reads stop while the core handles a
    frame, so a fast sender cannot make the transport buffer its input.

    Close codes: what the core asks for; 1008 for the send cap; 1009 for
    a frame over `max_frame_bytes`; 1003 for a binary frame; 1001 at stop.
    Every connection the core opened is reported to `closed` exactly once.

    @tparam Core a type modelling sock8::server_core, for instance
    `sock8::server<Tree>`. It must outlive the io_context's work.

    @note The object may be destroyed before the io_context stops: the
    state it shares with the connections lives until the last of them.
*/
template <server_core Core>
class server
{
public:
    /** Binds, listens and starts accepting.

        @param executor the executor all I/O and the core strand run on.
        @param core the core; only touched on the core strand.
        @param options address, port, limits and the HTTP handler.
        @throws boost::system::system_error when the address is invalid or
        the port cannot be bound.
    */
    server(boost::asio::any_io_executor executor, Core& core,
           server_options options = {})
        : impl_(std::make_shared<detail::server_impl<Core>>(
              std::move(executor), core, std::move(options)))
    {
        impl_->start();
    }

    /** Same, on an io_context. */
    server(boost::asio::io_context& ioc, Core& core,
           server_options options = {})
        : server(ioc.get_executor(), core, std::move(options))
    {
    }

    server(server const&) = delete;
    server& operator=(server const&) = delete;

    /** The port the server listens on (the picked one when asked for 0). */
    std::uint16_t port() const noexcept { return impl_->port(); }

    /** The options the server was built with. */
    server_options const& options() const noexcept { return impl_->options(); }

    /** Runs `f(core)` on the core strand, then performs the actions.

        The way to emit from another thread: `server.post([&](auto& core)
        { core.emit(topic, message); });`.
    */
    template <class F>
    void post(F&& f)
    {
        impl_->post(std::forward<F>(f));
    }

    /** Stops gracefully; completes when every connection is gone.

        Stops accepting, calls `core.stop(now)` (the core says goodbye and
        asks to close with 1001), sends what is queued, closes each
        connection within `close_timeout`, then completes. Calling it again
        completes when the first stop does.

        @param token an Asio completion token with signature `void()`, for
        instance a callback or `boost::asio::use_future`.
    */
    template <class CompletionToken>
    auto async_stop(CompletionToken&& token)
    {
        return detail::initiate_stop(impl_,
                                     std::forward<CompletionToken>(token));
    }

private:
    std::shared_ptr<detail::server_impl<Core>> impl_;
};

template <class Core>
server(boost::asio::io_context&, Core&, server_options = {}) -> server<Core>;

template <class Core>
server(boost::asio::any_io_executor, Core&, server_options = {})
    -> server<Core>;

} // namespace sock8::beast

#endif
