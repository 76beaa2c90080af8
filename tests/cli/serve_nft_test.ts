/**
 * serve's nftables side without a kernel: the interpreter carries out an `nft` effect in-process (the
 * element command through the platform's libnftables, a failure logged with nft's reason), and the loader
 * refuses a config whose sets the kernel does not hold as the doors need them, with the commands that
 * create them (a fake libnftables answering like the real one; tests/e2e/nft_test.ts has the real one).
 */
import assert from "node:assert/strict";
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../../core/config/mod.ts";
import type { NftEffect } from "../../core/serve/mod.ts";
import { ServeDaemon } from "../../core/serve/mod.ts";
import { EffectInterpreter } from "../../cli/serve/interpreter.ts";
import type { Launcher } from "../../cli/serve/launcher.ts";
import type { ServeLog } from "../../cli/serve/logging.ts";
import { nftLoadErrors } from "../../cli/serve/nft_check.ts";
import type { ServePlatform } from "../../cli/serve/platform.ts";
import type { Nftables } from "../../cli/nftables.ts";
import { nftErrorLine } from "../../cli/nftables.ts";
import type { NftRunOptions, NftRunResult } from "../../ffi/mod.ts";

/** A libnftables that records each run and answers from `answer`. */
function fakeNft(answer: (commands: string, options: NftRunOptions) => NftRunResult) {
  const runs: string[] = [];
  const nft: Nftables = {
    run(commands, options = {}) {
      const flags = [options.json ? "json" : "", options.terse ? "terse" : "", options.dryRun ? "dry" : ""]
        .filter((f) => f !== "").join(",");
      runs.push(`${flags === "" ? "" : `[${flags}] `}${commands}`);
      return answer(commands, options);
    },
  };
  return { nft, runs };
}

const OK: NftRunResult = { ok: true, output: "", error: "" };

function interpreter(nftables: () => Nftables) {
  const logged: string[] = [];
  const platform = { now: () => 5000, defer: (fn: () => void) => fn(), nftables } as unknown as ServePlatform;
  const launcher: Launcher = {
    start: () => {
      throw new Error("no command in these tests");
    },
    killGroup: () => {},
    warm: () => {},
    close: () => Promise.resolve(),
  };
  const log = {
    entry: (e: { level: string; message: string }) => void logged.push(`${e.level}: ${e.message}`),
  };
  const daemon = new ServeDaemon({
    onlyIPv4: false,
    debug: false,
    verbose: true,
    dryRun: false,
    journal: false,
    announce: false,
  });
  const i = new EffectInterpreter({
    daemon,
    platform,
    log: log as unknown as ServeLog,
    logOptions: {
      verbose: true,
      debug: false,
      format: "text",
      syslog: false,
      stdout: () => {},
      stderr: () => {},
    },
    launcher,
    captures: [],
    clock: () => 5000,
    autoFlush: true,
  });
  return { i, daemon, logged };
}

const EFFECT: NftEffect = {
  type: "nft",
  door: "openSSH",
  family: "inet",
  table: "filter",
  set: "knock4",
  elements: ["10.0.0.2"],
  timeoutMs: 30_000,
};

Deno.test("interpreter: an nft effect runs the element command in-process, once, and logs nothing when it works", () => {
  const { nft, runs } = fakeNft(() => OK);
  const { i, logged } = interpreter(() => nft);
  i.apply([EFFECT]);
  assert.deepEqual(runs, [
    "add element inet filter knock4 { 10.0.0.2 timeout 30s }\n" +
    "delete element inet filter knock4 { 10.0.0.2 }\n" +
    "add element inet filter knock4 { 10.0.0.2 timeout 30s }\n",
  ]);
  assert.deepEqual(logged, []);
  assert.ok(i.idle);
});

Deno.test("interpreter: a refused element command is logged with nft's reason; a missing libnftables too", () => {
  const { nft } = fakeNft(() => ({
    ok: false,
    output: "",
    error:
      "Error: No such file or directory\nadd element inet filter knock4 { 10.0.0.2 }\n                   ^^^^^^\n",
  }));
  const refused = interpreter(() => nft);
  refused.i.apply([EFFECT]);
  assert.deepEqual(refused.logged, [
    "error: openSSH: nft: could not add 10.0.0.2 to inet filter knock4: No such file or directory",
  ]);
  const missing = interpreter(() => {
    throw new Error("libnftables is not installed (apt-get install libnftables1)");
  });
  missing.i.apply([EFFECT]);
  assert.deepEqual(missing.logged, [
    "error: openSSH: nft: could not add 10.0.0.2 to inet filter knock4: libnftables is not installed (apt-get install libnftables1)",
  ]);
});

Deno.test("nftErrorLine: nft's first line, without its prefix; no permission names the capability", () => {
  assert.equal(
    nftErrorLine("Error: syntax error, unexpected set\nadd ...\n   ^^^\n"),
    "syntax error, unexpected set",
  );
  assert.equal(
    nftErrorLine("netlink: Error: cache initialization failed: Operation not permitted\n"),
    "cache initialization failed: Operation not permitted (CAP_NET_ADMIN is needed)",
  );
  assert.equal(nftErrorLine(""), "unknown error");
});

