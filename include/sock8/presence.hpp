//
// Copyright (c) 2026 The sock8 authors
// Distributed under the Boost Software License, Version 1.0.
//

#ifndef SOCK8_PRESENCE_HPP
#define SOCK8_PRESENCE_HPP

// Presence on the wire, at the JSON level: refs, the server's per-topic
// diff within one coalescing window, the snapshot payload, and the client's
// roster, which follows the algorithm of the phoenix JavaScript client.
//
// A presence record is handled here as JSON member text ("\"typing\":true")
// on the server and as a boost::json::object on the client; the typed
// layer above converts.

#include <sock8/detail/json_escape.hpp>

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <list>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sock8 {

/** Makes unique, opaque `phx_ref` strings for one server.

    A ref is a fixed prefix of 8 characters derived from the seed, then a
    counter, both in base 32 (digits and lower-case letters), such as
    `"k3j9a2mz1f"`. Refs of one generator never repeat; refs of two
    generators differ unless their seeds give the same prefix, which for
    random seeds has a chance of about 1 in 2^40.

    @note Clients must treat refs as opaque strings.
*/
class presence_ref_generator
{
public:
    /** Constructor, with a prefix from `std::random_device`. */
    presence_ref_generator() : presence_ref_generator(random_seed()) {}

    /** Constructor.

        @param seed Any value; distinct server runs should pass distinct
        seeds (a random number, a start time, a node id).
    */
    explicit presence_ref_generator(std::uint64_t seed) noexcept
    {
        // splitmix64, so that nearby seeds give unrelated prefixes
        std::uint64_t z = seed + 0x9e3779b97f4a7c15ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        for (char& c : prefix_) {
            c = digits[z & 31];
            z >>= 5;
        }
    }

    /** The prefix every ref of this generator starts with. */
    std::string_view prefix() const noexcept
    {
        return {prefix_, sizeof prefix_};
    }

    /** Writes the next ref into out, replacing its content.

        @note Allocates nothing once out has room for 21 characters.
    */
    void next(std::string& out)
    {
        char buf[16];
        std::size_t n = 0;
        std::uint64_t v = counter_++;
        do {
            buf[n++] = digits[v & 31];
            v >>= 5;
        } while (v != 0);

        out.assign(prefix_, sizeof prefix_);
        while (n != 0)
            out.push_back(buf[--n]);
    }

    /** Returns the next ref. */
    std::string next()
    {
        std::string s;
        next(s);
        return s;
    }

private:
    static constexpr char digits[] = "0123456789abcdefghijklmnopqrstuv";

    static std::uint64_t random_seed()
    {
        std::random_device rd;
        return (std::uint64_t(rd()) << 32) ^ rd();
    }

    char prefix_[8] = {};
    std::uint64_t counter_ = 0;
};

namespace detail {

inline constexpr std::uint32_t no_index = std::uint32_t(-1);

// An open-addressing table from a hash to an index, for strings that are
// stored elsewhere: callers pass an equality test. clear() is O(1) (cells
// from older generations count as empty) and erase shifts the following
// cells back, so a long window of joins and cancels leaves no tombstones.
class index_table
{
public:
    struct cell
    {
        std::uint32_t gen = 0;
        std::uint32_t index = 0;
        std::size_t hash = 0;
    };

    void clear() noexcept
    {
        size_ = 0;
        if (++gen_ == 0) {
            for (auto& c : cells_)
                c.gen = 0;
            gen_ = 1;
        }
    }

    template <class Equal>
    cell* find(std::size_t hash, Equal const& equal) noexcept
    {
        if (cells_.empty())
            return nullptr;
        for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
            cell& c = cells_[i];
            if (c.gen != gen_)
                return nullptr;
            if (c.hash == hash && equal(c.index))
                return &c;
        }
    }

    // The key must not be in the table.
    void insert(std::size_t hash, std::uint32_t index)
    {
        if ((size_ + 1) * 2 > cells_.size())
            grow();
        place(hash, index);
        ++size_;
    }

    void erase(cell* c) noexcept
    {
        std::size_t i = static_cast<std::size_t>(c - cells_.data());
        std::size_t j = i;
        for (;;) {
            j = (j + 1) & mask_;
            cell& next = cells_[j];
            if (next.gen != gen_)
                break;

            // Move the cell back unless its home lies cyclically in (i, j].
            std::size_t const home = next.hash & mask_;
            bool const stays =
                i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!stays) {
                cells_[i] = next;
                i = j;
            }
        }
        cells_[i].gen = 0;
        --size_;
    }

private:
    void place(std::size_t hash, std::uint32_t index) noexcept
    {
        std::size_t i = hash & mask_;
        while (cells_[i].gen == gen_)
            i = (i + 1) & mask_;
        cells_[i] = {gen_, index, hash};
    }

    void grow()
    {
        std::vector<cell> old(std::max<std::size_t>(cells_.size() * 2, 64));
        old.swap(cells_);
        mask_ = cells_.size() - 1;

        std::uint32_t const old_gen = gen_;
        gen_ = 1;
        for (auto const& c : old)
            if (c.gen == old_gen)
                place(c.hash, c.index);
    }

    std::vector<cell> cells_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
    std::uint32_t gen_ = 1;
};

