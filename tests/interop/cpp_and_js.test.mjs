// The sock8 C++ client (interop_cpp_member, on the Beast client transport)
// and the stock phoenix JavaScript client in one live_cursors room, over
// real sockets: each sees the other's presence and its changes, both get
// the room's messages, and a killed C++ member leaves the JS roster.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";

import {
    start_server, connect, join, push, eventually, within, metas_of,
    disconnect_all, post_message,
} from "./helpers.mjs";

const topic = "chat.lobby.messages";

let server;
const sockets = [];
const children = [];

function member_binary()
{
    const path = process.env.SOCK8_CPP_MEMBER;
    if (!path)
        throw new Error(
            "SOCK8_CPP_MEMBER is not set: run this test through ctest, or "
            + "point it at the built interop_cpp_member binary");
    return path;
}

/**
 * Starts the C++ member `name` and collects the JSON lines it prints:
 * `rosters` (each {"user:x": [record, ...]}) and `messages`.
 */
function start_cpp_member(name, seconds = 60)
{
    const child = spawn(member_binary(),
        [String(server.port), name, String(seconds)],
        { stdio: ["pipe", "pipe", "pipe"] });
    children.push(child);
    const reap = () => child.kill("SIGKILL");
    process.once("exit", reap);
    child.once("exit", () => process.off("exit", reap));

    const m = {
        child,
        rosters: [],
        messages: [],
        stderr: "",
        exited: once(child, "exit"),
        latest_roster() { return this.rosters.at(-1) ?? {}; },
        send(line) { child.stdin.write(`${line}\n`); },
    };
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => { m.stderr += chunk; });
    createInterface({ input: child.stdout }).on("line", (line) => {
        const v = JSON.parse(line);
        if (v.roster)
            m.rosters.push(v.roster);
        else if (v.message)
            m.messages.push(v.message);
    });
    return m;
}

before(async () => {
    // The default idle limit (60 s): a SIGKILLed member's socket is
    // closed by its kernel, so no idle timeout is needed to see it go.
    server = await start_server();
});

after(async () => {
    for (const c of children)
        if (c.exitCode === null && c.signalCode === null)
            c.kill("SIGKILL");
    await disconnect_all(sockets);
    await server?.stop_cleanly();
});

test("a C++ member and a phoenix member share a room", async () => {
    const socket = await connect(server, "ada");
    sockets.push(socket);
    const { channel, presence } = await join(socket, topic);

    const cee = start_cpp_member("cee");
    const why = () => `\nC++ member's stderr:\n${cee.stderr}`;

    // The C++ member joined with its record: ada's phoenix Presence has it.
    const cee_metas = await eventually("ada sees user:cee", () => {
        const metas = metas_of(presence, "user:cee");
        return metas.length === 1 ? metas : null;
    });
    assert.equal(cee_metas[0].typing, true, why());
    assert.deepEqual(cee_metas[0].cursor, { x: 0.25, y: 0.75 }, why());

    // The C++ member's typed roster has both, ada with the defaults.
    const roster = await eventually("cee's roster shows user:ada",
        () => cee.latest_roster()["user:ada"] && cee.latest_roster());
    assert.deepEqual(Object.keys(roster).sort(), ["user:ada", "user:cee"]);
    assert.equal(roster["user:ada"].length, 1);
    assert.equal(roster["user:ada"][0].typing, false);
    assert.equal(roster["user:ada"][0].cursor, undefined);
    assert.deepEqual(roster["user:cee"],
        [{ typing: true, cursor: { x: 0.25, y: 0.75 } }]);

    // A phoenix presence push reaches the C++ roster.
    const reply = await push(channel, "presence", { typing: true });
    assert.equal(reply.status, "ok");
    await eventually("cee sees ada typing",
        () => cee.latest_roster()["user:ada"]?.[0]?.typing === true);
    assert.equal(cee.latest_roster()["user:ada"].length, 1);

    // The C++ member moves its cursor (stdin, then post() to its strand);
    // only the cursor changes, typing stays.
    cee.send("cursor 0.5 0.125");
    await eventually("ada sees cee's new cursor", () => {
        const metas = metas_of(presence, "user:cee");
        return metas.length === 1 && metas[0].cursor?.x === 0.5
            && metas[0].cursor?.y === 0.125;
    });
    assert.equal(metas_of(presence, "user:cee")[0].typing, true);
    await eventually("cee's own roster shows its new cursor", () =>
        cee.latest_roster()["user:cee"]?.[0]?.cursor?.x === 0.5);

    // A message the server emits for POST /api/messages reaches both.
    const got_js = new Promise((resolve) =>
        channel.on("message", (m) => resolve(m)));
    const response = await post_message(server,
        { room: "lobby", name: "ada", text: "hello from the API" });
    assert.equal(response.status, 204);
    assert.deepEqual(await within(5000, "ada's message", got_js),
        { sender: "ada", text: "hello from the API" });
    await eventually("cee prints the message",
        () => cee.messages.length === 1);
    assert.deepEqual(cee.messages[0],
        { sender: "ada", text: "hello from the API" });

    // Killed, it closes nothing: the server sees the socket go and
    // removes it from ada's list.
    cee.child.kill("SIGKILL");
    await within(5000, "the C++ member dying", cee.exited);
    await eventually("user:cee leaves ada's list",
        () => metas_of(presence, "user:cee").length === 0, 10000);
    assert.equal(metas_of(presence, "user:ada").length, 1);
});

test("the C++ member stops cleanly at the end of its input", async () => {
    const socket = await connect(server, "bea");
    sockets.push(socket);
    const { presence } = await join(socket, topic);

    const dee = start_cpp_member("dee");
    await eventually("bea sees user:dee",
        () => metas_of(presence, "user:dee").length === 1);

    // An invalid cursor is refused by the C++ client before it is sent:
    // bea keeps seeing the old one.
    dee.send("cursor 2 0.5");
    await eventually("dee reports the invalid presence",
        () => dee.stderr.includes("invalid presence"));
    assert.deepEqual(metas_of(presence, "user:dee")[0].cursor,
        { x: 0.25, y: 0.75 });

    dee.child.stdin.end();
    const [code, signal] = await within(5000, "dee exiting", dee.exited);
    assert.equal(code, 0, `exit code ${code}, signal ${signal}\n${dee.stderr}`);
    await eventually("user:dee leaves bea's list",
        () => metas_of(presence, "user:dee").length === 0);
});
