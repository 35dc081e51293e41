//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_TREE_HPP
#define SOCK8_TREE_HPP

#include <sock8/channel.hpp>
#include <sock8/detail/topic_match.hpp>
#include <sock8/error.hpp>
#include <sock8/fixed_string.hpp>
#include <sock8/topic.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>
#include <boost/mp11/set.hpp>
#include <boost/system/result.hpp>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <string_view>
#include <type_traits>
#include <utility>

namespace sock8 {

template <class... Entries>
struct tree;

/** A tree entry: every channel of Tree, under Prefix.

    `mount<"org.{orgId}", chat_tree>` turns `chat.{roomId}` into
    `org.{orgId}.chat.{roomId}`. The prefix follows the path rules; its
    parameter names must differ from those of the mounted channels.

    @tparam Prefix A path pattern.
    @tparam Tree A sock8::tree; mounts nest.
*/
template <fixed_string Prefix, class Tree>
struct mount
{
};

namespace detail {

template <fixed_string Prefix, class C>
struct mounted
{
    static_assert(channel_type<C>, "sock8: mounted_t takes a sock8::channel");
    using type = void;
};

template <fixed_string Prefix, fixed_string Path, class Message,
          class... Options>
struct mounted<Prefix, channel<Path, Message, Options...>>
{
    static constexpr auto full = Prefix + fixed_string(".") + Path;
    using type = channel<full, Message, Options...>;
};

template <fixed_string Prefix>
struct mount_fn
{
    template <class C>
    using fn = typename mounted<Prefix, C>::type;
};

template <class T>
struct is_tree : std::false_type
{
};

template <class... E>
struct is_tree<tree<E...>> : std::true_type
{
};

template <class Entry>
struct flatten_entry
{
    static_assert(channel_type<Entry>,
                  "sock8: a tree entry must be a sock8::channel or a "
                  "sock8::mount");

    // An empty list after a failed assert keeps the error output to the
    // one message above.
    using type =
        std::conditional_t<channel_type<Entry>, boost::mp11::mp_list<Entry>,
                           boost::mp11::mp_list<>>;
};

template <fixed_string Prefix, class Tree>
struct flatten_entry<mount<Prefix, Tree>>
{
    static_assert(is_tree<Tree>::value,
                  "sock8: a mount takes a sock8::tree as its second argument");
    using type = boost::mp11::mp_list<>;
};

template <fixed_string Prefix, class... E>
struct flatten_entry<mount<Prefix, tree<E...>>>
{
    using type = boost::mp11::mp_transform_q<mount_fn<Prefix>,
                                             typename tree<E...>::channels>;
};

template <class List>
struct tables_of;

template <class... C>
struct tables_of<boost::mp11::mp_list<C...>>
{
    static constexpr std::array<segment_table, sizeof...(C)> value = {
        segment_table{C::path_type::segments.data(),
                      C::path_type::segment_count}...};

    static constexpr std::size_t max_segments = [] {
        std::size_t n = 0;
        for (segment_table const& t : value)
            n = t.count > n ? t.count : n;
        return n;
    }();

    static constexpr bool ambiguous = [] {
        for (std::size_t i = 0; i != value.size(); ++i)
            for (std::size_t j = i + 1; j != value.size(); ++j)
                if (overlap(value[i], value[j]))
                    return true;
        return false;
    }();
};

template <class List, class C>
struct checked_index
{
    static_assert(boost::mp11::mp_contains<List, C>::value,
                  "sock8: this channel is not part of the tree");
    static constexpr std::size_t value = boost::mp11::mp_find<List, C>::value;
};

} // namespace detail

/** The type of channel C mounted under Prefix: same message and options,
    path `Prefix + "." + C::path`.
*/
template <fixed_string Prefix, class C>
using mounted_t = typename detail::mounted<Prefix, C>::type;

/** The set of channels an application serves or subscribes to.

    Entries are channels or mounts; mounts are flattened so `channels`
    lists every channel with its full path. No channel may appear twice and
    no two channels may fit the same topic (same segment count, and at each
    position equal static text or a parameter on either side); both are
    compile errors.

    @tparam Entries Channels and `sock8::mount`s.
*/
template <class... Entries>
struct tree
{
    /// Every channel, mounts flattened, in declaration order.
    using channels = boost::mp11::mp_append<
        boost::mp11::mp_list<>,
        typename detail::flatten_entry<Entries>::type...>;

    /// The number of channels.
    static constexpr std::size_t size = boost::mp11::mp_size<channels>::value;

private:
    using tables_ = detail::tables_of<channels>;

    static constexpr bool unique_ = boost::mp11::mp_is_set<channels>::value;

    static_assert(unique_, "sock8: a channel is listed twice in this tree");
    static_assert(!unique_ || !tables_::ambiguous,
                  "sock8: two channels of this tree could match the same "
                  "topic; make their paths differ in a static segment or in "
                  "their number of segments");

    static boost::system::result<std::size_t> find_(std::string_view topic,
                                                    parameter_error* failure)
    {
        // One extra slot so a topic longer than every channel still splits
        // without writing past the end.
        std::array<std::string_view, tables_::max_segments + 1> parts;
        std::size_t const n =
            detail::split_topic(topic, parts.data(), parts.size());

        for (std::size_t i = 0; i != size && n <= tables_::max_segments; ++i) {
            detail::segment_table const& t = tables_::value[i];
            if (!detail::fits_shape(t, parts.data(), n))
                continue;

            detail::match_outcome const m =
                detail::check_parameters(t, parts.data());
            if (m.code == detail::no_error)
                return i;

            detail::fill_failure(failure, m.code, m.parameter,
                                 t.segments[m.segment].text, parts[m.segment]);
            return make_error_code(m.code);
        }

        detail::fill_failure(failure, error::unmatched_topic, 0, {}, topic);
        return make_error_code(error::unmatched_topic);
    }

public:
    /// True when C is one of `channels`.
    template <class C>
    static constexpr bool contains =
        boost::mp11::mp_contains<channels, C>::value;

    /// The position of C in `channels`; a channel outside the tree does not
    /// compile.
    template <class C>
    static constexpr std::size_t index_of =
        detail::checked_index<channels, C>::value;

    /** The channel a topic string belongs to.

        Splits the topic once and compares it with each channel's segment
        table, built at compile time; allocates nothing unless it fails.

        @param topic A topic such as "org.acme.chat.lobby".
        @returns The index in `channels`; unmatched_topic when no channel
        has its shape; a parameter error when one has but a value is bad.
    */
    static boost::system::result<std::size_t> find(std::string_view topic)
    {
        return find_(topic, nullptr);
    }

    /** As find(topic), and fills `failure` on error. */
    static boost::system::result<std::size_t> find(std::string_view topic,
                                                   parameter_error& failure)
    {
        return find_(topic, &failure);
    }

    /** Calls f with the channel at a run-time index.

        @param index Below `size`, as returned by find.
        @param f Called as `f(std::type_identity<C>{})`; every call must
        return the same type.
        @returns What f returns.
    */
    template <class F>
    static decltype(auto) with_channel(std::size_t index, F&& f)
    {
        static_assert(size != 0,
                      "sock8: with_channel needs a tree with a channel");

        if constexpr (size == 0) {
            std::abort();
        } else {
            return boost::mp11::mp_with_index<size>(
                index, [&](auto i) -> decltype(auto) {
                    using c =
                        boost::mp11::mp_at_c<channels, decltype(i)::value>;
                    return std::forward<F>(f)(std::type_identity<c>{});
                });
        }
    }
};

} // namespace sock8

#endif