// A hash for the short strings refs and keys are, cheaper than
// std::hash's, with a final mix so that the low bits a table uses are good.
// Not keyed: refs come from the server, and keys from its authorization.
inline std::size_t hash_string(std::string_view s) noexcept
{
    std::uint64_t h = 0x9e3779b97f4a7c15ull ^ s.size();
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    if (i < s.size()) {
        std::uint64_t w = 0;
        std::memcpy(&w, s.data() + i, s.size() - i);
        h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return static_cast<std::size_t>(h);
}

inline void append_meta(std::string& out, std::string_view ref,
                        std::string_view members)
{
    out.append("{\"phx_ref\":");
    append_json_string(out, ref);
    if (!members.empty()) {
        out.push_back(',');
        out.append(members);
    }
    out.push_back('}');
}

} // namespace detail

/** One topic's pending presence diff within one coalescing window.

    The server records each join and leave of a meta as it happens, then
    once per window encodes the `presence_diff` payload and clears. An
    update of a record is a leave of its old ref and a join of its new
    one.

    Within one window:
    - a leave of a ref joined in the same window does not cancel that
      join: both are sent. Clients apply joins before leaves, so the meta
      ends up gone for everyone, including a client that already saw it
      in a snapshot sent during the window (cancelling would leave it
      there as a ghost);
    - a second join or leave of the same ref replaces the members of the
      first;
    - a join of a ref that left in the same window cancels the leave
      (sending both would make the client drop the meta, since it applies
      joins before leaves).

    The server coalesces updates before they reach the builder (only the
    latest version of a record is published per window), so what the
    builder holds is small: joins, leaves, and one leave and join per
    updated record.

    Keys appear in the order they were first seen in the window, metas in
    the order they were recorded; a key whose metas all cancelled is not
    written.

    @par Complexity
    join and leave are O(1) on average; encode is linear in the entries.
    After warm-up (the same members updating every window) nothing
    allocates: slots, tables and string capacity are reused.

    @note Refs must be unique across keys, as @ref presence_ref_generator
    makes them; a ref is matched without its key.

    @note A snapshot sent during a window may show any meta joined so
    far; the diff that follows is still right for its recipient, because
    nothing it showed is cancelled.
*/
class presence_diff_builder
{
public:
    /** Records the join of a meta.

        @param key The presence key (the member's identity).
        @param ref The meta's `phx_ref`; unique, see above.
        @param meta_members The record as JSON member text without braces,
        for example `"typing":true`; may be empty. Copied as is.
    */
    void join(std::string_view key, std::string_view ref,
              std::string_view meta_members)
    {
        std::size_t const h = detail::hash_string(ref);
        if (auto* c = refs_.find(h, same(ref, true))) {
            entries_[c->index].members.assign(meta_members);
            return;
        }
        if (auto* c = refs_.find(h, same(ref, false)))
            drop(c);
        add(key, h, ref, meta_members, true);
    }

