//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_DETAIL_SCHEMA_TRAITS_HPP
#define SOCK8_DETAIL_SCHEMA_TRAITS_HPP

#include <sock8/constraints.hpp>

#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>

#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace sock8::detail {

template <class T>
inline constexpr bool always_false = false;

template <class T>
struct is_optional : std::false_type
{
};
template <class T>
struct is_optional<std::optional<T>> : std::true_type
{
};

// An optional nested record, which a partial update merges into.
template <class T>
inline constexpr bool is_optional_struct_v = false;
template <class T>
inline constexpr bool is_optional_struct_v<std::optional<T>> =
    boost::describe::has_describe_members<T>::value;

template <class T>
struct is_vector : std::false_type
{
};
template <class T>
struct is_vector<std::vector<T>> : std::true_type
{
};

template <class T>
struct is_string_map : std::false_type
{
};
template <class T>
struct is_string_map<std::map<std::string, T>> : std::true_type
{
};

template <class T>
struct is_any_map : std::false_type
{
};
template <class K, class T, class C, class A>
struct is_any_map<std::map<K, T, C, A>> : std::true_type
{
};

template <class T>
struct is_length : std::false_type
{
};
template <std::size_t A, std::size_t B>
struct is_length<length<A, B>> : std::true_type
{
};

template <class T>
struct is_range : std::false_type
{
};
template <auto A, auto B>
struct is_range<range<A, B>> : std::true_type
{
};

template <class T>
struct is_items : std::false_type
{
};
template <std::size_t A, std::size_t B>
struct is_items<items<A, B>> : std::true_type
{
};

template <class T>
inline constexpr bool is_integer_v =
    std::is_integral_v<T> && !std::is_same_v<T, bool> &&
    !std::is_same_v<T, char> && !std::is_same_v<T, wchar_t> &&
    !std::is_same_v<T, char8_t> && !std::is_same_v<T, char16_t> &&
    !std::is_same_v<T, char32_t>;

template <class T>
inline constexpr bool is_floating_v =
    std::is_same_v<T, float> || std::is_same_v<T, double>;

template <class T>
inline constexpr bool is_described_enum_v =
    std::is_enum_v<T> && boost::describe::has_describe_enumerators<T>::value;

template <class T>
inline constexpr bool is_described_class_v =
    std::is_class_v<T> && !std::is_union_v<T> &&
    boost::describe::has_describe_members<T>::value;

// Public data members, the bases' included, in declaration order.
template <class T>
using members_t =
    boost::describe::describe_members<T, boost::describe::mod_public |
                                             boost::describe::mod_inherited>;

template <class T, class D>
using member_type_t =
    std::remove_cvref_t<decltype(std::declval<T const&>().*D::pointer)>;

template <class T>
using enumerators_t = boost::describe::describe_enumerators<T>;

// The type a constraint looks at: constraints on an optional apply to the
// value when there is one.
template <class T>
struct unwrap_optional
{
    using type = T;
};
template <class T>
struct unwrap_optional<std::optional<T>>
{
    using type = T;
};

template <class T>
struct unwrap_constrained
{
    using type = T;
};
template <class T, class... C>
struct unwrap_constrained<constrained<T, C...>>
{
    using type = T;
};

// A member that may be absent: an optional, possibly constrained.
template <class M>
inline constexpr bool is_optional_member_v = is_optional<M>::value;

template <class T, class... C>
inline constexpr bool is_optional_member_v<constrained<T, C...>> =
    is_optional<T>::value;

template <class C, class T>
consteval bool constraint_fits()
{
    using U = typename unwrap_optional<T>::type;
    if constexpr (is_length<C>::value)
        return std::is_same_v<U, std::string>;
    else if constexpr (is_range<C>::value)
        return is_integer_v<U> || is_floating_v<U>;
    else if constexpr (is_items<C>::value)
        return is_vector<U>::value || is_string_map<U>::value;
    else
        return false;
}

template <class T>
struct schema_check;

template <class T>
consteval bool is_schema()
{
    return schema_check<T>::value;
}

template <class T, class L>
struct members_are_schema;

template <class T, template <class...> class L, class... D>
struct members_are_schema<T, L<D...>>
{
    static constexpr bool value = (is_schema<member_type_t<T, D>>() && ...);
};

