//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_BEAST_HTTP_HPP
#define SOCK8_BEAST_HTTP_HPP

// Plain HTTP next to the WebSocket, in sock8's own types so that an
// application can serve a page or a small JSON API on the same port
// without writing Beast code.

#include <sock8/detail/url.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sock8::beast {

/** A plain HTTP request the server received (not a WebSocket upgrade).

    @note Header names are lower case; path and query are percent-decoded
    ('+' in the query is a space); @ref target is the raw request target.
*/
struct http_request
{
    std::string method;
    std::string target;
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string remote_address;

    /** The value of the first query parameter named @p name, or empty. */
    std::string_view query_value(std::string_view name) const noexcept
    {
        return ::sock8::detail::find_value(query, name);
    }

    /** The value of the first header named @p name (lower case), or empty. */
    std::string_view header(std::string_view name) const noexcept
    {
        return ::sock8::detail::find_value(headers, name);
    }
};

/** The answer to an @ref http_request.

    @note `Content-Length`, `Server` and keep-alive are set by the
    transport; @ref headers adds others (for instance `Cache-Control`).
*/
struct http_response
{
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

/** Answers plain HTTP requests; an empty optional means "not mine" (404).

    @note Runs on the server's core strand, like every call into the core,
    so it may read or drive the core (emit, inspect state) without locks.
    Keep it short: it holds up every connection while it runs.
*/
using http_handler =
    std::function<std::optional<http_response>(http_request const&)>;

} // namespace sock8::beast

#endif