    /** Records the leave of a meta.

        @param key The presence key.
        @param ref The `phx_ref` of the meta that leaves.
        @param meta_members The record that leaves, so that apps can read
        it; may be empty.
    */
    void leave(std::string_view key, std::string_view ref,
               std::string_view meta_members)
    {
        std::size_t const h = detail::hash_string(ref);
        if (auto* c = refs_.find(h, same(ref, false))) {
            entries_[c->index].members.assign(meta_members);
            return;
        }
        add(key, h, ref, meta_members, false);
    }

    /** True when there is nothing to send. */
    bool empty() const noexcept { return live_ == 0; }

    /** Appends the payload `{"joins":{...},"leaves":{...}}` to out.

        Both members are always written, possibly as `{}`; each key maps
        to `{"metas":[{"phx_ref":"...", <members>}, ...]}`.
    */
    void encode(std::string& out) const
    {
        out.append("{\"joins\":");
        encode_side(out, true);
        out.append(",\"leaves\":");
        encode_side(out, false);
        out.push_back('}');
    }

    /** The same as @ref encode; the name the API contract uses. */
    void encode_diff(std::string& out) const { encode(out); }

    /** Forgets everything recorded, keeping all capacity. */
    void clear() noexcept
    {
        used_ = 0;
        free_ = detail::no_index;
        group_count_ = 0;
        live_ = 0;
        refs_.clear();
        keys_.clear();
    }

private:
    // Matches the entry of `ref` on one side: a ref can have a join and a
    // leave in the same window.
    struct same_entry
    {
        presence_diff_builder const* self;
        std::string_view ref;
        bool join;

        bool operator()(std::uint32_t i) const noexcept
        {
            auto const& e = self->entries_[i];
            return e.join == join && e.ref == ref;
        }
    };

    same_entry same(std::string_view ref, bool join) const noexcept
    {
        return {this, ref, join};
    }

    struct chain
    {
        std::uint32_t head = detail::no_index;
        std::uint32_t tail = detail::no_index;
    };

    struct entry
    {
        std::string ref;
        std::string members;
        std::uint32_t group = 0;
        std::uint32_t prev = detail::no_index;
        std::uint32_t next = detail::no_index;
        bool join = false;
    };

    struct group
    {
        std::string key;
        chain joins;
        chain leaves;
    };

    std::uint32_t group_for(std::string_view key)
    {
        // An update records a leave and a join of the same key in a row.
        if (last_group_ < group_count_ && groups_[last_group_].key == key)
            return last_group_;

        std::size_t const h = detail::hash_string(key);
        auto const equal = [this, key](std::uint32_t i) {
            return groups_[i].key == key;
        };
        if (auto* c = keys_.find(h, equal))
            return last_group_ = c->index;

        if (group_count_ == groups_.size())
            groups_.emplace_back();
        std::uint32_t const g = static_cast<std::uint32_t>(group_count_++);
        groups_[g].key.assign(key);
        groups_[g].joins = {};
        groups_[g].leaves = {};
        keys_.insert(h, g);
        return last_group_ = g;
    }

    std::uint32_t allocate()
    {
        if (free_ != detail::no_index) {
            std::uint32_t const i = free_;
            free_ = entries_[i].next;
            return i;
        }
        if (used_ == entries_.size())
            entries_.emplace_back();
        return static_cast<std::uint32_t>(used_++);
    }

