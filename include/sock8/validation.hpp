//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_VALIDATION_HPP
#define SOCK8_VALIDATION_HPP

#include <sock8/constraints.hpp>
#include <sock8/detail/schema_text.hpp>
#include <sock8/detail/schema_traits.hpp>
#include <sock8/error.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/system/system_error.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace sock8 {

/** One problem found in a value, addressed by a JSON Pointer.

    `expected` and `found` are plain words for the developer who sent the
    value: "a number between 0 and 1", "a string", "the key \"colour\"".
*/
struct field_error
{
    /// JSON Pointer (RFC 6901) to the value; "" is the root.
    std::string path;
    /// What kind of problem it is.
    error code{};
    /// What the schema asks for at this path.
    std::string expected;
    /// What was there instead.
    std::string found;

    /** The problem in one line.

        @returns "/cursor/x: expected a number, found a string", or
        "expected ..., found ..." for the root
    */
    std::string message() const
    {
        std::string s;
        if (!path.empty()) {
            s.append(path);
            s.append(": ");
        }
        s.append("expected ");
        s.append(expected);
        s.append(", found ");
        s.append(found);
        return s;
    }

    /// Member-wise equality.
    friend bool operator==(field_error const&, field_error const&) = default;
};

/** Every problem found in one value, in the order they were found.

    At most @ref decode_options::max_errors errors are kept; when more were
    found, `truncated` is true.
*/
struct validation_failure
{
    /// The problems, bounded by decode_options::max_errors.
    std::vector<field_error> errors;
    /// True when problems beyond the bound were found and dropped.
    bool truncated = false;

    /// True when no problem was found.
    bool empty() const noexcept { return errors.empty() && !truncated; }

    /// Forgets every problem, keeping the storage for reuse.
    void clear() noexcept
    {
        errors.clear();
        truncated = false;
    }

    /** Every problem, one per line, with a last line when truncated.

        @returns the lines joined with '\n', without a final newline
    */
    std::string message() const
    {
        std::string s;
        for (auto const& e : errors) {
            if (!s.empty())
                s.push_back('\n');
            s.append(e.message());
        }
        if (truncated) {
            if (!s.empty())
                s.push_back('\n');
            s.append("(more errors were found and left out)");
        }
        return s;
    }

    /** The problems as JSON, for a reply to the sender.

        @returns an array of objects with the keys "path", "expected",
        "found" and "message"
    */
    boost::json::value to_json() const
    {
        boost::json::array a;
        a.reserve(errors.size());
        for (auto const& e : errors) {
            a.push_back(boost::json::object{{"path", e.path},
                                            {"expected", e.expected},
                                            {"found", e.found},
                                            {"message", e.message()}});
        }
        return a;
    }
};

/** Thrown by the throwing forms (`decode`) when a value does not fit.

    `code()` is the first problem's code (or error::too_many_errors when
    the list is empty but truncated); `what()` lists every problem.
*/
class validation_exception : public boost::system::system_error
{
public:
    /** Takes the failure it reports.

        @param f the problems; must not be empty
    */
    explicit validation_exception(validation_failure f)
        : boost::system::system_error(
              f.errors.empty() ? make_error_code(error::too_many_errors) :
                                 make_error_code(f.errors.front().code),
              f.message()),
          failure_(std::move(f))
    {
    }

    /// Every problem found.
    validation_failure const& failure() const noexcept { return failure_; }

private:
    validation_failure failure_;
};

/** Lets boost::system::result<T, validation_failure>::value() throw.

    @param f the failure held by the result
    @throws validation_exception always
*/
[[noreturn]] inline void
throw_exception_from_error(validation_failure const& f,
                           boost::source_location const& = {})
{
    throw validation_exception(f);
}

/** How a decode treats what it reads. */
struct decode_options
{
    /// Report members the schema does not name (by default they are dropped).
    bool strict = false;
    /// Stop after this many problems and set validation_failure::truncated.
    std::size_t max_errors = 16;
};

namespace detail {

// Collects problems up to the bound; once full, the walkers stop early.
class error_sink
{
public:
    error_sink(validation_failure& f, std::size_t max) noexcept
        : failure_(f), max_(max)
    {
    }

    bool stopped() const noexcept { return stopped_; }

    std::size_t count() const noexcept { return failure_.errors.size(); }

    validation_failure& failure() noexcept { return failure_; }

