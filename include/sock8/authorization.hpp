//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_AUTHORIZATION_HPP
#define SOCK8_AUTHORIZATION_HPP

#include <sock8/channel.hpp>
#include <sock8/topic.hpp>
#include <sock8/transport.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace sock8 {

namespace detail {

// What the server keeps of an authorization after the connect hook ran.
struct grant_set
{
    std::string identity;
    std::vector<bool> whole;
    std::vector<std::string> exact;

    bool any() const noexcept
    {
        return !exact.empty() ||
               std::find(whole.begin(), whole.end(), true) != whole.end();
    }

    bool allows(std::size_t index, std::string_view topic) const noexcept
    {
        if (whole[index])
            return true;
        return std::find(exact.begin(), exact.end(), topic) != exact.end();
    }
};

} // namespace detail

/** What a connection may do, decided by the application at connect time.

    The server's connect hook receives one of these for every connection
    request. Nothing is public by default: the hook identifies the
    connection and grants it channels, or the connection is refused.

    @tparam Tree the server's channel tree.

    @par Example
    @code
    server.on_connect([](sock8::authorization<app>& auth) {
        auto name = auth.request().query_value("name");
        if (name.empty())
            return auth.refuse("a name is required");
        auth.identify_as("user:" + std::string(name));
        auth.grant<chat_messages>();                      // every room
        auth.grant(notifications::topic("user:" + std::string(name)));
    });
    @endcode
*/
template <class Tree>
class authorization
{
public:
    explicit authorization(connect_request const& request)
        : request_(request)
    {
        grants_.whole.assign(Tree::size, false);
    }

    /** The request being authorized: path, query, headers, token. */
    connect_request const& request() const noexcept { return request_; }

    /** Sets the identity presence records are keyed by.

        One identity on several connections is one presence key with one
        entry per connection. Prefer opaque, prefixed identities such as
        `user:42`: some clients break on keys such as `__proto__`.
    */
    void identify_as(std::string identity)
    {
        grants_.identity = std::move(identity);
    }

    /** Grants every instance of channel @p Channel. */
    template <channel_type Channel>
    void grant()
    {
        static_assert(Tree::template contains<Channel>,
                      "sock8: this channel is not part of the server's tree");
        grants_.whole[Tree::template index_of<Channel>] = true;
    }

    /** Grants one instance of a channel: exactly this topic. */
    template <channel_type Channel>
    void grant(topic<Channel> const& instance)
    {
        static_assert(Tree::template contains<Channel>,
                      "sock8: this channel is not part of the server's tree");
        grants_.exact.push_back(instance.str());
    }

    /** Refuses the connection; the reason goes to the log hook. */
    void refuse(std::string reason)
    {
        refused_ = true;
        reason_ = std::move(reason);
    }

    /** True when the connection may be opened: identified, granted,
        not refused. */
    bool accepted() const noexcept
    {
        return !refused_ && !grants_.identity.empty() && grants_.any();
    }

    /** Why the connection is refused, in words for the log. */
    std::string_view refusal() const noexcept
    {
        if (refused_)
            return reason_;
        if (grants_.identity.empty())
            return "the connect hook identified no one";
        return "the connect hook granted no channel";
    }

    std::string const& identity() const noexcept { return grants_.identity; }

    /// @private Hands what was granted to the server.
    detail::grant_set release() && { return std::move(grants_); }

private:
    connect_request const& request_;
    detail::grant_set grants_;
    std::string reason_;
    bool refused_ = false;
};

} // namespace sock8

#endif
