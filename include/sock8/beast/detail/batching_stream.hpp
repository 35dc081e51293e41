//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_BEAST_DETAIL_BATCHING_STREAM_HPP
#define SOCK8_BEAST_DETAIL_BATCHING_STREAM_HPP

// A next layer for websocket::stream that can collect the bytes of
// several messages and hand them to the socket in one write.
//
// Beast writes one message per async_write. Between begin_batch() and
// async_flush() every write_some is copied into a buffer and completes at
// once; async_flush() writes the buffer with one socket write. Outside a
// batch, writes pass straight through (no copy). Teardown flushes first,
// so a close frame Beast wrote during a batch is not lost.

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace sock8::beast::detail {

template <class NextLayer>
class batching_stream
{
public:
    using next_layer_type = NextLayer;
    using executor_type = typename NextLayer::executor_type;

    template <class... Args>
    explicit batching_stream(Args&&... args)
        : next_(std::forward<Args>(args)...)
    {
    }

    executor_type get_executor() noexcept { return next_.get_executor(); }
    next_layer_type& next_layer() noexcept { return next_; }
    next_layer_type const& next_layer() const noexcept { return next_; }

    /** Copies writes from now on until async_flush. */
    void begin_batch() noexcept { collecting_ = true; }

    /** Bytes collected and not yet written. */
    std::size_t pending_bytes() const noexcept { return pending_.size(); }

    /** Writes what was collected in one write; handler(error_code). */
    template <class Handler>
    void async_flush(Handler&& handler)
    {
        collecting_ = false;
        auto h = std::make_shared<std::decay_t<Handler>>(
            std::forward<Handler>(handler));
        flush_done_ = [h](boost::system::error_code ec) { (*h)(ec); };
        flushing_ = true;
        write_pending();
    }

    template <class MutableBufferSequence, class ReadHandler>
    auto async_read_some(MutableBufferSequence const& buffers,
                         ReadHandler&& handler)
    {
        return next_.async_read_some(buffers,
                                     std::forward<ReadHandler>(handler));
    }

    template <class ConstBufferSequence, class WriteHandler>
    auto async_write_some(ConstBufferSequence const& buffers,
                          WriteHandler&& handler)
    {
        return boost::asio::async_initiate<
            WriteHandler, void(boost::system::error_code, std::size_t)>(
            [this](auto h, ConstBufferSequence const& b) {
                if (!collecting_ && !flushing_) {
                    next_.async_write_some(b, std::move(h));
                    return;
                }
                std::size_t n = 0;
                auto const end = boost::asio::buffer_sequence_end(b);
                for (auto it = boost::asio::buffer_sequence_begin(b);
                     it != end; ++it) {
                    boost::asio::const_buffer const cb = *it;
                    pending_.append(static_cast<char const*>(cb.data()),
                                    cb.size());
                    n += cb.size();
                }
                boost::asio::post(get_executor(),
                                  boost::beast::bind_front_handler(
                                      std::move(h),
                                      boost::system::error_code{}, n));
            },
            handler, buffers);
    }

    // Flushes before tearing down (see the file comment).
    template <class TeardownHandler>
    void async_teardown_impl(boost::beast::role_type role,
                             TeardownHandler&& handler)
    {
        auto h = std::make_shared<std::decay_t<TeardownHandler>>(
            std::forward<TeardownHandler>(handler));
        auto teardown = [this, role, h] {
            using boost::beast::websocket::async_teardown;
            async_teardown(role, next_, std::move(*h));
        };
        collecting_ = false;
        if (flushing_) {
            after_flush_ = std::move(teardown);
            return;
        }
        if (pending_.empty()) {
            teardown();
            return;
        }
        flush_done_ = [](boost::system::error_code) {};
        after_flush_ = std::move(teardown);
        flushing_ = true;
        write_pending();
    }

    void teardown_impl(boost::beast::role_type role,
                       boost::system::error_code& ec)
    {
        collecting_ = false;
        if (!flushing_ && !pending_.empty()) {
            boost::asio::write(next_, boost::asio::buffer(pending_), ec);
            pending_.clear();
        }
        using boost::beast::websocket::teardown;
        teardown(role, next_, ec);
    }

private:
    // Writes collected while a flush is under way go out in the next
    // round, so bytes reach the socket in the order Beast wrote them and
    // never two writes overlap.
    void write_pending()
    {
        if (pending_.empty()) {
            flushing_ = false;
            auto done = std::move(flush_done_);
            auto after = std::move(after_flush_);
            flush_done_ = nullptr;
            after_flush_ = nullptr;
            if (done)
                done(error_);
            if (after)
                after();
            return;
        }
        in_flight_.clear();
        in_flight_.swap(pending_);
        boost::asio::async_write(
            next_, boost::asio::buffer(in_flight_),
            [this](boost::system::error_code ec, std::size_t) {
                if (ec) {
                    error_ = ec;
                    pending_.clear();
                }
                write_pending();
            });
    }

    NextLayer next_;
    std::string pending_;
    std::string in_flight_;
    std::function<void(boost::system::error_code)> flush_done_;
    std::function<void()> after_flush_;
    boost::system::error_code error_;
    bool collecting_ = false;
    bool flushing_ = false;
};

// Found by argument-dependent lookup from websocket::stream.
template <class NextLayer, class TeardownHandler>
void async_teardown(boost::beast::role_type role,
                    batching_stream<NextLayer>& stream,
                    TeardownHandler&& handler)
{
    stream.async_teardown_impl(role, std::forward<TeardownHandler>(handler));
}

template <class NextLayer>
void teardown(boost::beast::role_type role, batching_stream<NextLayer>& stream,
              boost::system::error_code& ec)
{
    stream.teardown_impl(role, ec);
}

} // namespace sock8::beast::detail

#endif
