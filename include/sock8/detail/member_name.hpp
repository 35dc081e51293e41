//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_DETAIL_MEMBER_NAME_HPP
#define SOCK8_DETAIL_MEMBER_NAME_HPP

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/mp11/algorithm.hpp>

#include <string_view>
#include <type_traits>

namespace sock8::detail {

template <class T>
struct member_pointer_traits
{
    static constexpr bool value = false;
};

template <class M, class S>
struct member_pointer_traits<M S::*>
{
    static constexpr bool value = !std::is_function_v<M>;
    using struct_type = S;
    using member_type = M;
};

// The described name of the data member Member points to, or "" when
// Member is not a public described member of S. Member pointers of the
// same type are compared, so two members of one type are told apart.
template <class S, auto Member>
constexpr std::string_view member_name() noexcept
{
    std::string_view name;
    using members =
        boost::describe::describe_members<S, boost::describe::mod_public>;
    boost::mp11::mp_for_each<members>([&](auto d) {
        if constexpr (std::is_same_v<std::remove_cv_t<decltype(d.pointer)>,
                                     decltype(Member)>) {
            if (d.pointer == Member)
                name = d.name;
        }
    });
    return name;
}

} // namespace sock8::detail

#endif
