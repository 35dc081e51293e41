//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_DETAIL_TOPIC_MATCH_HPP
#define SOCK8_DETAIL_TOPIC_MATCH_HPP

#include <sock8/detail/path_parse.hpp>
#include <sock8/error.hpp>
#include <sock8/path.hpp>

#include <cstddef>
#include <string_view>

namespace sock8::detail {

// The longest parameter value, in bytes. Topics are echoed in every frame
// and used as map keys on both ends, so an unbounded value would let one
// client inflate every broadcast and every lookup.
inline constexpr std::size_t max_parameter_bytes = 128;

inline constexpr error no_error = error{};

// A channel's segment table as the run-time matcher sees it.
struct segment_table
{
    segment const* segments;
    std::size_t count;
};

struct match_outcome
{
    error code = no_error;
    std::size_t parameter = 0; // path-order index of the failing parameter
    std::size_t segment = 0;   // its segment index
};

constexpr error check_value(std::string_view v) noexcept
{
    if (v.empty())
        return error::empty_parameter;
    if (v.size() > max_parameter_bytes)
        return error::parameter_too_long;
    for (char c : v)
        if (!is_topic_character(c))
            return error::invalid_parameter_character;
    return no_error;
}

// Splits a topic at its dots. Stores at most `capacity` parts and returns
// the real number of segments, so a caller can tell "too many" apart.
constexpr std::size_t split_topic(std::string_view topic,
                                  std::string_view* parts,
                                  std::size_t capacity) noexcept
{
    std::size_t n = 0;
    std::size_t begin = 0;

    for (;;) {
        std::size_t const dot = topic.find('.', begin);
        std::size_t const end =
            dot == std::string_view::npos ? topic.size() : dot;
        if (n < capacity)
            parts[n] = topic.substr(begin, end - begin);
        ++n;
        if (dot == std::string_view::npos)
            return n;
        begin = dot + 1;
    }
}

// True when the topic has the table's shape: same segment count and equal
// static segments. Parameter segments take any text here; their values
// are checked by check_parameters so that a bad value on a channel that
// otherwise fits is reported as a parameter error, not as unmatched.
constexpr bool fits_shape(segment_table const& t, std::string_view const* parts,
                          std::size_t n) noexcept
{
    if (t.count != n)
        return false;

    for (std::size_t i = 0; i != n; ++i)
        if (!t.segments[i].parameter && t.segments[i].text != parts[i])
            return false;
    return true;
}

constexpr match_outcome check_parameters(segment_table const& t,
                                         std::string_view const* parts) noexcept
{
    std::size_t k = 0;

    for (std::size_t i = 0; i != t.count; ++i) {
        if (!t.segments[i].parameter)
            continue;
        error const e = check_value(parts[i]);
        if (e != no_error)
            return {e, k, i};
        ++k;
    }
    return {};
}

// True when some topic could fit both tables: same segment count, and at
// each position equal static text or a parameter on either side.
constexpr bool overlap(segment_table const& a, segment_table const& b) noexcept
{
    if (a.count != b.count)
        return false;

    for (std::size_t i = 0; i != a.count; ++i) {
        segment const& x = a.segments[i];
        segment const& y = b.segments[i];
        if (!x.parameter && !y.parameter && x.text != y.text)
            return false;
    }
    return true;
}

} // namespace sock8::detail

#endif
