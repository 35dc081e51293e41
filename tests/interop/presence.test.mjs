// Presence through the stock phoenix client: rosters, updates, several tabs
// of one identity, and every way a member can go away.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import {
    start_server, connect, join, join_error, push, eventually, within,
    metas_of, keys_of, disconnect_all, raw_connect, sleep,
} from "./helpers.mjs";

let server;
const sockets = [];

async function member(name, topic)
{
    const socket = await connect(server, name);
    sockets.push(socket);
    const { channel, presence } = await join(socket, topic);
    return { name, key: `user:${name}`, socket, channel, presence };
}

before(async () => {
    // Every change is sent at once, so that each step of a test is one
    // diff; the coalescing window has tests of its own.
    server = await start_server(
        ["--idle-timeout-ms", "5000", "--presence-window-ms", "0"]);
});

after(async () => {
    await disconnect_all(sockets);
    await server?.stop_cleanly();
});

test("every member's Presence.list shows everyone", async () => {
    const topic = "chat.roster.messages";
    const names = ["alice", "bob", "carol", "dave"];
    const members = [];
    for (const name of names)
        members.push(await member(name, topic));
    const expected = names.map((n) => `user:${n}`).sort();

    for (const m of members) {
        await eventually(`${m.name} sees all four members`,
            () => keys_of(m.presence).join() === expected.join());

        for (const key of expected) {
            const metas = metas_of(m.presence, key);
            assert.equal(metas.length, 1, `${m.name} sees one meta of ${key}`);
            assert.equal(typeof metas[0].phx_ref, "string");

            // Nothing was sent with the join: the presence type's default.
            assert.equal(metas[0].typing, false);
            assert.equal(metas[0].cursor ?? null, null);
        }
    }

    // Every connection has its own ref, unique among all metas.
    const refs = expected.map((k) => metas_of(members[0].presence, k)[0]
        .phx_ref);
    assert.equal(new Set(refs).size, refs.length);
});

test("a cursor update reaches the others, one meta per connection",
    async () => {
        const topic = "chat.cursor.messages";
        const ivan = await member("ivan", topic);
        const judy = await member("judy", topic);
        await eventually("judy sees ivan",
            () => metas_of(judy.presence, ivan.key).length === 1);
        const first_ref = metas_of(judy.presence, ivan.key)[0].phx_ref;

        const reply = await push(ivan.channel, "presence",
            { cursor: { x: 0.25, y: 0.75 } });
        assert.equal(reply.status, "ok");

        const seen = await eventually("judy sees ivan's cursor", () => {
            const metas = metas_of(judy.presence, ivan.key);
            return metas.length === 1 && metas[0].cursor?.x === 0.25
                && metas[0];
        });
        assert.deepEqual(seen.cursor, { x: 0.25, y: 0.75 });
        assert.equal(seen.typing, false, "a partial update keeps typing");
        assert.notEqual(seen.phx_ref, first_ref, "each version has a new ref");

        // Many quick moves: the others end at the last one, still with a
        // single meta for ivan's one connection.
        for (let i = 1; i <= 20; ++i)
            ivan.channel.push("presence", { cursor: { x: i / 20, y: 0.5 } });
        const last = await eventually("judy sees ivan's last position", () => {
            const metas = metas_of(judy.presence, ivan.key);
            return metas.length === 1 && metas[0].cursor?.x === 1
                && metas[0];
        });
        assert.deepEqual(last.cursor, { x: 1, y: 0.5 });
        assert.equal(metas_of(judy.presence, ivan.key).length, 1);

        // The member's own roster shows its update too.
        await eventually("ivan sees his own last position", () =>
            metas_of(ivan.presence, ivan.key)[0]?.cursor?.x === 1);
        assert.equal(metas_of(ivan.presence, ivan.key).length, 1);
    });

test("typing on and off is seen by the others", async () => {
    const topic = "chat.typing.messages";
    const kim = await member("kim", topic);
    const leo = await member("leo", topic);

    assert.equal((await push(kim.channel, "presence",
        { cursor: { x: 0.1, y: 0.2 } })).status, "ok");
    assert.equal((await push(kim.channel, "presence", { typing: true }))
        .status, "ok");
    const typing = await eventually("leo sees kim typing", () => {
        const metas = metas_of(leo.presence, kim.key);
        return metas.length === 1 && metas[0].typing === true && metas[0];
    });
    assert.deepEqual(typing.cursor, { x: 0.1, y: 0.2 },
        "typing keeps the cursor");

    assert.equal((await push(kim.channel, "presence", { typing: false }))
        .status, "ok");
    await eventually("leo sees kim stop typing", () => {
        const metas = metas_of(leo.presence, kim.key);
        return metas.length === 1 && metas[0].typing === false;
    });

    // null clears the optional cursor.
    assert.equal((await push(kim.channel, "presence", { cursor: null }))
        .status, "ok");
    await eventually("leo sees kim's cursor gone", () => {
        const metas = metas_of(leo.presence, kim.key);
        return metas.length === 1 && (metas[0].cursor ?? null) === null;
    });
});

