// sock8 live cursors: the browser side of the demo.
//
// Plain script, no build step. It uses the stock phoenix client (the global
// `Phoenix` defined by /phoenix.js) against the sock8 server: one socket,
// one channel "chat.<room>.messages", phoenix's own Presence class for the
// roster, cursors and typing flags. Clients cannot emit messages on a sock8
// channel, so chat text goes to the server over HTTP and the server emits
// it to everyone in the room.
//
// User text is only ever put into the page with textContent, never as HTML.
"use strict";

(() => {
    const { Socket, Presence } = window.Phoenix;

    // Cursor moves are throttled: a busy mouse fires hundreds of events per
    // second, and the other members cannot tell 20 updates a second from
    // more.
    const cursor_interval_ms = 50;

    // Typing is over when nothing was typed for this long.
    const typing_idle_ms = 2000;

    // Topic parameters may only use these characters (see sock8's channels
    // layer); checking here gives a readable message instead of a refusal.
    const room_pattern = /^[A-Za-z0-9_\-:@~+=!]{1,128}$/;
    const identity_prefix = "user:";

    const el = (id) => document.querySelector(`[data-testid="${id}"]`);
    const stage = el("stage");
    const cursors = el("cursors");
    const members = el("members");
    const chat_log = el("chat-log");
    const chat_form = el("chat-form");
    const chat_input = el("chat-input");
    const chat_send = el("chat-send");
    const typing_indicator = el("typing-indicator");
    const status = el("status");
    const error_line = el("error");
    const name_dialog = el("name-dialog");
    const name_form = el("name-form");
    const name_input = el("name-input");

    const room = new URLSearchParams(location.search).get("room") || "lobby";
    el("room").textContent = room;

    let name = "";
    let channel = null;
    let presence = null;

    // What this connection last told the server, so that nothing is sent
    // twice.
    let typing = false;
    let typing_timer = null;
    let cursor_pending = null;
    let cursor_timer = null;
    let cursor_last_sent = 0;

    function set_status(state, text)
    {
        status.dataset.state = state;
        status.textContent = text;
    }

    function show_error(text)
    {
        error_line.textContent = text;
        error_line.hidden = !text;
    }

    function member_name(key)
    {
        return key.startsWith(identity_prefix)
            ? key.slice(identity_prefix.length)
            : key;
    }

    // A stable colour per name, so that a cursor keeps its colour across
    // reloads.
    function colour_of(text)
    {
        let h = 0;
        for (const c of text)
            h = (h * 31 + c.codePointAt(0)) % 360;
        return `hsl(${h} 70% 45%)`;
    }

    // ---- presence ---------------------------------------------------------

    // One key is one identity; each of its metas is one connection (a tab).
    // The newest meta comes last, since phoenix appends joined metas.
    function newest_cursor(metas)
    {
        for (let i = metas.length - 1; i >= 0; --i)
            if (metas[i].cursor)
                return metas[i].cursor;
        return null;
    }

    function render_presence()
    {
        const self_key = identity_prefix + name;
        const roster = presence.list((key, { metas }) => ({
            key,
            name: member_name(key),
            self: key === self_key,
            connections: metas.length,
            typing: metas.some((m) => m.typing === true),
            cursor: newest_cursor(metas),
        }));
        roster.sort((a, b) => a.name.localeCompare(b.name));

        render_members(roster);
        render_cursors(roster.filter((m) => !m.self));
        render_typing(roster.filter((m) => !m.self && m.typing));
    }

    function render_members(roster)
    {
        const items = roster.map((m) => {
            const li = document.createElement("li");
            li.dataset.testid = "member";
            li.dataset.member = m.name;
            li.style.setProperty("--colour", colour_of(m.name));
            li.textContent = m.self ? `${m.name} (you)` : m.name;
            if (m.connections > 1) {
                const tabs = document.createElement("span");
                tabs.className = "tabs";
                tabs.textContent = ` ×${m.connections}`;
                li.append(tabs);
            }
            return li;
        });
        members.replaceChildren(...items);
    }

    // Cursor elements are kept across renders (keyed by name) so that CSS
    // transitions can move them smoothly.
    function render_cursors(others)
    {
        const seen = new Set();
        for (const m of others) {
            if (!m.cursor)
                continue;
            seen.add(m.name);

            let dot = [...cursors.children].find(
                (c) => c.dataset.member === m.name);
            if (!dot) {
                dot = document.createElement("div");
                dot.className = "cursor";
                dot.dataset.testid = "cursor";
                dot.dataset.member = m.name;
                dot.style.setProperty("--colour", colour_of(m.name));
                const label = document.createElement("span");
                label.className = "label";
                label.textContent = m.name;
                dot.append(label);
                cursors.append(dot);
            }
            dot.style.left = `${m.cursor.x * 100}%`;
            dot.style.top = `${m.cursor.y * 100}%`;
            dot.dataset.x = String(m.cursor.x);
            dot.dataset.y = String(m.cursor.y);
            dot.classList.toggle("typing", m.typing);
        }
        for (const c of [...cursors.children])
            if (!seen.has(c.dataset.member))
                c.remove();
    }

    function render_typing(typists)
    {
        const names = typists.map((m) => m.name);
        typing_indicator.dataset.members = JSON.stringify(names);
        if (names.length === 0) {
            typing_indicator.hidden = true;
            typing_indicator.textContent = "";
            return;
        }
        typing_indicator.hidden = false;
        typing_indicator.textContent = names.length === 1
            ? `${names[0]} is typing…`
            : `${names.join(", ")} are typing…`;
    }

    // Pushes a partial presence update; the server merges it into this
    // connection's record and tells everyone else.
    function push_presence(update)
    {
        if (!channel)
            return;
        channel.push("presence", update)
            .receive("error", (reply) => show_error(
                `presence refused: ${JSON.stringify(reply)}`));
    }

    function send_cursor()
    {
        cursor_timer = null;
        if (!cursor_pending)
            return;
        cursor_last_sent = performance.now();
        push_presence({ cursor: cursor_pending });
        cursor_pending = null;
    }

    function on_pointer_move(event)
    {
        const box = stage.getBoundingClientRect();
        if (box.width <= 0 || box.height <= 0)
            return;
        const clamp = (v) => Math.min(1, Math.max(0, v));
        const round = (v) => Math.round(v * 10000) / 10000;
        cursor_pending = {
            x: round(clamp((event.clientX - box.left) / box.width)),
            y: round(clamp((event.clientY - box.top) / box.height)),
        };

        // Leading edge at once, then at most one update per interval, the
        // last position always delivered.
        if (cursor_timer)
            return;
        const since = performance.now() - cursor_last_sent;
        const wait = cursor_interval_ms - since;
        if (wait <= 0)
            send_cursor();
        else
            cursor_timer = setTimeout(send_cursor, wait);
    }

    function on_pointer_leave()
    {
        if (cursor_timer) {
            clearTimeout(cursor_timer);
            cursor_timer = null;
        }
        cursor_pending = null;
        push_presence({ cursor: null });
    }

    function set_typing(value)
    {
        clearTimeout(typing_timer);
        typing_timer = value
            ? setTimeout(() => set_typing(false), typing_idle_ms)
            : null;
        if (value === typing)
            return;
        typing = value;
        push_presence({ typing: value });
    }

    // ---- chat -------------------------------------------------------------

    function append_message({ sender, text })
    {
        const li = document.createElement("li");
        li.dataset.testid = "chat-message";
        li.dataset.sender = sender;
        const who = document.createElement("b");
        who.style.color = colour_of(sender);
        who.textContent = sender;
        const what = document.createElement("span");
        what.textContent = text;
        li.append(who, ": ", what);
        chat_log.append(li);
        chat_log.scrollTop = chat_log.scrollHeight;
    }

    async function send_message(text)
    {
        const response = await fetch("/api/messages", {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ room, name, text }),
        });
        if (response.ok)
            return;
        const body = await response.text();
        show_error(`message refused (${response.status}): ${body}`);
    }

    chat_input.addEventListener("input", () => {
        set_typing(chat_input.value.length > 0);
    });

    chat_form.addEventListener("submit", (event) => {
        event.preventDefault();
        const text = chat_input.value.trim();
        if (!text)
            return;
        chat_input.value = "";
        set_typing(false);
        show_error("");
        send_message(text).catch((e) => show_error(`send failed: ${e}`));
    });

    // ---- connection -------------------------------------------------------

    function connect()
    {
        const socket = new Socket("/socket", { params: { name } });
        socket.onOpen(() => set_status("open", `connected as ${name}`));
        socket.onError(() => set_status("error", "connection lost"));
        socket.onClose(() => set_status("closed", "disconnected"));

        channel = socket.channel(`chat.${room}.messages`, {});
        presence = new Presence(channel);
        presence.onSync(render_presence);
        channel.on("message", append_message);

        channel.join()
            .receive("ok", () => {
                show_error("");
                chat_input.disabled = false;
                chat_send.disabled = false;
                set_status("joined", `connected as ${name}`);
            })
            .receive("error", (reply) => {
                set_status("error", "join refused");
                show_error(`join refused: ${reply && reply.reason}`);
            })
            .receive("timeout", () => set_status("error", "join timed out"));

        // A closed channel (the server stopped) rejoins with the socket.
        channel.onError(() => {
            chat_input.disabled = true;
            chat_send.disabled = true;
        });

        stage.addEventListener("pointermove", on_pointer_move);
        stage.addEventListener("pointerleave", on_pointer_leave);
        socket.connect();
    }

    name_form.addEventListener("submit", (event) => {
        const value = name_input.value.trim();
        if (!value) {
            event.preventDefault();
            return;
        }
        name = value;
        name_dialog.close();
        connect();
    });

    if (!room_pattern.test(room)) {
        set_status("error", "bad room");
        show_error("The room name may only use letters, digits and _-:@~+=! "
            + "(at most 128).");
        return;
    }
    name_dialog.showModal();
})();
