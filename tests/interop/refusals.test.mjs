// What the server refuses, as the stock phoenix client and a raw WebSocket
// see it: ungranted and unknown topics, invalid presence, connections
// without an identity, and connections that stop talking.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import WebSocket from "ws";

import {
    start_server, connect, join, join_error, push, eventually, within,
    metas_of, keys_of, disconnect_all, raw_connect, sleep,
} from "./helpers.mjs";

const idle_timeout_ms = 3000;

let server;
const sockets = [];

async function socket_of(name)
{
    const socket = await connect(server, name);
    sockets.push(socket);
    return socket;
}

before(async () => {
    server = await start_server(["--idle-timeout-ms",
        String(idle_timeout_ms), "--presence-window-ms", "0"]);
});

after(async () => {
    await disconnect_all(sockets);
    await server?.stop_cleanly();
});

test("joining a channel that was not granted is unauthorized", async () => {
    const socket = await socket_of("tom");
    const reply = await join_error(socket, "admin.logs");
    assert.equal(reply.reason, "unauthorized");
    assert.ok(socket.isConnected(), "a refused join keeps the socket");
});

test("joining a topic of no channel is an unmatched topic", async () => {
    const socket = await socket_of("uma");
    for (const topic of ["nope", "chat.lobby", "chat.lobby.messages.extra"])
        assert.equal((await join_error(socket, topic)).reason,
            "unmatched topic", topic);

    // The socket still works after the refusals.
    const { presence } = await join(socket, "chat.after-refusal.messages");
    await eventually("uma is present",
        () => metas_of(presence, "user:uma").length === 1);
});

test("a room parameter with a forbidden character is refused", async () => {
    const socket = await socket_of("vera");
    const reply = await join_error(socket, "chat.a b.messages");
    assert.equal(typeof reply.reason, "string");
    assert.ok(reply.reason.length > 0);
});

test("an invalid presence update names the field and changes nothing",
    async () => {
        const topic = "chat.invalid.messages";
        const walt = await socket_of("walt");
        const xena = await socket_of("xena");
        const w = await join(walt, topic);
        const x = await join(xena, topic);

        assert.equal((await push(w.channel, "presence",
            { cursor: { x: 0.5, y: 0.5 } })).status, "ok");
        await eventually("xena sees walt's cursor", () =>
            metas_of(x.presence, "user:walt")[0]?.cursor?.x === 0.5);
        const before_ref = metas_of(x.presence, "user:walt")[0].phx_ref;

        const bad = await push(w.channel, "presence",
            { cursor: { x: "left" } });
        assert.equal(bad.status, "error");
        assert.match(JSON.stringify(bad.response), /\/cursor\/x/);

        const out_of_range = await push(w.channel, "presence",
            { cursor: { x: 0.5, y: 1.5 } });
        assert.equal(out_of_range.status, "error");
        assert.match(JSON.stringify(out_of_range.response), /\/cursor\/y/);

        const wrong_type = await push(w.channel, "presence",
            { typing: "yes" });
        assert.equal(wrong_type.status, "error");
        assert.match(JSON.stringify(wrong_type.response), /\/typing/);

        // Nothing was stored and the connection stays up: a valid update
        // after the refusals goes through.
        assert.ok(walt.isConnected());
        const metas = metas_of(x.presence, "user:walt");
        assert.equal(metas.length, 1);
        assert.equal(metas[0].phx_ref, before_ref);
        assert.deepEqual(metas[0].cursor, { x: 0.5, y: 0.5 });

        assert.equal((await push(w.channel, "presence",
            { cursor: { x: 0.75, y: 0.5 } })).status, "ok");
        await eventually("xena sees walt's next cursor", () =>
            metas_of(x.presence, "user:walt")[0]?.cursor?.x === 0.75);
    });

