// Messages and the demo's HTTP side: POST /api/messages is validated and
// emitted by the server to every member of the room, and the static files
// the browser page needs are served.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";

import {
    start_server, connect, join, eventually, sleep, disconnect_all,
    post_message,
} from "./helpers.mjs";

let server;
const sockets = [];

async function listener(name, topic)
{
    const socket = await connect(server, name);
    sockets.push(socket);
    const { channel } = await join(socket, topic);
    const received = [];
    channel.on("message", (payload) => received.push(payload));
    return { name, received };
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

test("a posted message reaches every member of the room", async () => {
    const members = [];
    for (const name of ["ann", "ben", "cat"])
        members.push(await listener(name, "chat.post.messages"));
    const elsewhere = await listener("dan", "chat.other.messages");

    const response = await post_message(server,
        { room: "post", name: "ann", text: "hello <b>everyone</b> ☺" });
    assert.equal(response.status, 204);

    for (const m of members)
        await eventually(`${m.name} receives the message`,
            () => m.received.length === 1);
    for (const m of members)
        assert.deepEqual(m.received[0],
            { sender: "ann", text: "hello <b>everyone</b> ☺" });

    // A second message arrives after the first, in order.
    assert.equal((await post_message(server,
        { room: "post", name: "ben", text: "second" })).status, 204);
    for (const m of members)
        await eventually(`${m.name} receives the second message`,
            () => m.received.length === 2);
    for (const m of members)
        assert.deepEqual(m.received.map((r) => r.text),
            ["hello <b>everyone</b> ☺", "second"]);

    // Another room hears nothing; give a stray message time to arrive.
    await sleep(200);
    assert.deepEqual(elsewhere.received, []);
});

async function refusal(body)
{
    const response = await post_message(server, body);
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.match(response.headers.get("content-type") ?? "",
        /application\/json/);
    return response.json();
}

test("an invalid message is refused with the failing fields", async () => {
    const m = await listener("eve", "chat.refuse.messages");

    const empty = await refusal({ room: "refuse", name: "eve", text: "" });
    assert.match(JSON.stringify(empty), /"\/text"/);

    const long = await refusal(
        { room: "refuse", name: "eve", text: "x".repeat(2001) });
    assert.match(JSON.stringify(long), /"\/text"/);

    // The message's sender is the request's name, and errors say so.
    const sender = await refusal(
        { room: "refuse", name: "n".repeat(65), text: "hi" });
    assert.match(JSON.stringify(sender), /"\/name"/);
    assert.doesNotMatch(JSON.stringify(sender), /\/sender/);

    const room = await refusal({ room: "a.b", name: "eve", text: "hi" });
    assert.match(JSON.stringify(room), /"\/room"/);

    const missing = await refusal({ name: "eve" });
    const paths = missing.errors.map((e) => e.path).sort();
    assert.deepEqual(paths, ["/room", "/text"]);
    for (const e of missing.errors)
        assert.equal(typeof e.message, "string");

    const garbage = await post_message(server, "not an object");
    assert.equal(garbage.status, 400);

    const not_json = await fetch(`${server.http}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{",
    });
    assert.equal(not_json.status, 400);

    // None of the refused messages reached the room.
    await sleep(200);
    assert.deepEqual(m.received, []);
});

test("the page and its scripts are served", async () => {
    const page = await fetch(`${server.http}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type"), /text\/html/);
    assert.match(await page.text(), /data-testid="name-form"/);

    const app = await fetch(`${server.http}/app.js`);
    assert.equal(app.status, 200);
    assert.match(app.headers.get("content-type"), /javascript/);

    const css = await fetch(`${server.http}/style.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get("content-type"), /text\/css/);

    const phoenix = await fetch(`${server.http}/phoenix.js`);
    assert.equal(phoenix.status, 200);
    assert.match(phoenix.headers.get("content-type"), /javascript/);
    assert.match(await phoenix.text(), /var Phoenix =/);

    assert.equal((await fetch(`${server.http}/nothing-here`)).status, 404);
    assert.equal((await fetch(`${server.http}/../CMakeLists.txt`)).status,
        404);
    assert.equal((await fetch(`${server.http}/api/messages`)).status, 405);
});

// Found by a newcomer: an over-size body got no answer at all, and a
// sender name the socket would refuse was accepted.
test("an over-size body is 413; a name the socket refuses is 400",
    async () => {
        const big = await fetch(`${server.http}/api/messages`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ room: "lobby", name: "ann",
                text: "x".repeat(2 * 1024 * 1024) }),
        });
        assert.equal(big.status, 413);

        for (const name of ["a\u0001", "   "]) {
            const r = await post_message(server,
                { room: "lobby", name, text: "hi" });
            assert.equal(r.status, 400, JSON.stringify(name));
            const body = await r.json();
            assert.ok(body.errors.some((e) => e.path === "/name"),
                JSON.stringify(body));
        }
    });