    void add(std::string_view key, std::size_t hash, std::string_view ref,
             std::string_view members, bool join)
    {
        std::uint32_t const g = group_for(key);
        std::uint32_t const i = allocate();
        entry& e = entries_[i];
        e.ref.assign(ref);
        e.members.assign(members);
        e.group = g;
        e.join = join;

        chain& ch = join ? groups_[g].joins : groups_[g].leaves;
        e.prev = ch.tail;
        e.next = detail::no_index;
        if (ch.tail != detail::no_index)
            entries_[ch.tail].next = i;
        else
            ch.head = i;
        ch.tail = i;

        refs_.insert(hash, i);
        ++live_;
    }

    // Unlinks the entry a table cell names and puts its slot on the free
    // list; the slot keeps its string capacity for the next entry.
    void drop(detail::index_table::cell* c) noexcept
    {
        std::uint32_t const i = c->index;
        entry& e = entries_[i];
        chain& ch = e.join ? groups_[e.group].joins : groups_[e.group].leaves;
        if (e.prev != detail::no_index)
            entries_[e.prev].next = e.next;
        else
            ch.head = e.next;
        if (e.next != detail::no_index)
            entries_[e.next].prev = e.prev;
        else
            ch.tail = e.prev;

        refs_.erase(c);
        e.next = free_;
        free_ = i;
        --live_;
    }

    void encode_side(std::string& out, bool joins) const
    {
        out.push_back('{');
        bool first_key = true;
        for (std::size_t g = 0; g < group_count_; ++g) {
            group const& gr = groups_[g];
            std::uint32_t i = joins ? gr.joins.head : gr.leaves.head;
            if (i == detail::no_index)
                continue;

            if (!first_key)
                out.push_back(',');
            first_key = false;
            detail::append_json_string(out, gr.key);
            out.append(":{\"metas\":[");
            for (bool first = true; i != detail::no_index;
                 i = entries_[i].next) {
                if (!first)
                    out.push_back(',');
                first = false;
                detail::append_meta(out, entries_[i].ref, entries_[i].members);
            }
            out.append("]}");
        }
        out.push_back('}');
    }

    std::vector<entry> entries_;
    std::size_t used_ = 0;
    std::uint32_t free_ = detail::no_index;
    std::vector<group> groups_;
    std::size_t group_count_ = 0;
    std::uint32_t last_group_ = detail::no_index;
    std::size_t live_ = 0;
    detail::index_table refs_;
    detail::index_table keys_;
};

/** Writes a `presence_state` payload `{key:{"metas":[...]}, ...}`.

    Construct it on the output buffer, add every meta, then finish. Metas
    of one key must be added one after the other: a key that comes back
    after another key would be written twice, and clients keep only the
    last occurrence.

    Example:
    @code
    std::string out;
    sock8::presence_state_encoder e(out);
    e.add("user:1", "k3j9a2mz0", "\"typing\":false");
    e.finish();   //
   {"user:1":{"metas":[{"phx_ref":"k3j9a2mz0","typing":false}]}}
    @endcode
*/
class presence_state_encoder
{
public:
    /** Constructor; appends the opening brace to out. */
    explicit presence_state_encoder(std::string& out) : out_(out)
    {
        out_.push_back('{');
    }

    presence_state_encoder(presence_state_encoder const&) = delete;
    presence_state_encoder& operator=(presence_state_encoder const&) = delete;

    /** Adds one meta.

        @param key The presence key.
        @param ref The meta's `phx_ref`.
        @param meta_members The record as JSON member text without braces;
        may be empty.
    */
    void add(std::string_view key, std::string_view ref,
             std::string_view meta_members)
    {
        if (open_ && key == key_) {
            out_.push_back(',');
        } else {
            if (open_)
                out_.append("]},");
            detail::append_json_string(out_, key);
            out_.append(":{\"metas\":[");
            key_.assign(key);
            open_ = true;
        }
        detail::append_meta(out_, ref, meta_members);
    }

    /** Closes the payload. Call once, after the last add. */
    void finish()
    {
        if (open_)
            out_.append("]}");
        out_.push_back('}');
        open_ = false;
    }

private:
    std::string& out_;
    std::string key_;
    bool open_ = false;
};

