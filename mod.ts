/**
 * knocktool as a library: the knockd.conf dialect, its linter, the frame decoder, the knock-detection
 * engine, the capture-filter builder and the packet builder — the pieces the `knocktool` CLI is made of.
 * Everything exported here is pure (no `Deno.*` calls, no clock, no I/O: time comes in as numbers,
 * randomness as an {@linkcode Rng}, files as text); the libpcap and libc bindings are the separate `./ffi`
 * entry point.
 *
 * This list is the promise; anything else in the repository may change without notice. By area:
 *
 * - **Configuration** — {@linkcode parseConfig} reads knockd.conf with knockd 0.8's exact acceptance rules
 *   into a {@linkcode Config} of {@linkcode Door}s, with a {@linkcode Span} for every item and a
 *   {@linkcode Diagnostic} for every problem; {@linkcode KNOCKTOOL_EXTENSIONS} adds knocktool's own door
 *   directives, read back with {@linkcode doorStrict} and {@linkcode doorCooldownMs};
 *   {@linkcode parseSequence} reads a `sequence` value on its own; {@linkcode parseOneTimeSequences} and
 *   {@linkcode markOneTimeSequenceUsed} read and rewrite a one_time_sequences file as knockd does.
 * - **TOTP doors** — {@linkcode doorTotp} reads a door's `TOTP_*` settings; {@linkcode totpCandidates} and
 *   {@linkcode derivedSequence} give the knocks of one time step ({@linkcode totpCounter}), as serve accepts
 *   them; {@linkcode hotp} is RFC 4226's HMAC step; {@linkcode formatTotpUri} and {@linkcode parseTotpUri}
 *   write and read the `otpauth://` enrolment URIs.
 * - **Linting** — {@linkcode lintConfig} gives every finding with a stable code (`KT0xx` what knockd
 *   rejects, `KT1xx` doors that cannot work, `KT2xx` likely mistakes), {@linkcode RULES} lists the rules and
 *   {@linkcode explainRule} gives one rule's long explanation.
 * - **Decoding** — {@linkcode decodeFrame} turns a captured frame of a {@linkcode LinkType} into a
 *   {@linkcode Knock}, or a reason why not; it never throws.
 * - **Detection** — {@linkcode createEngine} makes a {@linkcode KnockEngine}: knocks in
 *   (`observe(knock, nowMs)`), time in (`tick(nowMs)`), {@linkcode EngineEvent}s out, with knockd's
 *   matching rules and its bugs fixed.
 * - **Capture filter** — {@linkcode buildFilter} gives the BPF expression `serve` captures with, for the
 *   doors and the interface's addresses.
 * - **Packets** — {@linkcode buildPacket} encodes a whole IPv4 or IPv6 datagram (TCP, UDP, ICMP, ICMPv6 or
 *   raw) from a {@linkcode PacketSpec} with correct checksums; {@linkcode encodeEthernet} frames it,
 *   {@linkcode encodePcap} writes a pcap file; address, MAC and payload helpers go with them.
 * - **fwknop** — {@linkcode decodeFwknopSpa} checks and decrypts an fwknop SPA packet (Rijndael + HMAC, protocol
 *   3.0.0) with a stanza's {@linkcode FwknopKeys}, {@linkcode encodeFwknopSpa} makes one as the fwknop client does,
 *   {@linkcode parseAccessConf} reads fwknopd's access.conf with a {@linkcode Diagnostic} per problem.
 * - **SPA** — {@linkcode sealSpa} makes the one datagram of knocktool's single packet authorization
 *   (docs/spa.md) from an enrolment URI read by {@linkcode parseBundle} and a user key read by
 *   {@linkcode parseUserKey}: what a client needs to knock at an SPA door.
 *
 * Not part of it: `serve`'s daemon pieces (log line formats, the journal, command launching) and the CLI.
 *
 * @example Lint a config
 * ```ts
 * import { lintConfig } from "./mod.ts";
 *
 * const result = lintConfig("[openSSH]\nsequence = 7000,8000,9000\n", { file: "knockd.conf" });
 * for (const d of result.diagnostics) {
 *   console.log(`${d.file}:${d.span?.line}:${d.span?.column}: ${d.severity}[${d.code}]: ${d.message}`);
 * }
 * ```
 *
 * @example Parse a config and read a door
 * ```ts
 * import { parseConfig } from "./mod.ts";
 *
 * const { config, diagnostics } = parseConfig("[web]\nsequence = 2222,5555:udp,3333\ntcpflags = syn\n");
 * console.log(diagnostics.length, config.doors[0]?.sequence.map((s) => `${s.port}:${s.protocol}`));
 * ```
 *
 * @example Detect a knock sequence
 * ```ts
 * import assert from "node:assert/strict";
 * import { createEngine, type Knock, parseConfig } from "./mod.ts";
 *
 * const { config } = parseConfig("[ssh]\nsequence = 7000,8000:udp,9000\n");
 * const engine = createEngine(config.doors, { localAddresses: ["10.0.0.1"] });
 * const knock = (dport: number, protocol: "tcp" | "udp", timeMs: number): Knock => ({
 *   family: 4, src: "10.0.0.2", dst: "10.0.0.1", protocol, sport: 40000, dport,
 *   flags: protocol === "tcp" ? 0x02 : 0, seq: dport, timeMs,
 * });
 * engine.observe(knock(7000, "tcp", 1000));
 * engine.observe(knock(8000, "udp", 1100));
 * const events = engine.observe(knock(9000, "tcp", 1200));
 * assert.ok(events.some((e) => e.type === "open" && e.name === "ssh" && e.src === "10.0.0.2"));
 * ```
 *
 * @example Build a TCP SYN
 * ```ts
 * import { buildPacket, createRng } from "./mod.ts";
 *
 * const syn = { src: "10.0.0.2", dst: "10.0.0.1", transport: { protocol: "tcp", dport: 7000 } } as const;
 * const bytes = buildPacket(syn, createRng(1));
 * console.log(bytes.length);
 * ```
 *
 * @module
 */

