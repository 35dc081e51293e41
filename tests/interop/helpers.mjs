// Shared by the interop tests: starting the live_cursors server, connecting
// the stock phoenix client to it, and waiting with a bound on every wait.

import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { Socket, Presence } from "phoenix";
import WebSocket from "ws";

export { Presence };

const port_line = /^sock8 live cursors: http:\/\/127\.0\.0\.1:(\d+)\/$/;

/** The server binary, from the environment CTest sets. */
export function server_binary()
{
    const path = process.env.SOCK8_LIVE_CURSORS;
    if (!path)
        throw new Error(
            "SOCK8_LIVE_CURSORS is not set: run these tests through ctest, "
            + "or point it at the built live_cursors binary");
    return path;
}

/** Rejects with a message naming `what` when `promise` takes too long. */
export function within(ms, what, promise)
{
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(
            () => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `check` until it returns a truthy value, which is returned. */
export async function eventually(what, check, ms = 5000)
{
    const deadline = Date.now() + ms;
    let last_error;
    for (;;) {
        try {
            const value = check();
            if (value)
                return value;
        } catch (e) {
            last_error = e;
        }
        if (Date.now() > deadline) {
            const why = last_error
                ? ` (last error: ${last_error.message})` : "";
            throw new Error(`timed out after ${ms} ms: ${what}${why}`);
        }
        await sleep(10);
    }
}

export function sleep(ms)
{
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts live_cursors on a free port of 127.0.0.1 and resolves once it
 * printed its address. `args` are extra command line arguments.
 */
export async function start_server(args = [])
{
    const child = spawn(server_binary(),
        ["--port", "0", "--address", "127.0.0.1", ...args],
        { stdio: ["ignore", "pipe", "pipe"] });

    // A test run that dies must not leave a server behind.
    const reap = () => child.kill("SIGKILL");
    process.once("exit", reap);
    child.once("exit", () => process.off("exit", reap));

    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk) => { stderr += chunk; });

    const lines = createInterface({ input: child.stdout });
    const exited = once(child, "exit").then(([code, signal]) => {
        throw new Error(`live_cursors exited early (code ${code}, signal `
            + `${signal}): ${stderr}`);
    });
    const port = await within(10000, "the server's address line",
        Promise.race([exited, new Promise((resolve) => {
            lines.on("line", (line) => {
                const m = port_line.exec(line);
                if (m)
                    resolve(Number(m[1]));
            });
        })]));
    exited.catch(() => {});

    const http = `http://127.0.0.1:${port}`;
    return {
        port,
        http,
        socket_url: `ws://127.0.0.1:${port}/socket`,
        stderr: () => stderr,

        /** Asks the server to stop gracefully; kills it if it hangs. */
        async stop()
        {
            if (child.exitCode !== null || child.signalCode !== null)
                return { code: child.exitCode, signal: child.signalCode };
            const exit = once(child, "exit");
            child.kill("SIGTERM");
            try {
                const [code, signal] = await within(5000, "server exit", exit);
                return { code, signal };
            } catch (e) {
                child.kill("SIGKILL");
                await exit;
                throw e;
            }
        },

        /**
         * Stops the server and fails unless it exited with 0: a crash or
         * a sanitizer report at exit is a test failure, with its stderr.
         */
        async stop_cleanly()
        {
            const { code, signal } = await this.stop();
            if (code !== 0)
                throw new Error(`live_cursors exited with code ${code}, `
                    + `signal ${signal}:\n${stderr}`);
        },
    };
}

/**
 * A phoenix Socket connected to `server` with the demo's `name` parameter,
 * using the `ws` package as its transport (Node 20 has no global
 * WebSocket, and phoenix would silently fall back to long polling).
 */
export async function connect(server, name, options = {})
{
    const socket = new Socket(server.socket_url, {
        transport: WebSocket,
        params: name === undefined ? {} : { name },
        // Phoenix drops a socket whose heartbeat reply misses one
        // interval; a second leaves room for a busy machine.
        heartbeatIntervalMs: 1000,
        timeout: 3000,
        // Retry quickly: a test that needs a reconnect must not wait for
        // the default backoff.
        reconnectAfterMs: () => 100,
        rejoinAfterMs: () => 200,
        ...options,
    });
    const opened = new Promise((resolve) => socket.onOpen(resolve));
    socket.connect();
    await within(5000, `socket of ${name} opening`, opened);
    return socket;
}

/**
 * Joins `topic` on `socket` and resolves with the channel and its phoenix
 * Presence once the join was answered ok and the first presence_state was
 * applied.
 */
export async function join(socket, topic, params = {})
{
    const channel = socket.channel(topic, params);
    const presence = new Presence(channel);
    const synced = new Promise((resolve) => presence.onSync(resolve));
    const joined = new Promise((resolve, reject) => {
        channel.join()
            .receive("ok", resolve)
            .receive("error", (r) =>
                reject(new Error(`join refused: ${JSON.stringify(r)}`)))
            .receive("timeout", () => reject(new Error("join timed out")));
    });
    await within(5000, `joining ${topic}`, joined);
    await within(5000, `presence_state on ${topic}`, synced);
    return { channel, presence };
}

/**
 * Joins `topic` and resolves with the first error reply, without retrying
 * (the channel is left at once, so that phoenix stops rejoining).
 */
export async function join_error(socket, topic, params = {})
{
    const channel = socket.channel(topic, params);
    const reply = await within(5000, `error reply to joining ${topic}`,
        new Promise((resolve, reject) => {
            channel.join()
                .receive("ok", () =>
                    reject(new Error(`join of ${topic} was accepted`)))
                .receive("error", resolve)
                .receive("timeout", () =>
                    reject(new Error("join timed out")));
        }));
    channel.leave();
    return reply;
}

/** Resolves with the reply to a push; `status` is "ok" or "error". */
export function push(channel, event, payload)
{
    return within(5000, `reply to ${event}`, new Promise((resolve, reject) => {
        channel.push(event, payload)
            .receive("ok", (response) => resolve({ status: "ok", response }))
            .receive("error",
                (response) => resolve({ status: "error", response }))
            .receive("timeout", () => reject(new Error(`${event} timed out`)));
    }));
}

/** The metas of `key` in a phoenix Presence, or [] when it is absent. */
export function metas_of(presence, key)
{
    const entry = presence.list((k, p) => ({ k, metas: p.metas }))
        .find((e) => e.k === key);
    return entry ? entry.metas : [];
}

/** The sorted keys of a phoenix Presence. */
export function keys_of(presence)
{
    return presence.list((k) => k).sort();
}

/** Closes every socket given, ignoring ones already closed. */
export function disconnect_all(sockets)
{
    return within(3000, "sockets closing",
        Promise.all(sockets.map((s) => new Promise((resolve) => {
            s.disconnect(resolve);
        }))));
}

/** POSTs a chat message the way the demo page does. */
export function post_message(server, body)
{
    return fetch(`${server.http}/api/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
    });
}

/**
 * A raw `ws` connection speaking Phoenix V2 frames by hand: nothing is sent
 * unless the test sends it (in particular no heartbeat).
 */
export async function raw_connect(server, query)
{
    const ws = new WebSocket(`${server.socket_url}/websocket?${query}`);
    const frames = [];
    ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
    await within(5000, "raw socket opening", once(ws, "open"));
    return {
        ws,
        frames,
        send(frame) { ws.send(JSON.stringify(frame)); },
        closed: new Promise((resolve) =>
            ws.on("close", (code, reason) =>
                resolve({ code, reason: reason.toString() }))),
    };
}
