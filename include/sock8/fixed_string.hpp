//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_FIXED_STRING_HPP
#define SOCK8_FIXED_STRING_HPP

#include <cstddef>
#include <string_view>

namespace sock8 {

/** A string of N characters usable as a template argument.

    Channel paths, mount prefixes and parameter names are compile-time
    strings: `sock8::channel<"chat.{roomId}.messages", message>`. A string
    literal converts to a fixed_string through the deduction guide, so the
    type is rarely spelled out.

    @tparam N The number of characters, without the terminating NUL.

    @note The members are public because a class type used as a template
    argument must be structural; treat `value` as read-only.
*/
template <std::size_t N>
struct fixed_string
{
    /// The characters followed by a NUL.
    char value[N + 1] = {};

    /// An empty-filled string; used when concatenating.
    constexpr fixed_string() noexcept = default;

    /** Copies a string literal.

        @param s A literal of exactly N characters.
    */
    constexpr fixed_string(char const (&s)[N + 1]) noexcept
    {
        for (std::size_t i = 0; i != N; ++i)
            value[i] = s[i];
    }

    /// @returns N.
    static constexpr std::size_t size() noexcept { return N; }

    /// @returns The characters as a view into this object.
    constexpr std::string_view view() const noexcept { return {value, N}; }

    /// @returns The characters as a view into this object.
    constexpr operator std::string_view() const noexcept { return view(); }

    /// Equal when the characters are equal.
    template <std::size_t M>
    friend constexpr bool operator==(fixed_string const& a,
                                     fixed_string<M> const& b) noexcept
    {
        return a.view() == b.view();
    }
};

template <std::size_t N>
fixed_string(char const (&)[N]) -> fixed_string<N - 1>;

/** Joins two fixed strings.

    @returns The characters of `a` followed by those of `b`.
*/
template <std::size_t N, std::size_t M>
constexpr fixed_string<N + M> operator+(fixed_string<N> const& a,
                                        fixed_string<M> const& b) noexcept
{
    fixed_string<N + M> out;

    for (std::size_t i = 0; i != N; ++i)
        out.value[i] = a.value[i];
    for (std::size_t i = 0; i != M; ++i)
        out.value[N + i] = b.value[i];
    return out;
}

} // namespace sock8

#endif
