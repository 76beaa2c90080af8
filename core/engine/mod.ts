/**
 * Knock detection: a pure, deterministic state machine that turns decoded
 * packets ({@linkcode Knock}) into events (stage, open, timeout, fail, …),
 * following knockd's matching rules and fixing its bugs. See
 * `docs/detection.md` for every deviation from knockd.
 *
 * @module
 */
export * from "./engine.ts";
export * from "./types.ts";
export type { Knock } from "../knock.ts";
