//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_DECODE_HPP
#define SOCK8_DECODE_HPP

#include <sock8/validation.hpp>
#include <sock8/detail/schema_text.hpp>
#include <sock8/detail/schema_traits.hpp>

#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/system/result.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace sock8 {
namespace detail {

struct decoder
{
    error_sink sink;
    bool strict;
};

template <class T>
void decode_value(boost::json::value const& v, T& out, decoder& d,
                  path_node const* at);

inline void fail_type(decoder& d, path_node const* at, std::string expected,
                      boost::json::value const& v)
{
    d.sink.add(at, error::wrong_type, std::move(expected), found_of(v));
}

// A wrong type where an optional was read also allows null: say so.
inline void mention_null(field_error& e, path_node const* at)
{
    if (e.code == error::wrong_type && e.path == pointer_of(at) &&
        !e.expected.ends_with(" or null"))
        e.expected.append(" or null");
}

template <class T>
void decode_integer(boost::json::value const& v, T& out, decoder& d,
                    path_node const* at)
{
    auto const out_of_range = [&] {
        d.sink.add(at, error::out_of_range, integer_range_text<T>(),
                   found_of(v));
    };

    switch (v.kind()) {
    case boost::json::kind::int64: {
        auto const n = v.get_int64();
        if (!std::in_range<T>(n))
            return out_of_range();
        out = static_cast<T>(n);
        return;
    }
    case boost::json::kind::uint64: {
        auto const n = v.get_uint64();
        if (!std::in_range<T>(n))
            return out_of_range();
        out = static_cast<T>(n);
        return;
    }
    case boost::json::kind::double_: {
        // 3.0 is an integer written by a JavaScript client; 3.5 is not
        double const x = v.get_double();
        if (!std::isfinite(x) || std::trunc(x) != x) {
            d.sink.add(at, error::not_integral, "an integer", found_of(v));
            return;
        }
        double const limit =
            std::ldexp(1.0, std::numeric_limits<T>::digits);
        double const low = std::is_signed_v<T> ? -limit : 0.0;
        if (x < low || x >= limit)
            return out_of_range();
        out = static_cast<T>(x);
        return;
    }
    default:
        fail_type(d, at, "an integer", v);
    }
}

template <class T>
void decode_floating(boost::json::value const& v, T& out, decoder& d,
                     path_node const* at)
{
    double x;
    switch (v.kind()) {
    case boost::json::kind::double_: x = v.get_double(); break;
    case boost::json::kind::int64:
        x = static_cast<double>(v.get_int64());
        break;
    case boost::json::kind::uint64:
        x = static_cast<double>(v.get_uint64());
        break;
    default: return fail_type(d, at, "a number", v);
    }

    if (!std::isfinite(x)) {
        d.sink.add(at, error::not_finite, "a finite number", found_of(v));
        return;
    }
    if constexpr (std::is_same_v<T, float>) {
        constexpr double max = std::numeric_limits<float>::max();
        if (x > max || x < -max) {
            std::string expected = "a number between ";
            append_number(expected, -std::numeric_limits<float>::max());
            expected.append(" and ");
            append_number(expected, std::numeric_limits<float>::max());
            d.sink.add(at, error::out_of_range, std::move(expected),
                       found_of(v));
            return;
        }
    }
    out = static_cast<T>(x);
}

template <class E>
void decode_enum(boost::json::value const& v, E& out, decoder& d,
                 path_node const* at)
{
    if (!v.is_string())
        return fail_type(d, at, expected_of<E>(), v);

    std::string_view const s = v.get_string();
    bool found = false;
    boost::mp11::mp_for_each<enumerators_t<E>>([&](auto e) {
        if (!found && s == e.name) {
            out = e.value;
            found = true;
        }
    });
    if (!found) {
        std::string what;
        append_quoted(what, s);
        d.sink.add(at, error::unknown_enumerator, expected_of<E>(),
                   std::move(what));
    }
}

template <class T>
void decode_vector(boost::json::value const& v, T& out, decoder& d,
                   path_node const* at)
{
    if (!v.is_array())
        return fail_type(d, at, "an array", v);

    // resize keeps the elements' storage, so a steady stream of records
    // of the same shape decodes without allocating
    auto const& a = v.get_array();
    out.resize(a.size());
    for (std::size_t i = 0; i < a.size() && !d.sink.stopped(); ++i) {
        path_node const here{at, {}, i, true};
        if constexpr (std::is_same_v<T, std::vector<bool>>) {
            bool b = false;
            decode_value(a[i], b, d, &here);
            out[i] = b;
        } else {
            decode_value(a[i], out[i], d, &here);
        }
    }
}

template <class T>
void decode_map(boost::json::value const& v, T& out, decoder& d,
                path_node const* at)
{
    if (!v.is_object())
        return fail_type(d, at, "an object", v);

    // keep the entries whose keys come again, reusing their storage
    auto const& o = v.get_object();
    for (auto it = out.begin(); it != out.end();) {
        if (o.contains(it->first))
            ++it;
        else
            it = out.erase(it);
    }

    std::string key;
    for (auto const& kv : o) {
        if (d.sink.stopped())
            return;
        key.assign(kv.key().data(), kv.key().size());
        auto it = out.find(key);
        if (it == out.end())
            it = out.emplace(key, typename T::mapped_type{}).first;
        path_node const here{at, kv.key(), 0, false};
        decode_value(kv.value(), it->second, d, &here);
    }
}

template <class M>
void reset_optional(M& m) noexcept
{
    if constexpr (is_constrained<M>::value)
        m.value().reset();
    else
        m.reset();
}

template <class T>
bool is_member_name(std::string_view key) noexcept
{
    bool found = false;
    boost::mp11::mp_for_each<members_t<T>>(
        [&](auto m) { found = found || key == m.name; });
    return found;
}

template <class T>
void report_unknown_keys(boost::json::object const& o, decoder& d,
                         path_node const* at)
{
    for (auto const& kv : o) {
        if (d.sink.stopped())
            return;
        if (is_member_name<T>(kv.key()))
            continue;

        std::string expected = "only the members ";
        bool first = true;
        boost::mp11::mp_for_each<members_t<T>>([&](auto m) {
            expected.append(first ? "" : ", ");
            first = false;
            expected.append(m.name);
        });
        std::string found = "the key ";
        append_quoted(found, kv.key());
        path_node const here{at, kv.key(), 0, false};
        d.sink.add(&here, error::unknown_member, std::move(expected),
                   std::move(found));
    }
}

template <class T>
void decode_struct(boost::json::value const& v, T& out, decoder& d,
                   path_node const* at)
{
    if (!v.is_object())
        return fail_type(d, at, "an object", v);

    auto const& o = v.get_object();
    boost::mp11::mp_for_each<members_t<T>>([&](auto m) {
        if (d.sink.stopped())
            return;
        using member = member_type_t<T, decltype(m)>;
        path_node const here{at, m.name, 0, false};
        auto const* mv = o.if_contains(m.name);
        if (mv != nullptr) {
            decode_value(*mv, out.*m.pointer, d, &here);
        } else if constexpr (is_optional_member_v<member>) {
            reset_optional(out.*m.pointer);
        } else {
            d.sink.add(&here, error::missing_member, expected_of<member>(),
                       "nothing (the member is missing)");
        }
    });

    if (d.strict)
        report_unknown_keys<T>(o, d, at);
}

template <class T>
void decode_value(boost::json::value const& v, T& out, decoder& d,
                  path_node const* at)
{
    if constexpr (std::is_same_v<T, bool>) {
        if (v.is_bool())
            out = v.get_bool();
        else
            fail_type(d, at, "true or false", v);
    } else if constexpr (is_integer_v<T>) {
        decode_integer(v, out, d, at);
    } else if constexpr (is_floating_v<T>) {
        decode_floating(v, out, d, at);
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (v.is_string()) {
            auto const& s = v.get_string();
            out.assign(s.data(), s.size());
        } else {
            fail_type(d, at, "a string", v);
        }
    } else if constexpr (std::is_enum_v<T>) {
        decode_enum(v, out, d, at);
    } else if constexpr (is_optional<T>::value) {
        if (v.is_null()) {
            out.reset();
            return;
        }
        if (!out)
            out.emplace();
        std::size_t const before = d.sink.count();
        decode_value(v, *out, d, at);
        if (d.sink.count() > before)
            mention_null(d.sink.failure().errors[before], at);
    } else if constexpr (is_vector<T>::value) {
        decode_vector(v, out, d, at);
    } else if constexpr (is_string_map<T>::value) {
        decode_map(v, out, d, at);
    } else if constexpr (is_constrained<T>::value) {
        std::size_t const before = d.sink.count();
        decode_value(v, out.value(), d, at);
        if (d.sink.count() == before && !d.sink.stopped())
            check_constraints(out, d.sink, at);
    } else {
        decode_struct(v, out, d, at);
    }
}

// Member-wise merge of a patch into a record of the same type.
template <class T>
void merge_value(boost::json::value const& patch, T& record, decoder& d,
                 path_node const* at)
{
    if constexpr (is_described_class_v<T>) {
        if (!patch.is_object())
            return fail_type(d, at, "an object", patch);

        auto const& o = patch.get_object();
        boost::mp11::mp_for_each<members_t<T>>([&](auto m) {
            if (d.sink.stopped())
                return;
            auto const* mv = o.if_contains(m.name);
            if (mv == nullptr)
                return;
            path_node const here{at, m.name, 0, false};
            merge_value(*mv, record.*m.pointer, d, &here);
        });
        if (d.strict)
            report_unknown_keys<T>(o, d, at);
    } else if constexpr (is_optional_struct_v<T>) {
        // a present nested record is merged; an absent one is decoded
        if (!patch.is_null() && record)
            merge_value(patch, *record, d, at);
        else
            decode_value(patch, record, d, at);
    } else {
        decode_value(patch, record, d, at);
    }
}

} // namespace detail

