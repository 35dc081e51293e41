// The live cursors page in a real browser: Chromium, driven by
// playwright-core, two pages talking through the sock8 server.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as join_path } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

import { start_server, within } from "./helpers.mjs";

const wait = { timeout: 5000 };
const output_dir = process.env.SOCK8_INTEROP_OUTPUT
    ?? fileURLToPath(new URL("./output/", import.meta.url));

let server;
let context;
let user_data_dir;
const page_errors = [];

before(async () => {
    server = await start_server(["--idle-timeout-ms", "10000"]);
    await mkdir(output_dir, { recursive: true });

    // A fresh profile each run, so that nothing cached leaks between runs.
    user_data_dir = await mkdtemp(join_path(tmpdir(), "sock8-chromium-"));
    context = await chromium.launchPersistentContext(user_data_dir, {
        executablePath: process.env.SOCK8_CHROMIUM ?? "/usr/bin/chromium",
        headless: true,
        args: ["--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-quic",
            "--no-first-run", "--disable-component-update",
            "--disable-sync"],
        viewport: { width: 1000, height: 700 },
        timeout: 30000,
    });
});

after(async () => {
    await context?.close();
    await server?.stop_cleanly();
    if (user_data_dir)
        await rm(user_data_dir, { recursive: true, force: true });
});

async function shot(page, name)
{
    await page.screenshot({ path: join_path(output_dir, `${name}.png`) });
}

async function open_as(name, room)
{
    const page = await context.newPage();
    page.on("pageerror", (e) => page_errors.push(`${name}: ${e.message}`));
    page.on("console", (m) => {
        if (m.type() === "error")
            page_errors.push(`${name} console: ${m.text()}`);
    });

    await page.goto(`${server.http}/?room=${room}`);
    await page.getByTestId("name-input").fill(name);
    await page.getByTestId("name-submit").click();
    await page.locator('[data-testid="status"][data-state="joined"]')
        .waitFor(wait);
    return page;
}

function cursor_of(page, name)
{
    return page.locator(
        `[data-testid="cursor"][data-member="${name.replace(/"/g, '\\"')}"]`);
}

// Moves the real mouse to a point of the page's shared canvas, given in
// 0..1 of its size.
async function move_to(page, x, y)
{
    const box = await page.getByTestId("stage").boundingBox();
    await page.mouse.move(box.x + box.width * x, box.y + box.height * y,
        { steps: 5 });
}

test("two pages see each other's cursors, typing and messages",
    { timeout: 90000 }, async () => {
        const room = "browser";
        const alice = await open_as("alice", room);

        // The second name is HTML: it must show as text, never as markup.
        const bob_name = "<i>bob</i>";
        const bob = await open_as(bob_name, room);

        for (const page of [alice, bob]) {
            const members = page.getByTestId("members");
            await members.getByText("alice").waitFor(wait);
            await members.getByText(bob_name).waitFor(wait);
            assert.equal(await members.locator("i").count(), 0,
                "a name is never parsed as HTML");
        }
        await shot(alice, "1-joined-alice");
        await shot(bob, "1-joined-bob");

        // A cursor: alice moves, bob draws it where she is.
        await move_to(alice, 0.1, 0.1);
        await move_to(alice, 0.25, 0.4);
        const dot = cursor_of(bob, "alice");
        await dot.waitFor(wait);
        await bob.waitForFunction(() => {
            const d = document.querySelector(
                '[data-testid="cursor"][data-member="alice"]');
            return d && Math.abs(Number(d.dataset.x) - 0.25) < 0.02
                && Math.abs(Number(d.dataset.y) - 0.4) < 0.02;
        }, null, wait);
        assert.equal(await dot.textContent(), "alice");
        assert.equal(await cursor_of(alice, "alice").count(), 0,
            "a page does not draw its own cursor");

        // Drawn at that place of bob's canvas (after the CSS transition).
        await bob.waitForTimeout(150);
        const stage = await bob.getByTestId("stage").boundingBox();
        const drawn = await dot.boundingBox();
        const cx = (drawn.x + drawn.width / 2 - stage.x) / stage.width;
        const cy = (drawn.y + drawn.height / 2 - stage.y) / stage.height;
        assert.ok(Math.abs(cx - 0.25) < 0.03, `cursor drawn at x=${cx}`);
        assert.ok(Math.abs(cy - 0.4) < 0.03, `cursor drawn at y=${cy}`);
        await shot(bob, "2-bob-sees-alice-cursor");

        // And the other way round, with the HTML name as the label.
        await move_to(bob, 0.7, 0.6);
        const bob_dot = cursor_of(alice, bob_name);
        await bob_dot.waitFor(wait);
        assert.equal(await bob_dot.textContent(), bob_name);
        await shot(alice, "3-alice-sees-bob-cursor");

        // Typing: alice types, bob sees the indicator; clearing the input
        // ends it.
        const indicator = bob.getByTestId("typing-indicator");
        assert.equal(await indicator.isVisible(), false);
        await alice.getByTestId("chat-input").pressSequentially("hel");
        await indicator.filter({ hasText: "alice is typing" }).waitFor(wait);
        await shot(bob, "4-bob-sees-alice-typing");
        await alice.getByTestId("chat-input").fill("");
        await indicator.waitFor({ state: "hidden", ...wait });

        // A chat message: sent by alice over HTTP, emitted by the server,
        // shown on both pages.
        const text = "hello <script>alert(1)</script> from alice";
        await alice.getByTestId("chat-input").fill(text);
        await alice.getByTestId("chat-input").press("Enter");
        for (const page of [alice, bob]) {
            const entry = page.getByTestId("chat-log")
                .locator('[data-testid="chat-message"][data-sender="alice"]');
            await entry.waitFor(wait);
            assert.equal(await entry.textContent(), `alice: ${text}`);
            assert.equal(await page.getByTestId("chat-log")
                .locator("script").count(), 0);
        }
        await indicator.waitFor({ state: "hidden", ...wait });
        await shot(alice, "5-message-alice");
        await shot(bob, "5-message-bob");

        // Closing alice's page removes her cursor and her name from bob's.
        await alice.close();
        await dot.waitFor({ state: "detached", ...wait });
        await bob.getByTestId("members").getByText("alice")
            .waitFor({ state: "detached", ...wait });
        await shot(bob, "6-alice-gone");

        assert.deepEqual(page_errors, []);
        await bob.close();
    });

