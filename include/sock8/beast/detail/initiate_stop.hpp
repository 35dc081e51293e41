//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_BEAST_DETAIL_INITIATE_STOP_HPP
#define SOCK8_BEAST_DETAIL_INITIATE_STOP_HPP

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

#include <memory>
#include <type_traits>
#include <utility>

namespace sock8::beast::detail {

// The asynchronous stop of a server or a client: impl->stop(done) runs
// `done` once everything is closed, and the completion handler then runs
// on the impl's strand, whatever the token (callback, future, ...).
template <class Impl, class CompletionToken>
auto initiate_stop(std::shared_ptr<Impl> const& impl, CompletionToken&& token)
{
    return boost::asio::async_initiate<CompletionToken, void()>(
        [impl](auto handler) {
            using handler_type = std::decay_t<decltype(handler)>;
            auto h = std::make_shared<handler_type>(std::move(handler));
            auto strand = impl->strand();
            impl->stop([h, strand] {
                boost::asio::post(strand, std::move(*h));
            });
        },
        token);
}

} // namespace sock8::beast::detail

#endif