test("one name on three sockets is one key with three metas", async () => {
    const topic = "chat.tabs.messages";
    const mia = await member("mallory", topic);
    const tabs = [];
    for (let i = 0; i < 3; ++i)
        tabs.push(await member("nina", topic));
    const key = "user:nina";

    const metas = await eventually("mallory sees three metas of nina", () => {
        const m = metas_of(mia.presence, key);
        return m.length === 3 && m;
    });
    assert.equal(new Set(metas.map((m) => m.phx_ref)).size, 3);
    assert.deepEqual(keys_of(mia.presence), ["user:mallory", "user:nina"]);

    // An update from one tab changes only that tab's meta.
    assert.equal((await push(tabs[1].channel, "presence", { typing: true }))
        .status, "ok");
    await eventually("one of nina's metas is typing", () => {
        const m = metas_of(mia.presence, key);
        return m.length === 3 && m.filter((x) => x.typing).length === 1;
    });

    await within(3000, "closing one tab",
        new Promise((resolve) => tabs[0].socket.disconnect(resolve)));
    await eventually("mallory sees two metas of nina",
        () => metas_of(mia.presence, key).length === 2);
    assert.deepEqual(keys_of(mia.presence), ["user:mallory", "user:nina"]);
});

test("channel.leave() removes the member from everyone's list",
    async () => {
        const topic = "chat.leave.messages";
        const olga = await member("olga", topic);
        const paul = await member("paul", topic);
        await eventually("paul sees olga",
            () => metas_of(paul.presence, olga.key).length === 1);

        const left = new Promise((resolve) =>
            olga.channel.leave().receive("ok", resolve));
        await within(3000, "olga's leave reply", left);

        await eventually("paul no longer sees olga",
            () => metas_of(paul.presence, olga.key).length === 0);
        assert.deepEqual(keys_of(paul.presence), [paul.key]);
        assert.ok(olga.socket.isConnected(), "leaving keeps the socket");
    });

test("a killed client process disappears from everyone's list",
    async () => {
        const topic = "chat.crash.messages";
        const quinn = await member("quinn", topic);
        const rita = await member("rita", topic);

        const script = fileURLToPath(new URL("./join_child.mjs",
            import.meta.url));
        const child = spawn(process.execPath,
            [script, server.socket_url, "sam", topic],
            { stdio: ["ignore", "pipe", "inherit"] });
        const exited = once(child, "exit");
        try {
            const lines = createInterface({ input: child.stdout });
            await within(5000, "the child process joining", new Promise(
                (resolve) => lines.on("line",
                    (l) => l === "joined" && resolve())));

            for (const m of [quinn, rita])
                await eventually(`${m.name} sees sam`,
                    () => metas_of(m.presence, "user:sam").length === 1);

            child.kill("SIGKILL");
            await within(3000, "the child process dying", exited);

            for (const m of [quinn, rita])
                await eventually(`${m.name} no longer sees sam`,
                    () => metas_of(m.presence, "user:sam").length === 0);
            assert.deepEqual(keys_of(quinn.presence), [quinn.key, rita.key]);
        } finally {
            if (child.exitCode === null && child.signalCode === null)
                child.kill("SIGKILL");
        }
    });

test("a join can carry the first presence record", async () => {
    const topic = "chat.initial.messages";
    const tina = await member("tina", topic);

    const socket = await connect(server, "ugo");
    sockets.push(socket);
    const { presence } = await join(socket, topic,
        { presence: { typing: true, cursor: { x: 0.5, y: 0.25 } } });

    for (const p of [presence, tina.presence]) {
        const metas = await eventually("ugo's first record", () => {
            const m = metas_of(p, "user:ugo");
            return m.length === 1 && m;
        });
        assert.equal(metas[0].typing, true);
        assert.deepEqual(metas[0].cursor, { x: 0.5, y: 0.25 });
    }

    // An invalid first record refuses the join, naming the field.
    const other = await connect(server, "vic");
    sockets.push(other);
    const reply = await join_error(other, topic,
        { presence: { cursor: { x: 2, y: 0 } } });
    assert.match(JSON.stringify(reply), /\/cursor\/x/);
    await eventually("vic never shows up",
        () => metas_of(tina.presence, "user:vic").length === 0);
});

test("stopping the server closes every channel and connection",
    async () => {
        const own = await start_server();
        try {
            const topic = "chat.stop.messages";
            const clients = [];
            for (const name of ["wes", "xia"]) {
                const raw = await raw_connect(own, `name=${name}&vsn=2.0.0`);
                raw.send(["1", "1", topic, "phx_join", {}]);
                await eventually(`${name}'s presence_state`, () => raw.frames
                    .some((f) => f[3] === "presence_state"));
                clients.push(raw);
            }

            const exit = await own.stop();
            assert.deepEqual(exit, { code: 0, signal: null });

            // 1001, and no phx_close: the phoenix client reconnects and
            // rejoins its channels when the server is back.
            for (const raw of clients) {
                const closed = await within(3000, "the close", raw.closed);
                assert.equal(closed.code, 1001, "clients may reconnect");
                assert.ok(!raw.frames.some((f) => f[3] === "phx_close"));
            }
        } finally {
            await own.stop();
        }
    });