test("a refused room shows a readable error", { timeout: 30000 },
    async () => {
        const page = await context.newPage();
        await page.goto(`${server.http}/?room=${encodeURIComponent("a b")}`);
        await page.locator('[data-testid="status"][data-state="error"]')
            .waitFor(wait);
        await page.getByTestId("error").filter({ hasText: "room" })
            .waitFor(wait);
        assert.equal(await page.getByTestId("name-dialog").isVisible(), false);
        await shot(page, "7-bad-room");
        await page.close();
    });

test("the browser accepts the handshake of phoenix's authToken option",
    { timeout: 30000 }, async () => {
        // Browsers fail a WebSocket whose server does not answer the
        // "phoenix" subprotocol the client offered; Node's ws is laxer
        // about some details, so this is checked in Chromium too.
        const page = await context.newPage();
        await page.goto(`${server.http}/`);
        const result = await within(10000, "the token socket in Chromium",
            page.evaluate(() => new Promise((resolve) => {
            const socket = new window.Phoenix.Socket("/socket",
                { authToken: "chromium~~~" });
            socket.onError(() => resolve({ error: "socket error" }));
            socket.connect();
            const channel = socket.channel("chat.token.messages", {});
            const presence = new window.Phoenix.Presence(channel);
            presence.onSync(() => resolve({
                protocol: socket.conn.protocol,
                keys: presence.list((k) => k),
            }));
            channel.join();
        })));
        assert.deepEqual(result,
            { protocol: "phoenix", keys: ["user:chromium~~~"] });
        await page.close();
    });

test("one name in two tabs is one member with two connections",
    { timeout: 60000 }, async () => {
        const room = "tabs";
        const first = await open_as("carol", room);
        const second = await open_as("carol", room);
        const dan = await open_as("dan", room);

        const carol = dan.getByTestId("members")
            .locator('[data-testid="member"][data-member="carol"]');
        await carol.filter({ hasText: "×2" }).waitFor(wait);
        assert.equal(await dan.getByTestId("members")
            .locator('[data-testid="member"]').count(), 2);

        // Both tabs move; dan draws one cursor for carol, at the newest
        // position.
        await move_to(first, 0.2, 0.2);
        await move_to(second, 0.8, 0.3);
        await dan.waitForFunction(() => {
            const d = document.querySelectorAll(
                '[data-testid="cursor"][data-member="carol"]');
            return d.length === 1 && Math.abs(Number(d[0].dataset.x) - 0.8)
                < 0.02;
        }, null, wait);
        await shot(dan, "8-two-tabs");

        await second.close();
        await carol.filter({ hasNotText: "×2" }).waitFor(wait);
        await first.close();
        await carol.waitFor({ state: "detached", ...wait });
        await dan.close();
    });

test("the page rejoins when the server restarts", { timeout: 60000 },
    async () => {
        const own = await start_server();
        try {
            const page = await context.newPage();
            await page.goto(`${own.http}/?room=restart`);
            await page.getByTestId("name-input").fill("erin");
            await page.getByTestId("name-submit").click();
            const joined = page.locator(
                '[data-testid="status"][data-state="joined"]');
            await joined.waitFor(wait);

            await own.stop_cleanly();
            await joined.waitFor({ state: "detached", ...wait });
            assert.equal(await page.getByTestId("chat-input").isDisabled(),
                true, "no chat while disconnected");

            const again = await start_server(["--port", String(own.port)]);
            try {
                await joined.waitFor({ timeout: 15000 });
                await page.getByTestId("members")
                    .locator('[data-testid="member"][data-member="erin"]')
                    .waitFor(wait);
                assert.equal(
                    await page.getByTestId("chat-input").isDisabled(), false);
                await shot(page, "9-rejoined");
            } finally {
                await page.close();
                await again.stop_cleanly();
            }
        } finally {
            await own.stop();
        }
    });
