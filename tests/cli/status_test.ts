import assert from "node:assert/strict";
import { encodeJournal, encodeStatus } from "../../core/serve/mod.ts";
import { runStatus, type StatusNet } from "../../cli/status/command.ts";
import { denoIo, type Io } from "../../cli/runtime.ts";

/** An Io whose standard streams are captured. */
function captureIo(): { io: Io; stdout: () => string; stderr: () => string } {
  let out = "", err = "";
  const io: Io = { ...denoIo(), stdout: (t) => void (out += t), stderr: (t) => void (err += t) };
  return { io, stdout: () => out, stderr: () => err };
}

function net(over: Partial<StatusNet>): StatusNet {
  return {
    ask: () => Promise.reject(new Error("No such file or directory")),
    readJournal: () => undefined,
    now: () => 1000,
    clock: (ms) => `T${ms}`,
    ...over,
  };
}

Deno.test("status: the running daemon's answer; the journal when it is not running; an unreadable state dir", async () => {
  const args = { config: "/etc/knockd.conf", stateDir: "/s", json: false };
  let io = captureIo();
  const daemon = net({
    ask: (path, request) => {
      assert.match(path, /^\/s\/control-[0-9a-f]{16}\.sock$/);
      assert.equal(request, "status\n");
      return Promise.resolve(
        encodeStatus({ attempts: 1, open: [{ door: "ssh", src: "10.0.0.2", dueMs: 11_000 }] }, 9),
      );
    },
  });
  assert.equal(await runStatus(args, io.io, daemon), 0);
  assert.match(
    io.stdout(),
    /running, 1 knock attempts in progress\n.*ssh\s+10\.0\.0\.2\s+closes at T11000 \(in 10 s\)/s,
  );

  io = captureIo();
  const journal = net({
    readJournal: (path) => {
      assert.match(path, /^\/s\/knockd\.conf-[0-9a-f]{16}\.journal$/);
      return encodeJournal([{ door: "web", src: "fd00::2", command: "close", dueMs: 5000 }]);
    },
  });
  assert.equal(await runStatus({ ...args, json: true }, io.io, journal), 0);
  assert.deepEqual(JSON.parse(io.stdout()), {
    source: "journal",
    open: [{ door: "web", src: "fd00::2", dueMs: 5000 }],
  });

  io = captureIo();
  assert.equal(await runStatus(args, io.io, net({})), 0);
  assert.match(io.stdout(), /not running; from its journal\nno door is open/);

  io = captureIo();
  const denied = net({
    readJournal: () => {
      throw new Error("Permission denied");
    },
  });
  assert.equal(await runStatus(args, io.io, denied), 1);
  assert.match(
    io.stderr(),
    /^knocktool status: cannot read \/s\/knockd\.conf-[0-9a-f]{16}\.journal: Permission denied \(run as root\?\)/,
  );
});
