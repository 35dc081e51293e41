//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_JSON_SCHEMA_HPP
#define SOCK8_JSON_SCHEMA_HPP

#include <sock8/constraints.hpp>
#include <sock8/detail/schema_traits.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <limits>

namespace sock8 {
namespace detail {

template <class T>
boost::json::object schema_of();

template <class T, class C>
void apply_constraint(boost::json::object& s)
{
    if constexpr (is_length<C>::value) {
        if (C::min > 0)
            s["minLength"] = C::min;
        if (C::max != unbounded)
            s["maxLength"] = C::max;
    } else if constexpr (is_range<C>::value) {
        s["minimum"] = C::min;
        s["maximum"] = C::max;
    } else {
        constexpr bool array = is_vector<T>::value;
        if (C::min > 0)
            s[array ? "minItems" : "minProperties"] = C::min;
        if (C::max != unbounded)
            s[array ? "maxItems" : "maxProperties"] = C::max;
    }
}

template <class T, class... C>
boost::json::object constrained_schema(constrained<T, C...>*)
{
    if constexpr (is_optional<T>::value) {
        using core = typename T::value_type;
        boost::json::object inner = schema_of<core>();
        (apply_constraint<core, C>(inner), ...);
        return boost::json::object{
            {"anyOf", boost::json::array{inner, {{"type", "null"}}}}};
    } else {
        boost::json::object s = schema_of<T>();
        (apply_constraint<T, C>(s), ...);
        return s;
    }
}

template <class T>
boost::json::object schema_of()
{
    if constexpr (std::is_same_v<T, bool>) {
        return {{"type", "boolean"}};
    } else if constexpr (is_integer_v<T>) {
        return {{"type", "integer"},
                {"minimum", std::numeric_limits<T>::min()},
                {"maximum", std::numeric_limits<T>::max()}};
    } else if constexpr (is_floating_v<T>) {
        return {{"type", "number"}};
    } else if constexpr (std::is_same_v<T, std::string>) {
        return {{"type", "string"}};
    } else if constexpr (std::is_enum_v<T>) {
        boost::json::array names;
        boost::mp11::mp_for_each<enumerators_t<T>>(
            [&](auto e) { names.emplace_back(e.name); });
        return {{"type", "string"}, {"enum", std::move(names)}};
    } else if constexpr (is_optional<T>::value) {
        return {{"anyOf",
                 boost::json::array{schema_of<typename T::value_type>(),
                                    {{"type", "null"}}}}};
    } else if constexpr (is_vector<T>::value) {
        return {{"type", "array"},
                {"items", schema_of<typename T::value_type>()}};
    } else if constexpr (is_string_map<T>::value) {
        return {{"type", "object"},
                {"additionalProperties",
                 schema_of<typename T::mapped_type>()}};
    } else if constexpr (is_constrained<T>::value) {
        return constrained_schema(static_cast<T*>(nullptr));
    } else {
        boost::json::object properties;
        boost::json::array required;
        boost::mp11::mp_for_each<members_t<T>>([&](auto m) {
            using member = member_type_t<T, decltype(m)>;
            properties[m.name] = schema_of<member>();
            if (!is_optional_member_v<member>)
                required.emplace_back(m.name);
        });
        return {{"type", "object"},
                {"properties", std::move(properties)},
                {"required", std::move(required)},
                {"additionalProperties", false}};
    }
}

} // namespace detail

/** A JSON Schema (draft 2020-12) document describing T as decode reads it.

    Nested structs are written inline. Integers carry the bounds of their
    C++ type; constraints become minLength/maxLength, minimum/maximum and
    minItems/maxItems; optional members are not required and also accept
    null; structs do not allow additional properties.

    @returns the schema, with "$schema" set
*/
template <schema_type T>
boost::json::value json_schema()
{
    boost::json::object s;
    s["$schema"] = "https://json-schema.org/draft/2020-12/schema";
    for (auto& kv : detail::schema_of<T>())
        s[kv.key()] = std::move(kv.value());
    return s;
}

/// Not a schema type: says why at compile time.
template <class T>
    requires(!schema_type<T>)
boost::json::value json_schema()
{
    detail::diagnose<T>();
    return {};
}

} // namespace sock8

#endif