test("members come back when a stopped server restarts", async () => {
    const topic = "chat.restart.messages";
    const first = await start_server();
    const port = String(first.port);
    let second;
    try {
        const socket = await connect(first, "yara");
        sockets.push(socket);
        const { presence } = await join(socket, topic);
        await eventually("yara is present",
            () => metas_of(presence, "user:yara").length === 1);
        const ref = metas_of(presence, "user:yara")[0].phx_ref;

        const lost = new Promise((resolve) => socket.onClose(resolve));
        await first.stop_cleanly();
        await within(3000, "the socket noticing the stop", lost);

        second = await start_server(["--port", port]);
        await eventually("yara is present again", () => {
            const metas = metas_of(presence, "user:yara");
            return metas.length === 1 && metas[0].phx_ref !== ref;
        }, 10000);
        assert.deepEqual(keys_of(presence), ["user:yara"]);
    } finally {
        await first.stop();
        await second?.stop_cleanly();
    }
});

test("a member who joins inside a coalescing window sees no ghost",
    async () => {
        // The joiner's presence_state lists records whose join is still
        // waiting in the window's diff; an update in the same window must
        // still reach it as leave(old) + join(new), or the old meta stays
        // in its list for good.
        const own = await start_server(["--presence-window-ms", "1000"]);
        const mine = [];
        try {
            const topic = "chat.window.messages";
            const ivan_socket = await connect(own, "ivan");
            mine.push(ivan_socket);
            const ivan = ivan_socket.channel(topic, {});
            const ivan_joined = new Promise((resolve) =>
                ivan.join().receive("ok", resolve));
            await within(3000, "ivan joining", ivan_joined);

            const judy_socket = await connect(own, "judy");
            mine.push(judy_socket);
            const judy = await join(judy_socket, topic);

            ivan.push("presence", { typing: true });
            const metas = await eventually("judy sees ivan typing", () => {
                const m = metas_of(judy.presence, "user:ivan");
                return m.some((x) => x.typing) && m;
            });
            await sleep(300);
            assert.deepEqual(
                metas_of(judy.presence, "user:ivan").map((m) => m.typing),
                [true], "one meta for ivan's one connection");
            assert.equal(metas.length, 1);
        } finally {
            await disconnect_all(mine);
            await own.stop_cleanly();
        }
    });

test("an update inside the window of one's own join leaves no ghost",
    async () => {
        // The joiner's snapshot lists its own first record; the update
        // must reach it as leave(first) + join(second).
        const own = await start_server(["--presence-window-ms", "1000"]);
        const mine = [];
        try {
            const socket = await connect(own, "kai");
            mine.push(socket);
            const kai = await join(socket, "chat.self-window.messages");
            kai.channel.push("presence", { typing: true });
            await eventually("kai sees himself typing", () =>
                metas_of(kai.presence, "user:kai").some((m) => m.typing));
            await sleep(300);
            assert.deepEqual(
                metas_of(kai.presence, "user:kai").map((m) => m.typing),
                [true], "one meta for kai's one connection");
        } finally {
            await disconnect_all(mine);
            await own.stop_cleanly();
        }
    });

test("a join while another member's updates are rate-held leaves no ghost",
    async () => {
        // No window, but a member over its update rate keeps a flush of
        // the topic pending: the same join-then-update race as above.
        const own = await start_server(["--presence-window-ms", "0",
            "--max-presence-updates-per-second", "2"]);
        const mine = [];
        try {
            const topic = "chat.rate-held.messages";
            const busy_socket = await connect(own, "lou");
            mine.push(busy_socket);
            const lou = await join(busy_socket, topic);
            for (let k = 1; k <= 5; ++k)
                lou.channel.push("presence", { cursor: { x: k / 10, y: 0 } });

            const socket = await connect(own, "max");
            mine.push(socket);
            const max = await join(socket, topic);
            max.channel.push("presence", { typing: true });

            await eventually("max sees lou's last cursor and himself typing",
                () => metas_of(max.presence, "user:lou")
                    .some((m) => m.cursor?.x === 0.5)
                    && metas_of(max.presence, "user:max")
                        .some((m) => m.typing), 10000);
            await sleep(300);
            assert.deepEqual(
                metas_of(max.presence, "user:max").map((m) => m.typing),
                [true], "one meta for max's one connection");
            assert.equal(metas_of(max.presence, "user:lou").length, 1);
        } finally {
            await disconnect_all(mine);
            await own.stop_cleanly();
        }
    });
