//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_BEAST_CLIENT_HPP
#define SOCK8_BEAST_CLIENT_HPP

// The Boost.Beast WebSocket transport, client side: keeps one WebSocket
// to a Phoenix V2 server open for a sock8 client core, reconnecting with
// backoff whenever it drops.

#include <sock8/beast/detail/client_impl.hpp>
#include <sock8/beast/detail/initiate_stop.hpp>
#include <sock8/transport.hpp>

#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace sock8::beast {

/** A WebSocket client driving a sock8 client core over Boost.Beast.

    Connects to `ws://host:port<path>?<core.url_query()>` on @ref start,
    reports `opened`, every text frame and `closed` to the core, performs
    its actions (connection id 0), and reconnects after any drop with
    exponential backoff (`backoff_initial` doubling up to `backoff_max`,
    jittered) until @ref async_stop. The query is asked for again on every
    attempt, so a refreshed token is used on the next one.

    Threading: the io_context may run on any number of threads; the core,
    the socket and the timers all run on one strand. `post` is the way to
    reach the core from elsewhere.

    @tparam Core a type modelling sock8::client_core, for instance
    `sock8::client<Tree>`. It must outlive the io_context's work.
*/
template <client_core Core>
class client
{
public:
    /** Prepares the client; nothing happens before @ref start. */
    client(boost::asio::any_io_executor executor, Core& core,
           client_options options = {})
        : impl_(std::make_shared<detail::client_impl<Core>>(
              std::move(executor), core, std::move(options)))
    {
    }

    /** Same, on an io_context. */
    client(boost::asio::io_context& ioc, Core& core,
           client_options options = {})
        : client(ioc.get_executor(), core, std::move(options))
    {
    }

    client(client const&) = delete;
    client& operator=(client const&) = delete;

    /** Starts connecting. Calling it again does nothing. */
    void start() { impl_->start(); }

    /** Whether a WebSocket is open now (a snapshot, from any thread). */
    bool connected() const noexcept { return impl_->connected(); }

    /** How many connection attempts were made so far, from any thread. */
    std::size_t connection_attempts() const noexcept
    {
        return impl_->attempts();
    }

    /** Runs `f(core)` on the client's strand, then performs the actions.

        The core is given the present time first (`advance(now)`), so that
        the timeouts of the pushes `f` makes count from now.
    */
    template <class F>
    void post(F&& f)
    {
        impl_->post(std::forward<F>(f));
    }

    /** Closes with 1000 after what is queued and stops reconnecting.

        Completes once the connection is gone (within `close_timeout`) and
        the core heard `closed`.

        @param token an Asio completion token with signature `void()`.
    */
    template <class CompletionToken>
    auto async_stop(CompletionToken&& token)
    {
        return detail::initiate_stop(impl_,
                                     std::forward<CompletionToken>(token));
    }

private:
    std::shared_ptr<detail::client_impl<Core>> impl_;
};

template <class Core>
client(boost::asio::io_context&, Core&, client_options = {}) -> client<Core>;

template <class Core>
client(boost::asio::any_io_executor, Core&, client_options = {})
    -> client<Core>;

} // namespace sock8::beast

#endif