async function handshake_status(query)
{
    const ws = new WebSocket(`${server.socket_url}/websocket?${query}`);
    const outcome = new Promise((resolve) => {
        ws.on("unexpected-response", (_req, res) => {
            resolve({ status: res.statusCode });
            res.resume();
            ws.terminate();
        });
        ws.on("open", () => {
            resolve({ status: 101 });
            ws.close();
        });
        ws.on("error", () => {});
    });
    return within(5000, `handshake with ${query}`, outcome);
}

test("a connection without a valid name is refused", async () => {
    assert.equal((await handshake_status("vsn=2.0.0")).status, 403);
    assert.equal((await handshake_status("name=&vsn=2.0.0")).status, 403);
    assert.equal((await handshake_status(
        `name=${"n".repeat(65)}&vsn=2.0.0`)).status, 403);
    assert.equal((await handshake_status("name=a%0Ab&vsn=2.0.0")).status,
        403);

    // The control: the same handshake with a name is accepted.
    assert.equal((await handshake_status("name=yuri&vsn=2.0.0")).status,
        101);
});

test("the phoenix client sees the refusal as a socket error", async () => {
    const { Socket } = await import("phoenix");
    const socket = new Socket(server.socket_url, {
        transport: WebSocket,
        reconnectAfterMs: () => 60000,
    });
    const errored = new Promise((resolve) => socket.onError(resolve));
    socket.connect();
    try {
        await within(5000, "the refused socket erroring", errored);
        assert.equal(socket.isConnected(), false);
    } finally {
        socket.disconnect();
    }
});

test("a member that stops talking is removed after the idle timeout",
    async () => {
        const topic = "chat.idle.messages";
        const observer = await socket_of("zoe");
        const { presence } = await join(observer, topic);

        // A raw socket that joins by hand and then never sends a heartbeat.
        const raw = await raw_connect(server, "name=idler&vsn=2.0.0");
        raw.send(["1", "1", topic, "phx_join", {}]);
        const joined_at = Date.now();
        await eventually("the raw join reply", () => raw.frames.some(
            (f) => f[1] === "1" && f[3] === "phx_reply"
                && f[4].status === "ok"));
        await eventually("zoe sees the idler",
            () => metas_of(presence, "user:idler").length === 1);

        const closed = await within(idle_timeout_ms + 4000,
            "the idle socket being closed", raw.closed);
        const elapsed = Date.now() - joined_at;
        assert.ok(elapsed >= idle_timeout_ms * 0.9,
            `closed after ${elapsed} ms, before the ${idle_timeout_ms} ms `
            + "timeout");
        assert.notEqual(closed.code, 1000,
            "an idle close is not a normal close");

        await eventually("zoe no longer sees the idler",
            () => metas_of(presence, "user:idler").length === 0, 3000);
        assert.deepEqual(keys_of(presence), ["user:zoe"]);

        // The phoenix client's own heartbeats keep zoe well past it.
        assert.ok(observer.isConnected());
    });

test("a raw client gets the presence_state after its join reply",
    async () => {
        const topic = "chat.raw.messages";
        const raw = await raw_connect(server, "name=rawbot&vsn=2.0.0");
        raw.send(["7", "7", topic, "phx_join", {}]);
        const state = await eventually("presence_state", () => raw.frames
            .find((f) => f[3] === "presence_state"));
        assert.equal(state[0], "7", "stamped with the join ref");
        assert.equal(state[2], topic);
        assert.equal(state[4]["user:rawbot"].metas.length, 1);

        const reply_index = raw.frames.findIndex(
            (f) => f[1] === "7" && f[3] === "phx_reply");
        assert.ok(reply_index >= 0);
        assert.ok(reply_index < raw.frames.indexOf(state),
            "the join reply comes first");

        // A heartbeat is answered on the phoenix topic with the same ref.
        raw.send([null, "8", "phoenix", "heartbeat", {}]);
        const beat = await eventually("heartbeat reply", () => raw.frames
            .find((f) => f[1] === "8"));
        assert.deepEqual(beat,
            [null, "8", "phoenix", "phx_reply",
                { status: "ok", response: {} }]);

        raw.ws.close();
        await within(3000, "raw close", once(raw.ws, "close"));
    });

