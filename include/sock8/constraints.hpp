//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_CONSTRAINTS_HPP
#define SOCK8_CONSTRAINTS_HPP

#include <compare>
#include <concepts>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <utility>

namespace sock8 {

/** No upper bound, for @ref length and @ref items. */
inline constexpr std::size_t unbounded =
    std::numeric_limits<std::size_t>::max();

/** A string holds between Min and Max Unicode code points (inclusive).

    @tparam Min the least number of code points
    @tparam Max the greatest number of code points, or @ref unbounded
    @note Code points are counted from UTF-8 lead bytes; the bytes are not
    checked for validity.
*/
template <std::size_t Min, std::size_t Max = unbounded>
struct length
{
    static_assert(Min <= Max, "sock8: length<Min, Max> needs Min <= Max");
    static constexpr std::size_t min = Min;
    static constexpr std::size_t max = Max;
};

/** A number lies between Min and Max (inclusive).

    @tparam Min the least value; an integer or a floating point constant
    @tparam Max the greatest value
    @note Floating point bounds use C++20 floating point template
    arguments: `range<0.0, 1.0>`.
*/
template <auto Min, auto Max>
struct range
{
    static_assert(!(Max < Min), "sock8: range<Min, Max> needs Min <= Max");
    static constexpr auto min = Min;
    static constexpr auto max = Max;
};

/** An array (or string map) holds between Min and Max items (inclusive).

    @tparam Min the least number of items
    @tparam Max the greatest number of items, or @ref unbounded
*/
template <std::size_t Min, std::size_t Max = unbounded>
struct items
{
    static_assert(Min <= Max, "sock8: items<Min, Max> needs Min <= Max");
    static constexpr std::size_t min = Min;
    static constexpr std::size_t max = Max;
};

template <class T, class... Constraints>
class constrained;

namespace detail {

template <class T>
struct is_constrained : std::false_type
{
};

template <class T, class... C>
struct is_constrained<constrained<T, C...>> : std::true_type
{
};

} // namespace detail

/** A value of type T together with the constraints it must meet.

    The constraints (@ref length, @ref range, @ref items) are checked on
    every decode, every @ref validate and every checked encode; assigning
    a value does not check them, so a record can be built step by step.

    @tparam T the schema type held
    @tparam Constraints the constraints, read next to the member
*/
template <class T, class... Constraints>
class constrained
{
public:
    /// The type held.
    using value_type = T;

    /// Holds a value-initialized T.
    constrained() = default;

    /** Holds a T made from u.

        @param u anything T can be constructed from
    */
    template <class U>
        requires(!detail::is_constrained<std::remove_cvref_t<U>>::value &&
                 std::constructible_from<T, U &&>)
    constexpr explicit(!std::is_convertible_v<U&&, T>) constrained(U&& u)
        : value_(std::forward<U>(u))
    {
    }

    /** Assigns to the held value, reusing its storage.

        @param u anything T can be assigned from
        @returns *this
    */
    template <class U>
        requires(!detail::is_constrained<std::remove_cvref_t<U>>::value &&
                 std::is_assignable_v<T&, U &&>)
    constexpr constrained& operator=(U&& u)
    {
        value_ = std::forward<U>(u);
        return *this;
    }

    /// The held value.
    constexpr T& value() & noexcept { return value_; }
    /// The held value.
    constexpr T const& value() const& noexcept { return value_; }
    /// The held value.
    constexpr T& operator*() & noexcept { return value_; }
    /// The held value.
    constexpr T const& operator*() const& noexcept { return value_; }
    /// Member access to the held value.
    constexpr T* operator->() noexcept { return &value_; }
    /// Member access to the held value.
    constexpr T const* operator->() const noexcept { return &value_; }
    /// The held value.
    constexpr operator T const&() const noexcept { return value_; }

    /// Compares the held values.
    friend constexpr bool operator==(constrained const&,
                                     constrained const&) = default;

    /// Compares the held value with a value it can be compared with.
    template <class U>
        requires(!detail::is_constrained<U>::value &&
                 requires(T const& t, U const& u) {
                     { t == u } -> std::convertible_to<bool>;
                 })
    friend constexpr bool operator==(constrained const& a, U const& b)
    {
        return a.value_ == b;
    }

    /// Orders by the held values.
    friend constexpr auto operator<=>(constrained const& a,
                                      constrained const& b)
        requires std::three_way_comparable<T>
    {
        return a.value_ <=> b.value_;
    }

private:
    T value_{};
};

} // namespace sock8

#endif
