//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_PATH_HPP
#define SOCK8_PATH_HPP

#include <sock8/detail/path_parse.hpp>
#include <sock8/fixed_string.hpp>

#include <array>
#include <cstddef>
#include <string_view>

namespace sock8 {

/** One segment of a path pattern: static text or a parameter. */
struct segment
{
    /// The static text, or the parameter's name without braces.
    std::string_view text;

    /// True for a `{name}` segment.
    bool parameter = false;

    friend constexpr bool operator==(segment const&,
                                     segment const&) noexcept = default;
};

namespace detail {

template <fixed_string Pattern>
constexpr auto make_segments() noexcept
{
    constexpr std::size_t n = count_segments(Pattern.view());
    std::array<segment, n> out{};

    for (std::size_t i = 0; i != n; ++i) {
        std::string_view const s = segment_at(Pattern.view(), i);
        if (is_parameter_segment(s))
            out[i] = {s.substr(1, s.size() - 2), true};
        else
            out[i] = {s, false};
    }
    return out;
}

template <fixed_string Pattern>
constexpr auto make_parameter_names() noexcept
{
    constexpr auto all = make_segments<Pattern>();
    constexpr std::size_t n = count_parameters(Pattern.view());
    std::array<std::string_view, n> out{};
    std::size_t k = 0;

    for (segment const& s : all)
        if (s.parameter && k != n)
            out[k++] = s.text;
    return out;
}

} // namespace detail

/** A checked path pattern and its segment table, built at compile time.

    A pattern is a non-empty list of segments separated by dots. A segment
    is either static text (letters, digits and `_ - : @ ~ + = !`) or a
    parameter `{name}`, where name starts with a letter and continues with
    letters, digits and underscores. A parameter name appears once per
    path. Every violation is a static_assert whose message starts with
    "sock8: ".

    @tparam Pattern The pattern, such as `"chat.{roomId}.messages"`.
*/
template <fixed_string Pattern>
struct path
{
private:
    static constexpr detail::path_status status_ =
        detail::check_path(Pattern.view());

    static_assert(status_ != detail::path_status::empty_path,
                  "sock8: a channel path must not be empty");
    static_assert(status_ != detail::path_status::empty_segment,
                  "sock8: a path has an empty segment; check for a leading, "
                  "trailing or double dot");
    static_assert(status_ != detail::path_status::unclosed_brace,
                  "sock8: a '{' in the path is not closed; a parameter is "
                  "written {name}");
    static_assert(status_ != detail::path_status::stray_brace,
                  "sock8: a path segment has a stray brace; a parameter is "
                  "written {name}");
    static_assert(status_ != detail::path_status::mixed_brace,
                  "sock8: a parameter must be a whole segment; do not mix "
                  "text and braces in one segment");
    static_assert(status_ != detail::path_status::bad_parameter_name,
                  "sock8: a parameter name must start with a letter and "
                  "contain only letters, digits and underscores");
    static_assert(status_ != detail::path_status::bad_static_character,
                  "sock8: a static path segment may contain only letters, "
                  "digits and _ - : @ ~ + = !");
    static_assert(status_ != detail::path_status::repeated_parameter,
                  "sock8: a parameter name appears twice in this path "
                  "(check the mount prefix too)");

public:
    /// The pattern as written.
    static constexpr std::string_view pattern = Pattern.view();

    /// The segments in order; views into the pattern.
    static constexpr std::array segments = detail::make_segments<Pattern>();

    /// The number of segments.
    static constexpr std::size_t segment_count = segments.size();

    /// The parameter names in path order, without braces.
    static constexpr std::array parameter_names =
        detail::make_parameter_names<Pattern>();

    /// The number of parameters.
    static constexpr std::size_t parameter_count = parameter_names.size();

    /** The position of a parameter in path order.

        @param name A parameter name without braces.
        @returns Its index, or parameter_count when the path has no such
        parameter.
    */
    static constexpr std::size_t parameter_index(std::string_view name) noexcept
    {
        for (std::size_t i = 0; i != parameter_count; ++i)
            if (parameter_names[i] == name)
                return i;
        return parameter_count;
    }
};

} // namespace sock8

#endif