test("phoenix's authToken option can carry the identity", async () => {
    // btoa gives "fn5+dG9r": phoenix sends standard base64 under its
    // base64url prefix, so the server must decode both alphabets. (A "/"
    // would not even leave the client: it is not allowed in a
    // subprotocol, so such tokens fail in phoenix itself.)
    const token = "~~~tok";
    const { Socket } = await import("phoenix");
    const socket = new Socket(server.socket_url, {
        transport: WebSocket,
        authToken: token,
        heartbeatIntervalMs: 1000,
    });
    sockets.push(socket);
    const opened = new Promise((resolve) => socket.onOpen(resolve));
    socket.connect();
    // ws fails the handshake unless the server answers the "phoenix"
    // subprotocol it offered, as browsers do.
    await within(5000, "the token socket opening", opened);
    assert.equal(socket.conn.protocol, "phoenix");

    const { presence } = await join(socket, "chat.token.messages");
    assert.deepEqual(keys_of(presence), [`user:${token}`]);
});

test("joining a topic again on one socket replaces the first instance",
    async () => {
        const topic = "chat.rejoin.messages";
        const observer = await socket_of("obi");
        const { presence } = await join(observer, topic);

        const raw = await raw_connect(server, "name=twice&vsn=2.0.0");
        raw.send(["1", "1", topic, "phx_join", {}]);
        await eventually("the first join reply", () => raw.frames.some(
            (f) => f[1] === "1" && f[3] === "phx_reply"));
        raw.send(["3", "3", topic, "phx_join",
            { presence: { typing: true } }]);
        await eventually("the second join reply", () => raw.frames.some(
            (f) => f[1] === "3" && f[3] === "phx_reply"
                && f[4].status === "ok"));

        // The old instance is closed with its own join ref, then the new
        // one gets its snapshot.
        const close = raw.frames.findIndex((f) => f[0] === "1"
            && f[2] === topic && f[3] === "phx_close");
        assert.ok(close >= 0, "phx_close for the first instance");
        const state = await eventually("the second snapshot", () => raw.frames
            .findIndex((f) => f[0] === "3" && f[3] === "presence_state") + 1);
        assert.ok(close < state - 1);

        const metas = await eventually("obi sees one meta of twice", () => {
            const m = metas_of(presence, "user:twice");
            return m.length === 1 && m[0].typing === true && m;
        });
        await sleep(200);
        assert.deepEqual(metas_of(presence, "user:twice"), metas);

        raw.ws.close();
        await eventually("twice is gone",
            () => metas_of(presence, "user:twice").length === 0);
    });

// Found by a newcomer: a misspelt presence field was accepted silently
// and broadcast as a new version of an unchanged record.
test("an unknown presence field is refused by name", async () => {
    const socket = await socket_of("yara");
    const { channel } = await join(socket, "chat.strict.messages");
    const reply = await push(channel, "presence", { typng: true });
    assert.equal(reply.status, "error");
    assert.equal(reply.response.reason, "invalid presence");
    assert.equal(reply.response.errors[0].path, "/typng");
});

// Found by a newcomer: a frame over the server's limit closed the socket
// (1009) instead of getting the documented error reply.
test("a frame over the server's limit is answered, the socket stays",
    async () => {
        const raw = await raw_connect(server, "name=zed&vsn=2.0.0");
        const big = "x".repeat(100 * 1024);
        raw.send([null, "7", "phoenix", "heartbeat", { big }]);
        await eventually("the reply", () => raw.frames.some(
            (f) => f[1] === "7" && f[3] === "phx_reply"));
        const reply = raw.frames.find((f) => f[1] === "7");
        assert.equal(reply[4].status, "error");
        assert.equal(reply[4].response.reason, "frame is too large");

        raw.send([null, "8", "phoenix", "heartbeat", {}]);
        await eventually("the next heartbeat's reply", () => raw.frames.some(
            (f) => f[1] === "8" && f[4].status === "ok"));
        raw.ws.close(1000);
    });