/** Decodes a JSON value into out, reusing out's storage (the hot path).

    Every problem is reported, up to o.max_errors. Members the schema does
    not name are dropped, or reported when o.strict. An absent or null
    member of optional type makes it empty.

    @param v the parsed JSON value
    @param out the destination; on failure it is valid but unspecified
    @param failure cleared, then filled with the problems found
    @param o decode options
    @returns true when v fits the schema
    @note Allocates only what out needs to hold the values (and on the
    error path).
*/
template <schema_type T>
bool decode_into(boost::json::value const& v, T& out,
                 validation_failure& failure, decode_options const& o = {})
{
    failure.clear();
    detail::decoder d{detail::error_sink(failure, o.max_errors), o.strict};
    detail::decode_value(v, out, d, nullptr);
    return failure.empty();
}

/** Decodes a JSON value into a new T.

    @param v the parsed JSON value
    @param o decode options
    @returns the value, or every problem found
*/
template <schema_type T>
boost::system::result<T, validation_failure>
try_decode(boost::json::value const& v, decode_options const& o = {})
{
    T out{};
    validation_failure f;
    if (decode_into(v, out, f, o))
        return boost::system::result<T, validation_failure>(
            boost::system::in_place_value, std::move(out));
    return boost::system::result<T, validation_failure>(
        boost::system::in_place_error, std::move(f));
}