// Spans and diagnostics, shared by the parser and the linter.
export type { Located, Span } from "./core/span.ts";
export type { Diagnostic, Severity } from "./core/diagnostic.ts";

// Configuration.
export {
  type Config,
  type ConfigExtension,
  DEFAULT_CMD_TIMEOUT,
  DEFAULT_SEQ_TIMEOUT,
  type Directive,
  type Door,
  doorCooldownMs,
  doorStrict,
  type FlagSpec,
  type FlagState,
  KNOCKTOOL_EXTENSIONS,
  markOneTimeSequenceUsed,
  MAX_SEQUENCE_LENGTH,
  type OneTimeSequenceEntry,
  type OneTimeSequencesResult,
  type Options,
  parseConfig,
  type ParsedSequence,
  parseOneTimeSequences,
  type ParseOneTimeSequencesOptions,
  type ParseOptions,
  type ParseResult,
  parseSequence,
  type ParseSequenceOptions,
  type Protocol,
  type Section,
  type SequenceStep,
  type TcpFlag,
} from "./core/config/mod.ts";
export type { DoorNft, NftFamily, NftSetRef } from "./core/config/mod.ts";

// TOTP doors: a door's settings, the sequence of a time step (what a client of its own computes), enrolment.
export { type DoorTotp, doorTotp, type TotpSecretSource } from "./core/config/mod.ts";
export {
  type DerivationParams,
  type DerivedKnock,
  derivedSequence,
  formatTotpUri,
  hotp,
  parseTotpUri,
  type TotpAlgorithm,
  totpCandidates,
  totpCounter,
  type TotpProfile,
} from "./core/totp/mod.ts";

// Linting.
export {
  explainRule,
  type FileFacts,
  lintConfig,
  type LintOptions,
  type LintResult,
  type RuleInfo,
  RULES,
} from "./core/lint/mod.ts";
// What `LintOptions.nftables` (lint --check-firewall) is given and returns.
export type {
  NftFacts,
  NftRequirement,
  NftRuleset,
  NftSetFact,
  NftTableFact,
  NftTrials,
} from "./core/nft/mod.ts";

// Decoding.
export {
  decodeFrame,
  type DecodeReason,
  type DecodeResult,
  isSupportedLinkType,
  type Knock,
  LinkType,
  type PayloadSlot,
  type SupportedLinkType,
} from "./core/decode/mod.ts";

// Detection.
export {
  type CooldownEvent,
  createEngine,
  type DroppedEvent,
  type EngineEvent,
  type EngineOptions,
  type EngineStats,
  type EventBase,
  type EvictedEvent,
  type ExtensionStats,
  type FailEvent,
  type FailReason,
  KnockEngine,
  type KnockTarget,
  type OpenEvent,
  type RepeatEvent,
  type RetransmissionEvent,
  type StageEvent,
  type TimeoutEvent,
} from "./core/engine/mod.ts";

// Capture filter.
export {
  buildFilter,
  type BuildFilterOptions,
  type BuiltFilter,
  type DoorFilter,
  type FilterAddresses,
  type FilterForm,
  MATCH_NOTHING,
} from "./core/filter/mod.ts";

// Single packet authorization: the client side.
export {
  type BundleRead,
  type Curve,
  DATAGRAM_BYTES,
  formatBundle,
  type KeyFileRead,
  parseBundle,
  parseUserKey,
  publicKeyOf,
  type RequestedAddress,
  type SealInput,
  sealSpa,
  type SpaBundle,
  type SpaRequest,
  type UserKey,
} from "./core/spa/mod.ts";

// Packets.
export {
  AddressSyntaxError,
  type BadChecksum,
  buildPacket,
  buildPacketDetailed,
  type BuiltIp,
  type BuiltPacket,
  type BuiltTransport,
  canonicalIP,
  createRng,
  encodeEthernet,
  encodePcap,
  encodePcapHeader,
  encodePcapRecord,
  type EthernetFields,
  ETHERTYPE,
  formatIP,
  formatMac,
  HexSyntaxError,
  type IcmpSpec,
  type IPAddress,
  type IpSpec,
  type IPv4Option,
  LINKTYPE,
  type PacketSpec,
  parseHexPayload,
  parseIP,
  parseMac,
  type PcapPacket,
  type PcapWriterOptions,
  type RawSpec,
  type Rng,
  TCP_FLAG_BITS,
  type TcpFields,
  type TcpOption,
  type TcpSpec,
  textPayload,
  type TransportSpec,
  tryParseIP,
  type UdpSpec,
} from "./core/packet/mod.ts";
export {
  type AccessConf,
  type AccessConfOptions,
  type AccessStanza,
  type AddressList,
  decodeSpa as decodeFwknopSpa,
  encodeSpa as encodeFwknopSpa,
  type FwknopDigest,
  type FwknopKeys,
  type Network,
  parseAccessConf,
  type ProtoPort,
  type SpaDecode as FwknopSpaDecode,
  type SpaFailure as FwknopSpaFailure,
  type SpaFields as FwknopSpaFields,
} from "./core/fwknop/mod.ts";
