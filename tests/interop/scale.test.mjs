// A busy room with the stock phoenix client: fifty members join, then all
// of them move their cursors at once. Every member's Presence must end with
// everyone's last position, with and without a presence coalescing window
// (coalesced diffs carry several versions' leaves and joins at once).

import { test } from "node:test";
import assert from "node:assert/strict";

import {
    start_server, connect, join, eventually, metas_of, keys_of,
    disconnect_all,
} from "./helpers.mjs";

const members = 50;
const moves = 10;

async function busy_room(t, server_args)
{
    const server = await start_server(server_args);
    const sockets = [];
    try {
        const topic = "chat.busy.messages";
        const started = performance.now();
        const room = [];
        for (let i = 0; i < members; ++i) {
            // Phoenix's own 30 s heartbeat: it drops a socket whose
            // heartbeat reply misses one interval, and on a loaded machine
            // a sanitizer build can take seconds to drain the burst below
            // (2,500 frames without coalescing).
            const socket = await connect(server, `m${i}`,
                { heartbeatIntervalMs: 30000 });
            sockets.push(socket);
            room.push({ key: `user:m${i}`, ...(await join(socket, topic)) });
        }
        const keys = room.map((m) => m.key).sort();
        for (const m of room)
            await eventually(`${m.key} sees all ${members}`,
                () => keys_of(m.presence).join() === keys.join(), 60000);
        const joined = performance.now();

        // Everyone moves at once; the last position of member i is
        // (i / members, 1).
        for (let step = 1; step <= moves; ++step)
            room.forEach((m, i) => m.channel.push("presence",
                { cursor: { x: i / members, y: step / moves } }));
        for (const m of room)
            await eventually(`${m.key} sees everyone's last move`,
                () => room.every((other, i) => {
                    const metas = metas_of(m.presence, other.key);
                    return metas.length === 1
                        && metas[0].cursor?.x === i / members
                        && metas[0].cursor?.y === 1;
                }), 60000);
        const moved = performance.now();

        t.diagnostic(`${members} members joined and converged in `
            + `${(joined - started).toFixed(0)} ms; ${members * moves} `
            + `updates converged in ${(moved - joined).toFixed(0)} ms`);
        for (const m of room)
            for (const key of keys)
                assert.equal(metas_of(m.presence, key).length, 1);
    } finally {
        await disconnect_all(sockets);
        await server.stop_cleanly();
    }
}

test("fifty members, every change sent at once", { timeout: 150000 },
    (t) => busy_room(t, ["--idle-timeout-ms", "60000",
        "--presence-window-ms", "0"]));

test("fifty members, diffs coalesced over 25 ms", { timeout: 150000 },
    (t) => busy_room(t, ["--idle-timeout-ms", "60000",
        "--presence-window-ms", "25"]));
