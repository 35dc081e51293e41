//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_DETAIL_URL_HPP
#define SOCK8_DETAIL_URL_HPP

// Small parsers for what a connection request carries: percent-encoded
// paths and queries, the subprotocol list and the base64 bearer token.
// They have no Beast dependency so the rules stay readable in one place.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sock8::detail {

using string_pairs = std::vector<std::pair<std::string, std::string>>;

// The value of the first pair named `name`, or empty: the lookup behind
// query_value() and header() of requests.
inline std::string_view find_value(string_pairs const& pairs,
                                   std::string_view name) noexcept
{
    for (auto const& [k, v] : pairs)
        if (k == name)
            return v;
    return {};
}

inline int hex_value(char c) noexcept
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// A malformed escape is kept as it is rather than refused: the connect
// hook decides what it accepts, and dropping bytes would hide the input.
inline std::string percent_decode(std::string_view s, bool plus_is_space)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char const c = s[i];
        if (c == '%' && i + 2 < s.size()) {
            int const hi = hex_value(s[i + 1]);
            int const lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
    return out;
}

// Splits a request target into its decoded path and its raw query.
inline std::pair<std::string, std::string_view>
split_target(std::string_view target)
{
    auto const q = target.find('?');
    if (q == std::string_view::npos)
        return {percent_decode(target, false), {}};
    return {percent_decode(target.substr(0, q), false), target.substr(q + 1)};
}

// Form-style query: '&' separates pairs, '+' is a space, a key without
// '=' has an empty value.
inline string_pairs parse_query(std::string_view query)
{
    string_pairs out;
    while (!query.empty()) {
        auto const amp = query.find('&');
        auto const item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{}
                                              : query.substr(amp + 1);
        if (item.empty())
            continue;

        auto const eq = item.find('=');
        if (eq == std::string_view::npos)
            out.emplace_back(percent_decode(item, true), std::string{});
        else
            out.emplace_back(percent_decode(item.substr(0, eq), true),
                             percent_decode(item.substr(eq + 1), true));
    }
    return out;
}

// The offered subprotocols, in order, without surrounding blanks.
inline std::vector<std::string_view> split_protocols(std::string_view list)
{
    std::vector<std::string_view> out;
    while (!list.empty()) {
        auto const comma = list.find(',');
        auto item = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{}
                                               : list.substr(comma + 1);
        while (!item.empty() && (item.front() == ' ' || item.front() == '\t'))
            item.remove_prefix(1);
        while (!item.empty() && (item.back() == ' ' || item.back() == '\t'))
            item.remove_suffix(1);
        if (!item.empty())
            out.push_back(item);
    }
    return out;
}

inline int base64_value(char c) noexcept
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    // phoenix.js encodes with btoa, the standard alphabet with its padding
    // stripped, although the prefix says base64url: accept both alphabets.
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

// Decodes base64 or base64url, padded or not; empty on a bad character.
inline std::optional<std::string> base64_decode(std::string_view s)
{
    while (!s.empty() && s.back() == '=')
        s.remove_suffix(1);
    if (s.size() % 4 == 1)
        return std::nullopt;

    std::string out;
    out.reserve(s.size() * 3 / 4);
    unsigned bits = 0;
    int count = 0;
    for (char const c : s) {
        int const v = base64_value(c);
        if (v < 0)
            return std::nullopt;
        bits = (bits << 6) | static_cast<unsigned>(v);
        count += 6;
        if (count >= 8) {
            count -= 8;
            out.push_back(static_cast<char>((bits >> count) & 0xFF));
        }
    }
    return out;
}

inline constexpr std::string_view bearer_prefix = "base64url.bearer.phx.";

// Phoenix V2 is the only protocol sock8 speaks. phoenix.js always sends
// vsn, so a request without one comes from a hand-written client, which
// most likely speaks the array frames it was written against: accept it.
inline bool accepts_vsn(std::optional<std::string_view> vsn) noexcept
{
    if (!vsn)
        return true;
    return *vsn == "2" || vsn->starts_with("2.");
}

} // namespace sock8::detail

#endif