    void add(path_node const* at, error code, std::string expected,
             std::string found)
    {
        if (failure_.errors.size() >= max_) {
            failure_.truncated = true;
            stopped_ = true;
            return;
        }
        failure_.errors.push_back(field_error{pointer_of(at), code,
                                              std::move(expected),
                                              std::move(found)});
    }

private:
    validation_failure& failure_;
    std::size_t max_;
    bool stopped_ = false;
};

template <class A, class B>
constexpr bool less_than(A a, B b) noexcept
{
    if constexpr (std::is_integral_v<A> && std::is_integral_v<B>)
        return std::cmp_less(a, b);
    else
        return static_cast<long double>(a) < static_cast<long double>(b);
}

template <class N>
void append_value_number(std::string& out, N n)
{
    if constexpr (std::is_floating_point_v<N>)
        append_double(out, static_cast<double>(n));
    else
        append_number(out, n);
}

template <class Core, class C>
void check_one(Core const& v, error_sink& sink, path_node const* at)
{
    auto const fail = [&](error code, std::string found) {
        std::string expected;
        append_constraint_phrase<Core, C>(expected);
        sink.add(at, code, std::move(expected), std::move(found));
    };

    if constexpr (is_length<C>::value) {
        std::size_t const n = count_code_points(v);
        if (n < C::min || n > C::max) {
            std::string found = "a string of ";
            append_count(found, n, "character", "characters");
            fail(n < C::min ? error::too_short : error::too_long,
                 std::move(found));
        }
    } else if constexpr (is_range<C>::value) {
        if (less_than(v, C::min) || less_than(C::max, v)) {
            std::string found;
            append_value_number(found, v);
            fail(error::out_of_range, std::move(found));
        }
    } else {
        std::size_t const n = v.size();
        if (n < C::min || n > C::max) {
            std::string found = is_vector<Core>::value ? "an array of " :
                                                         "an object of ";
            append_count(found, n, is_vector<Core>::value ? "item" : "member",
                         is_vector<Core>::value ? "items" : "members");
            fail(n < C::min ? error::too_few_items : error::too_many_items,
                 std::move(found));
        }
    }
}

// Checks the constraints of a constrained<T, C...> whose T is already
// known to be well formed.
template <class T, class... C>
void check_constraints(constrained<T, C...> const& v, error_sink& sink,
                       path_node const* at)
{
    if constexpr (is_optional<T>::value) {
        if (!v.value())
            return;
        (check_one<typename T::value_type, C>(*v.value(), sink, at), ...);
    } else {
        (check_one<T, C>(v.value(), sink, at), ...);
    }
}

template <class T>
consteval bool may_be_invalid();

template <class T, class L>
struct any_member_may_be_invalid;

template <class T, template <class...> class L, class... D>
struct any_member_may_be_invalid<T, L<D...>>
{
    static constexpr bool value =
        (may_be_invalid<member_type_t<T, D>>() || ...);
};

// Whether a C++ value of T can fail validation at all; the walkers skip
// whole subtrees that cannot.
template <class T>
consteval bool may_be_invalid()
{
    if constexpr (is_floating_v<T> || std::is_enum_v<T> ||
                  is_constrained<T>::value)
        return true;
    else if constexpr (is_optional<T>::value || is_vector<T>::value ||
                       is_string_map<T>::value)
        return may_be_invalid<typename element_of<T>::type>();
    else if constexpr (is_described_class_v<T>)
        return any_member_may_be_invalid<T, members_t<T>>::value;
    else
        return false;
}

template <class E>
bool is_enumerator(E e) noexcept
{
    bool found = false;
    boost::mp11::mp_for_each<enumerators_t<E>>(
        [&](auto d) { found = found || d.value == e; });
    return found;
}

template <class T>
void validate_value(T const& v, error_sink& sink, path_node const* at)
{
    if constexpr (!may_be_invalid<T>()) {
        return;
    } else if constexpr (is_floating_v<T>) {
        if (!std::isfinite(v)) {
            std::string found;
            append_double(found, v);
            sink.add(at, error::not_finite, "a finite number",
                     std::move(found));
        }
    } else if constexpr (std::is_enum_v<T>) {
        if (!is_enumerator(v)) {
            std::string found = "the value ";
            append_number(found, static_cast<std::underlying_type_t<T>>(v));
            sink.add(at, error::unknown_enumerator, expected_of<T>(),
                     std::move(found));
        }
    } else if constexpr (is_optional<T>::value) {
        if (v)
            validate_value(*v, sink, at);
    } else if constexpr (is_vector<T>::value) {
        for (std::size_t i = 0; i < v.size() && !sink.stopped(); ++i) {
            path_node const here{at, {}, i, true};
            validate_value(v[i], sink, &here);
        }
    } else if constexpr (is_string_map<T>::value) {
        for (auto const& [key, item] : v) {
            if (sink.stopped())
                break;
            path_node const here{at, key, 0, false};
            validate_value(item, sink, &here);
        }
    } else if constexpr (is_constrained<T>::value) {
        std::size_t const before = sink.count();
        validate_value(v.value(), sink, at);
        if (sink.count() == before && !sink.stopped())
            check_constraints(v, sink, at);
    } else {
        boost::mp11::mp_for_each<members_t<T>>([&](auto d) {
            if (sink.stopped())
                return;
            path_node const here{at, d.name, 0, false};
            validate_value(v.*d.pointer, sink, &here);
        });
    }
}

} // namespace detail

/** Checks a C++ value against its schema: constraints, finite numbers,
    enum values that have a name.

    @param v the value
    @param o only max_errors is used
    @returns every problem found (empty when v is valid)
*/
template <schema_type T>
validation_failure validate(T const& v, decode_options const& o = {})
{
    validation_failure f;
    detail::error_sink sink(f, o.max_errors);
    detail::validate_value(v, sink, nullptr);
    return f;
}

/// Not a schema type: says why at compile time.
template <class T>
    requires(!schema_type<T>)
validation_failure validate(T const&, decode_options const& = {})
{
    detail::diagnose<T>();
    return {};
}

} // namespace sock8

#endif