/** Appends a `presence_state` payload for a range of metas to out.

    @param out The buffer to append to.
    @param metas A range whose elements destructure into three parts
    convertible to `std::string_view`: key, ref and meta member text, as
    in `std::tuple<std::string, std::string, std::string>` or a struct of
    three strings. Metas of one key must be adjacent.

    An empty range gives `{}`.
*/
template <class Range>
void encode_presence_state(std::string& out, Range const& metas)
{
    presence_state_encoder e(out);
    for (auto const& item : metas) {
        auto const& [key, ref, members] = item;
        e.add(std::string_view(key), std::string_view(ref),
              std::string_view(members));
    }
    e.finish();
}

/** One meta of a client's roster: a ref and the record's fields. */
struct presence_meta
{
    /// The meta's `phx_ref`.
    std::string ref;
    /// Every member of the meta except `phx_ref`.
    boost::json::object fields;

    friend bool operator==(presence_meta const&,
                           presence_meta const&) = default;
};

/** One key of a client's roster and its metas (one per tab or device). */
struct presence_member
{
    /// The presence key.
    std::string key;
    /// Oldest first, as the phoenix client keeps them.
    std::vector<presence_meta> metas;
};

/** The client's view of one topic's presence.

    It follows the algorithm of the phoenix JavaScript client's `Presence`
    (syncState, syncDiff and the buffering of diffs), so a sock8 client and
    a browser show the same roster and report the same joins and leaves:
    - `presence_state` replaces the roster; keys and metas that are gone
      are reported as leaves, new ones as joins;
    - `presence_diff` applies joins, then leaves;
    - diffs are buffered until the snapshot for the current join ref has
      arrived, then applied after it, once;
    - a frame stamped with a join ref other than the current one is
      ignored, as the phoenix channel ignores it.

    @note Keys are listed in the order they were first added, and metas of
    a key with the ones kept before the newly joined ones. The phoenix
    client lists keys that look like array indices ("0", "17") first, in
    numeric order; sock8 does not.

    @note Presence entries that are not objects with a `metas` array, and
    metas without a string `phx_ref`, are skipped; a diff without `joins`
    or `leaves` counts them as empty. Buffered diffs are kept until a
    snapshot arrives, without bound, as in the phoenix client.

    @note Handlers must not modify the roster.
*/
class presence_roster
{
public:
    /** Called for each key that gains metas.

        Receives the key, its metas before the join (empty when the key is
        new) and the metas that joined, as the server sent them.
    */
    using join_handler = std::function<void(
        std::string_view key, std::span<presence_meta const> current,
        std::span<presence_meta const> joined)>;

    /** Called for each key of a leave that the roster holds.

        Receives the key, its metas that remain (empty when the key is
        gone) and the metas that left, as the server sent them.
    */
    using leave_handler = std::function<void(
        std::string_view key, std::span<presence_meta const> remaining,
        std::span<presence_meta const> left)>;

    /** Called after each applied snapshot or diff. */
    using sync_handler = std::function<void()>;

    /** Sets the join handler. */
    void on_join(join_handler h) { on_join_ = std::move(h); }

    /** Sets the leave handler. */
    void on_leave(leave_handler h) { on_leave_ = std::move(h); }

    /** Sets the sync handler. */
    void on_sync(sync_handler h) { on_sync_ = std::move(h); }

    /** Records the join ref of the channel's current join.

        Call on every join and rejoin, before its frames are fed. Diffs are
        buffered from then on until the snapshot stamped with this join ref
        arrives.
    */
    void set_join_ref(std::string_view join_ref)
    {
        current_join_ref_.emplace(join_ref);
    }