/** Decodes a JSON value into a new T.

    @param v the parsed JSON value
    @param o decode options
    @returns the value
    @throws validation_exception listing every problem found
*/
template <schema_type T>
T decode(boost::json::value const& v, decode_options const& o = {})
{
    T out{};
    validation_failure f;
    if (!decode_into(v, out, f, o))
        throw validation_exception(std::move(f));
    return out;
}

/** Applies a partial update: every member present in patch overwrites the
    one in record; nested described structs are merged member by member;
    null clears an optional; then the whole result is validated.

    @param patch a JSON object with some of T's members
    @param record the record to update; unchanged when false is returned
    @param failure cleared, then filled with the problems found
    @param o decode options (strict applies to the patch's keys)
    @returns true when the update was applied
    @note Works on a per-thread scratch copy of T and swaps it in, so a
    steady stream of updates reuses storage. A T that is not a described
    struct is replaced as a whole.
*/
template <schema_type T>
bool merge_into(boost::json::value const& patch, T& record,
                validation_failure& failure, decode_options const& o = {})
{
    thread_local T scratch{};
    scratch = record;

    failure.clear();
    detail::decoder d{detail::error_sink(failure, o.max_errors), o.strict};
    detail::merge_value(patch, scratch, d, nullptr);
    if (!failure.empty())
        return false;

    detail::validate_value(scratch, d.sink, nullptr);
    if (!failure.empty())
        return false;

    using std::swap;
    swap(record, scratch);
    return true;
}

/// Not a schema type: says why at compile time.
template <class T>
    requires(!schema_type<T>)
bool decode_into(boost::json::value const&, T&, validation_failure&,
                 decode_options const& = {})
{
    detail::diagnose<T>();
    return false;
}

/// Not a schema type: says why at compile time.
template <class T>
    requires(!schema_type<T>)
boost::system::result<T, validation_failure>
try_decode(boost::json::value const&, decode_options const& = {})
{
    detail::diagnose<T>();
    return boost::system::result<T, validation_failure>(
        boost::system::in_place_error, validation_failure{});
}

/// Not a schema type: says why at compile time.
template <class T>
    requires(!schema_type<T>)
T decode(boost::json::value const&, decode_options const& = {})
{
    detail::diagnose<T>();
    return T{};
}

/// Not a schema type: says why at compile time.
template <class T>
    requires(!schema_type<T>)
bool merge_into(boost::json::value const&, T&, validation_failure&,
                decode_options const& = {})
{
    detail::diagnose<T>();
    return false;
}

} // namespace sock8

#endif