const CONFIG = `[ssh]
  sequence    = 7000,8000
  Nft_Set     = inet filter knock4
  Nft_Timeout = 30
[web]
  sequence    = 7001,8001
  Nft_Set     = inet filter ports4
  Nft_Port    = 443
  cmd_timeout = 5
`;
const config = parseConfig(CONFIG, { extensions: KNOCKTOOL_EXTENSIONS }).config;

const TABLES = '{"nftables": [{"metainfo": {}}, {"table": {"family": "inet", "name": "filter"}}]}';
const sets = (...list: string[]) => `{"nftables": [{"metainfo": {}}, ${list.join(", ")}]}`;
const SET_K4 =
  '{"set": {"family": "inet", "table": "filter", "name": "knock4", "type": "ipv4_addr", "flags": ["timeout"]}}';
const SET_P4 =
  '{"set": {"family": "inet", "table": "filter", "name": "ports4", "type": ["ipv4_addr", "inet_service"], "flags": ["timeout"]}}';

function kernel(tables: string, setList: string, refuse?: RegExp) {
  return fakeNft((commands, options) => {
    if (commands === "list tables") return { ok: true, output: tables, error: "" };
    if (commands === "list sets") return { ok: true, output: setList, error: "" };
    if (options.dryRun === true && refuse?.test(commands)) {
      return { ok: false, output: "", error: "Error: Could not process rule: Operation not supported\n" };
    }
    return OK;
  });
}

Deno.test("loader: sets as the doors need them: listed once, each door's command tried as a dry run", () => {
  const { nft, runs } = kernel(TABLES, sets(SET_K4, SET_P4));
  assert.deepEqual(
    nftLoadErrors(config, { configPath: "/etc/k.conf", dryRun: false }, { nftables: () => nft }),
    [],
  );
  assert.deepEqual(runs.map((r) => r.split("\n")[0]), [
    "[json] list tables",
    "[json,terse] list sets",
    "[dry] add element inet filter knock4 { 192.0.2.1 timeout 1s }",
    "[dry] add element inet filter ports4 { 192.0.2.1 . 443 timeout 1s }",
  ]);
});

Deno.test("loader: a missing table refuses the config, with lint's codes and places and the nft commands", () => {
  const { nft } = kernel('{"nftables": [{"metainfo": {}}]}', sets().replace(", ]", "]"));
  assert.deepEqual(
    nftLoadErrors(config, { configPath: "/etc/k.conf", dryRun: false }, { nftables: () => nft }),
    [
      '/etc/k.conf:3:17: error[KT301]: Door "ssh" adds to nftables set inet filter knock4, but table inet filter does not exist',
      '/etc/k.conf:7:17: error[KT301]: Door "web" adds to nftables set inet filter ports4, but table inet filter does not exist',
      "these nft commands create the sets the doors need:",
      "  nft add table inet filter",
      "  nft add set inet filter knock4 '{ type ipv4_addr; flags timeout; }'",
      "  nft add set inet filter ports4 '{ type ipv4_addr . inet_service; flags timeout; }'",
    ],
  );
});

Deno.test("loader: a set of the wrong type (KT302), a refused trial; an unreadable ruleset (KT303); a dry run checks nothing", () => {
  const wrong = kernel(TABLES, sets(SET_K4, SET_P4.replace('["ipv4_addr", "inet_service"]', '"ipv4_addr"')));
  const lines = nftLoadErrors(config, { configPath: "k.conf", dryRun: false }, { nftables: () => wrong.nft });
  assert.equal(
    lines[0]?.startsWith(
      'k.conf:7:17: error[KT302]: Door "web" adds to nftables set inet filter ports4, whose type is ipv4_addr',
    ),
    true,
    lines[0],
  );
  assert.deepEqual(lines.slice(1), [
    "these nft commands create the sets the doors need (a set is deleted only once the rules that use it are):",
    "  nft delete set inet filter ports4",
    "  nft add set inet filter ports4 '{ type ipv4_addr . inet_service; flags timeout; }'",
  ]);
  const refusing = kernel(TABLES, sets(SET_K4, SET_P4), /knock4/);
  assert.deepEqual(
    nftLoadErrors(config, { configPath: "k.conf", dryRun: false }, { nftables: () => refusing.nft }),
    [
      'k.conf:3:17: error[KT302]: Door "ssh" adds to nftables set inet filter knock4, but libnftables refuses the door\'s element command: Could not process rule: Operation not supported',
    ],
  );
  const denied = fakeNft(() => ({
    ok: false,
    output: "",
    error: "netlink: Error: cache initialization failed: Operation not permitted\n",
  }));
  assert.deepEqual(
    nftLoadErrors(config, { configPath: "k.conf", dryRun: false }, { nftables: () => denied.nft }),
    [
      "k.conf: error[KT303]: nftables doors need libnftables: cannot list the nftables tables: cache initialization failed: Operation not permitted (CAP_NET_ADMIN is needed)",
    ],
  );
  const untouched = fakeNft(() => OK);
  assert.deepEqual(
    nftLoadErrors(config, { configPath: "k.conf", dryRun: true }, { nftables: () => untouched.nft }),
    [],
  );
  assert.deepEqual(untouched.runs, []);
  // No nftables door: libnftables is not even opened.
  const plain = parseConfig("[d]\nsequence = 1,2\nstart_command = x\n").config;
  assert.deepEqual(
    nftLoadErrors(plain, { configPath: "k.conf", dryRun: false }, {
      nftables: () => {
        throw new Error("not opened");
      },
    }),
    [],
  );
});