    /** Applies a `presence_state` payload.

        @param state The payload: `{key:{"metas":[...]}, ...}`.
        @param frame_join_ref The join ref of the frame that carried it.

        @returns false when the frame was stamped with a join ref other
        than the current one and was ignored.
    */
    bool apply_state(boost::json::object const& state,
                     std::optional<std::string_view> frame_join_ref)
    {
        if (stale(frame_join_ref))
            return false;

        synced_join_ref_ = current_join_ref_;
        sync_state(read_members(state));
        for (auto const& diff : pending_)
            apply_diff_payload(diff);
        pending_.clear();
        if (on_sync_)
            on_sync_();
        return true;
    }

    /** Applies or buffers a `presence_diff` payload.

        @param diff The payload: `{"joins":{...},"leaves":{...}}`.
        @param frame_join_ref The join ref of the frame (null for the
        broadcasts a server sends).

        @returns false when the frame was stamped with a join ref other
        than the current one and was ignored.
    */
    bool apply_diff(boost::json::object const& diff,
                    std::optional<std::string_view> frame_join_ref)
    {
        if (stale(frame_join_ref))
            return false;

        if (!in_sync()) {
            // The payload may live in a frame parser's memory.
            pending_.emplace_back(diff, boost::json::storage_ptr());
            return true;
        }
        apply_diff_payload(diff);
        if (on_sync_)
            on_sync_();
        return true;
    }

    /** True when the snapshot for the current join ref has arrived. */
    bool in_sync() const noexcept
    {
        return synced_join_ref_ && synced_join_ref_ == current_join_ref_;
    }

    /** The number of diffs waiting for a snapshot. */
    std::size_t pending_diffs() const noexcept { return pending_.size(); }

    /** The roster: every key present and its metas. */
    std::list<presence_member> const& list() const noexcept { return members_; }

    /** The member with this key, or nullptr. */
    presence_member const* find(std::string_view key) const
    {
        auto it = index_.find(key);
        return it == index_.end() ? nullptr : &*it->second;
    }

    /** The number of keys present. */
    std::size_t size() const noexcept { return members_.size(); }

    /** Forgets the roster, the buffered diffs and both join refs. */
    void clear()
    {
        index_.clear();
        members_.clear();
        pending_.clear();
        current_join_ref_.reset();
        synced_join_ref_.reset();
    }

private:
    using meta_list = std::vector<presence_meta>;
    using member_list = std::vector<std::pair<std::string, meta_list>>;

    bool stale(std::optional<std::string_view> frame_join_ref) const
    {
        return frame_join_ref &&
               (!current_join_ref_ || *current_join_ref_ != *frame_join_ref);
    }

    static bool has_ref(meta_list const& metas, std::string_view ref)
    {
        return std::any_of(
            metas.begin(), metas.end(),
            [&](presence_meta const& m) { return m.ref == ref; });
    }

    static meta_list read_metas(boost::json::value const& presence)
    {
        meta_list out;
        auto const* obj = presence.if_object();
        if (!obj)
            return out;
        auto const it = obj->find("metas");
        if (it == obj->end() || !it->value().is_array())
            return out;

        for (auto const& m : it->value().get_array()) {
            auto const* mo = m.if_object();
            if (!mo)
                continue;
            auto const ref = mo->find("phx_ref");
            if (ref == mo->end() || !ref->value().is_string())
                continue;

            presence_meta meta;
            meta.ref.assign(ref->value().get_string());
            meta.fields.reserve(mo->size() - 1);
            for (auto const& kv : *mo)
                if (kv.key() != "phx_ref")
                    meta.fields.emplace(kv.key(), kv.value());
            out.push_back(std::move(meta));
        }
        return out;
    }

    static bool is_presence(boost::json::value const& v)
    {
        auto const* o = v.if_object();
        return o && o->contains("metas") && o->at("metas").is_array();
    }

    static member_list read_members(boost::json::object const& obj)
    {
        member_list out;
        out.reserve(obj.size());
        for (auto const& kv : obj)
            if (is_presence(kv.value()))
                out.emplace_back(std::string(kv.key()), read_metas(kv.value()));
        return out;
    }

