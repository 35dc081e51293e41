// A separate client process for the abrupt-disconnect test: it joins a
// channel with the stock phoenix client, says so on stdout, then waits to
// be killed (SIGKILL, so it cannot say goodbye).
//
//   node join_child.mjs <socket url> <name> <topic>

import { Socket } from "phoenix";
import WebSocket from "ws";

const [url, name, topic] = process.argv.slice(2);
const socket = new Socket(url, {
    transport: WebSocket,
    params: { name },
    heartbeatIntervalMs: 1000,
});
socket.connect();

socket.channel(topic, {}).join()
    .receive("ok", () => process.stdout.write("joined\n"))
    .receive("error", (r) => {
        process.stderr.write(`join refused: ${JSON.stringify(r)}\n`);
        process.exit(1);
    });

// Never exits by itself; the parent has a timeout of its own.
setInterval(() => {}, 1000);