template <class T>
consteval bool is_leaf_or_struct()
{
    if constexpr (std::is_same_v<T, bool> || is_integer_v<T> ||
                  is_floating_v<T> || std::is_same_v<T, std::string>)
        return true;
    else if constexpr (std::is_enum_v<T>)
        return is_described_enum_v<T>;
    else if constexpr (is_described_class_v<T>)
        return members_are_schema<T, members_t<T>>::value;
    else
        return false;
}

template <class T>
struct schema_check
{
    static constexpr bool value = is_leaf_or_struct<T>();
};

template <class T>
struct schema_check<std::optional<T>>
{
    static constexpr bool value = is_schema<T>();
};

template <class T>
struct schema_check<std::vector<T>>
{
    static constexpr bool value = is_schema<T>();
};

template <class T>
struct schema_check<std::map<std::string, T>>
{
    static constexpr bool value = is_schema<T>();
};

template <class T, class... C>
struct schema_check<constrained<T, C...>>
{
    static constexpr bool value =
        !is_constrained<T>::value && is_schema<T>() &&
        (constraint_fits<C, T>() && ...);
};

template <class T>
struct element_of
{
    using type = typename T::value_type;
};
template <class T>
struct element_of<std::map<std::string, T>>
{
    using type = T;
};

template <class T>
constexpr void diagnose();

template <class T>
constexpr void diagnose_if_bad()
{
    if constexpr (!is_schema<T>())
        diagnose<T>();
}

template <class T, class L>
struct diagnose_members;

template <class T, template <class...> class L, class... D>
struct diagnose_members<T, L<D...>>
{
    static constexpr void run()
    {
        (diagnose_if_bad<member_type_t<T, D>>(), ...);
    }
};

template <class T, class C>
constexpr void diagnose_constraint()
{
    static_assert(constraint_fits<C, T>(),
                  "sock8: a constraint does not fit the type it is on: "
                  "length<> needs std::string, range<> an integer or "
                  "floating point type, items<> a std::vector or std::map");
}

// Reached only for a type that is not a schema type: finds the part that
// is not and says why, in words, with a static_assert.
template <class T>
constexpr void diagnose()
{
    if constexpr (is_optional<T>::value || is_vector<T>::value ||
                  is_string_map<T>::value) {
        diagnose_if_bad<typename element_of<T>::type>();
    } else if constexpr (is_constrained<T>::value) {
        using inner = typename T::value_type;
        static_assert(!is_constrained<inner>::value,
                      "sock8: constrained<constrained<...>> is not allowed; "
                      "list all constraints in one constrained<>");
        diagnose_if_bad<inner>();
        [&]<class U, class... C>(constrained<U, C...>*) {
            (diagnose_constraint<U, C>(), ...);
        }(static_cast<T*>(nullptr));
    } else if constexpr (is_described_class_v<T>) {
        diagnose_members<T, members_t<T>>::run();
    } else if constexpr (is_any_map<T>::value) {
        static_assert(always_false<T>,
                      "sock8: a std::map in a schema must be "
                      "std::map<std::string, T> (JSON object keys are "
                      "strings)");
    } else if constexpr (std::is_enum_v<T>) {
        static_assert(always_false<T>,
                      "sock8: this enum is not described; add "
                      "BOOST_DESCRIBE_ENUM(type, names...) after it to use "
                      "it in a schema");
    } else if constexpr (std::is_class_v<T>) {
        static_assert(always_false<T>,
                      "sock8: this struct is not described; add "
                      "BOOST_DESCRIBE_STRUCT(type, (bases), (members...)) "
                      "after it to use it in a schema");
    } else {
        static_assert(always_false<T>,
                      "sock8: unsupported type in a schema; use bool, an "
                      "integer, float, double, std::string, a described "
                      "enum or struct, std::optional, std::vector, "
                      "std::map<std::string, T> or sock8::constrained");
    }
}

} // namespace sock8::detail

namespace sock8 {

/** A type sock8 can decode, validate, encode and describe as JSON Schema.

    bool; every integer type except the character types; float, double;
    std::string; an enum described with BOOST_DESCRIBE_ENUM (by name);
    std::optional, std::vector and std::map<std::string, T> of schema
    types; a struct described with BOOST_DESCRIBE_STRUCT whose public data
    members are schema types; @ref constrained of a schema type.
*/
template <class T>
concept schema_type = detail::is_schema<T>();

/** A schema type that is a described struct (it encodes as an object). */
template <class T>
concept described_struct =
    detail::is_described_class_v<T> && schema_type<T>;

} // namespace sock8

#endif