    static member_list read_side(boost::json::object const& diff,
                                 std::string_view side)
    {
        auto const it = diff.find(side);
        if (it == diff.end() || !it->value().is_object())
            return {};
        return read_members(it->value().get_object());
    }

    void apply_diff_payload(boost::json::object const& diff)
    {
        sync_diff(read_side(diff, "joins"), read_side(diff, "leaves"));
    }

    presence_member* lookup(std::string_view key)
    {
        auto it = index_.find(key);
        return it == index_.end() ? nullptr : &*it->second;
    }

    // Phoenix's syncState: the difference between the roster and the
    // snapshot becomes one diff. Leaves list the vanished keys first, then
    // the keys that lost metas, in snapshot order, as phoenix builds them.
    void sync_state(member_list next)
    {
        member_list joins;
        member_list leaves;

        std::unordered_set<std::string_view> in_next;
        in_next.reserve(next.size());
        for (auto const& item : next)
            in_next.insert(item.first);
        for (auto const& m : members_)
            if (!in_next.contains(m.key))
                leaves.emplace_back(m.key, m.metas);

        for (auto& [key, metas] : next) {
            presence_member const* cur = lookup(key);
            if (!cur) {
                joins.emplace_back(key, std::move(metas));
                continue;
            }

            meta_list left;
            for (auto const& m : cur->metas)
                if (!has_ref(metas, m.ref))
                    left.push_back(m);
            meta_list joined;
            for (auto& m : metas)
                if (!has_ref(cur->metas, m.ref))
                    joined.push_back(std::move(m));
            if (!joined.empty())
                joins.emplace_back(key, std::move(joined));
            if (!left.empty())
                leaves.emplace_back(key, std::move(left));
        }

        sync_diff(std::move(joins), std::move(leaves));
    }

    // Phoenix's syncDiff: joins first (a joined ref replaces a meta with
    // the same ref), then leaves by ref; a key without metas is removed.
    void sync_diff(member_list joins, member_list leaves)
    {
        for (auto& [key, joined] : joins) {
            presence_member* cur = lookup(key);
            if (!cur) {
                members_.push_back({key, std::move(joined)});
                presence_member& m = members_.back();
                index_.emplace(m.key, std::prev(members_.end()));
                if (on_join_)
                    on_join_(m.key, {}, m.metas);
                continue;
            }

            meta_list before;
            if (on_join_)
                before = cur->metas;

            meta_list next;
            next.reserve(cur->metas.size() + joined.size());
            for (auto& m : cur->metas)
                if (!has_ref(joined, m.ref))
                    next.push_back(std::move(m));
            std::size_t const kept = next.size();
            for (auto& m : joined)
                next.push_back(std::move(m));
            cur->metas = std::move(next);

            if (on_join_)
                on_join_(
                    cur->key, before,
                    std::span<presence_meta const>(cur->metas).subspan(kept));
        }

        for (auto const& [key, left] : leaves) {
            auto it = index_.find(key);
            if (it == index_.end())
                continue;

            auto& metas = it->second->metas;
            metas.erase(std::remove_if(metas.begin(), metas.end(),
                                       [&](presence_meta const& m) {
                                           return has_ref(left, m.ref);
                                       }),
                        metas.end());
            if (on_leave_)
                on_leave_(key, metas, left);
            if (metas.empty()) {
                auto const node = it->second;
                index_.erase(it);
                members_.erase(node);
            }
        }
    }

    std::list<presence_member> members_;
    std::unordered_map<std::string_view, std::list<presence_member>::iterator>
        index_;
    std::vector<boost::json::object> pending_;
    std::optional<std::string> current_join_ref_;
    std::optional<std::string> synced_join_ref_;
    join_handler on_join_;
    leave_handler on_leave_;
    sync_handler on_sync_;
};

} // namespace sock8

#endif
