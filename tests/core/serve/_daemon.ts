/**
 * A pure serve daemon for tests: built from config text, driven with knocks at given times, its effects
 * described as short lines (`log ...`, `run 2 open 10.0.0.2`, `filter 0 ...`, `otp 0 /f:1`, ...).
 *
 * @module
 */
import assert from "node:assert/strict";
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../../../core/config/mod.ts";
import type { Config } from "../../../core/config/types.ts";
import type { Knock } from "../../../core/knock.ts";
import {
  type CaptureInfo,
  type DaemonOptions,
  type Effect,
  type OtpText,
  ServeDaemon,
} from "../../../core/serve/mod.ts";

/** Parses config text that must have no errors. */
export function config(text: string): Config {
  const parsed = parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });
  assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === "error"), []);
  return parsed.config;
}

/** An effect as a short line. */
export function describe(e: Effect): string {
  switch (e.type) {
    case "log":
      return `${e.entry.level === "info" ? "" : `${e.entry.level}: `}${e.entry.message}`;
    case "run":
      return `run ${e.id} ${e.command}`;
    case "journal":
      return `journal ${e.op} ${e.id}`;
    case "filter":
      return `filter ${e.capture} ${e.expression}`;
    case "otp":
      return `otp ${e.door} ${e.path}:${e.line}`;
    case "log-config":
      return `log-config ${e.logFile ?? "-"} ${e.syslog}`;
    case "lookup":
      return `lookup ${e.address}`;
    case "state":
      return `state ${e.path}`;
    case "nft":
      return `nft ${e.family} ${e.table} ${e.set} ${e.elements.join(", ")} ${e.timeoutMs}`;
  }
}

const SERVER = "10.0.0.1";

/** A knock from `src` to `port` (TCP SYN unless `udp`). */
export function knock(src: string, port: number, timeMs: number, extra: Partial<Knock> = {}): Knock {
  const v6 = src.includes(":");
  return {
    family: v6 ? 6 : 4,
    src,
    dst: v6 ? "fd00::1" : SERVER,
    protocol: "tcp",
    sport: 40000 + (port % 1000),
    dport: port,
    flags: 0x02,
    seq: port * 7,
    timeMs,
    ...extra,
  };
}

/** Options of {@linkcode daemon}. */
export interface TestDaemonOptions extends Partial<DaemonOptions> {
  /** One-time-sequences files' texts by path. */
  readonly otp?: Record<string, string>;
  readonly captures?: readonly CaptureInfo[];
}

/** A started daemon (verbose, dry run by default) and helpers; every effect so far is in `effects`. */
export function daemon(text: string, options: TestDaemonOptions = {}) {
  const {
    otp = {},
    captures = [{ name: "eth0", linktype: 1, addresses: { v4: [SERVER], v6: ["fd00::1"] } }],
    ...rest
  } = options;
  const d = new ServeDaemon({
    onlyIPv4: false,
    debug: false,
    verbose: true,
    dryRun: true,
    journal: false,
    announce: false,
    ...rest,
  });
  const effects: Effect[] = [];
  const texts = new Map<string, OtpText>(
    Object.entries(otp).map(([path, t]) => [path, { ok: true, text: t }]),
  );
  effects.push(...d.start({ config: config(text), otp: texts, captures }, 0));
  let taken = 0;
  return {
    d,
    effects,
    /** Knocks from `src` on each port, 100 ms apart from `at`. */
    knocks(src: string, ports: readonly number[], at = 1000): void {
      ports.forEach((port, i) => effects.push(...d.knock(knock(src, port, at + 100 * i), at + 100 * i)));
    },
    /** The effects since the last call, described. */
    take(): string[] {
      const lines = effects.slice(taken).map(describe);
      taken = effects.length;
      return lines;
    },
  };
}
