/**
 * The knockd.conf dialect: a parser with knockd 0.8's exact acceptance rules
 * that keeps a span for every header, key, value, sequence item and flag
 * list, and reports every problem knockd would refuse (KT0xx, all errors)
 * instead of stopping at the first one.
 *
 * Any diagnostic with severity `error` means knockd would refuse the file;
 * `result.ok` says the same thing in one boolean.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./mod.ts";
 *
 * const { config, diagnostics, ok } = parseConfig(
 *   "[options]\n  UseSyslog\n[openSSH]\n  sequence = 7000,8000:udp,9000\n  tcpflags = syn\n",
 * );
 * assert.ok(ok && diagnostics.length === 0);
 * const door = config.doors[0]!;
 * assert.ok(door.name === "openSSH");
 * assert.ok(door.sequence.map((s) => `${s.port}:${s.protocol}`).join() === "7000:tcp,8000:udp,9000:tcp");
 * assert.ok(door.seqTimeout.value === 25);
 *
 * const bad = parseConfig("[d]\nsequence = 70000\n");
 * assert.ok(!bad.ok);
 * assert.ok(bad.diagnostics[0]!.knockd === "config: section d: port 70000 is invalid");
 * ```
 *
 * @module
 */
export { DEFAULT_MAX_DIAGNOSTICS, parseConfig, type ParseOptions, type ParseResult } from "./parse.ts";
export { type ParsedSequence, parseSequence, type ParseSequenceOptions } from "./sequence.ts";
export {
  markOneTimeSequenceUsed,
  type OneTimeSequenceEntry,
  type OneTimeSequencesResult,
  parseOneTimeSequences,
  type ParseOneTimeSequencesOptions,
} from "./one_time.ts";
export { CODES, PARSE_RULES, type ParseCode } from "./codes.ts";
export {
  COOLDOWN_KEY,
  doorCooldownMs,
  doorStrict,
  EXTENSION_CODES,
  EXTENSION_RULES,
  KNOCKTOOL_EXTENSIONS,
  MAX_COOLDOWN_SECONDS,
  parseCooldownValue,
  parseStrictValue,
  STRICT_KEY,
} from "./extensions.ts";
export {
  type DoorNft,
  doorNft,
  MAX_NFT_TIMEOUT_SECONDS,
  NFT_CODES,
  NFT_EXTENSION_RULES,
  NFT_EXTENSIONS,
  NFT_FAMILIES,
  NFT_KEYS,
  type NftFamily,
  type NftSetRef,
  parseNftPorts,
  parseNftSetValue,
  parseNftTimeout,
} from "./nft.ts";
export {
  type DoorTotp,
  doorTotp,
  isTotpDoor,
  parseTotpExclude,
  parseTotpProtocols,
  parseTotpRange,
  parseTotpSecret,
  TOTP_CODES,
  TOTP_DEFAULTS,
  TOTP_EXTENSION_RULES,
  TOTP_EXTENSIONS,
  TOTP_KEYS,
  type TotpSecretSource,
} from "./totp.ts";
export * from "./types.ts";
