// Replays the scenarios of presence_scenarios.json through the phoenix
// client's own Presence class and prints, per scenario, every onJoin,
// onLeave and onSync call and the final list(), as JSON on one line.
// presence_test.cpp runs the same scenarios through sock8's roster and
// compares.
//
//   node phoenix_presence_check.mjs <scenarios.json> <dir with node_modules>

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const [scenarioFile, interopDir] = process.argv.slice(2);
const require = createRequire(resolve(interopDir, "package.json"));
const { Presence } = require("phoenix");

// Stands in for a phoenix Channel: Presence only calls on() and joinRef().
// deliver() drops frames stamped with another join ref, as Channel.isMember
// does.
class FakeChannel {
  constructor() {
    this.handlers = {};
    this.currentJoinRef = null;
  }
  on(event, callback) {
    this.handlers[event] = callback;
  }
  joinRef() {
    return this.currentJoinRef;
  }
  deliver(event, payload, frameJoinRef) {
    if (frameJoinRef && frameJoinRef !== this.currentJoinRef) return;
    this.handlers[event](payload);
  }
}

const snapshot = (v) => JSON.parse(JSON.stringify(v ?? null));

const results = [];
for (const scenario of JSON.parse(readFileSync(scenarioFile, "utf8"))) {
  const channel = new FakeChannel();
  const presence = new Presence(channel);
  const log = [];
  presence.onJoin((key, current, joined) =>
    log.push({ event: "join", key, current: current ? snapshot(current.metas) : null,
               joined: snapshot(joined.metas) }));
  presence.onLeave((key, remaining, left) =>
    log.push({ event: "leave", key, remaining: snapshot(remaining.metas),
               left: snapshot(left.metas) }));
  presence.onSync(() => log.push({ event: "sync" }));

  for (const step of scenario.steps) {
    if ("join_ref" in step) channel.currentJoinRef = step.join_ref;
    else if ("state" in step)
      channel.deliver("presence_state", step.state, step.frame_join_ref ?? null);
    else if ("diff" in step)
      channel.deliver("presence_diff", step.diff, step.frame_join_ref ?? null);
  }

  const list = presence.list((key, p) => [key, snapshot(p.metas)]);
  results.push({ name: scenario.name, log, list });
}
process.stdout.write(JSON.stringify(results) + "\n");
