/**
 * The list of lint rules and their metadata, parser rules included.
 *
 * @module
 */
import { EXTENSION_RULES, PARSE_RULES } from "../config/mod.ts";
import { ACCESS_RULE_LIST } from "../fwknop/access_rules.ts";
import type { RuleInfo } from "./types.ts";
import type { Rule } from "./_context.ts";
import * as otpFileUnreadable from "./rules/otp_file_unreadable.ts";
import * as otpFileNoSequence from "./rules/otp_file_no_sequence.ts";
import * as nonCanonicalTarget from "./rules/non_canonical_target.ts";
import * as emptyCommand from "./rules/empty_command.ts";
import * as seqTimeoutNever from "./rules/seq_timeout_never.ts";
import * as portZero from "./rules/port_zero.ts";
import * as numberTrailingGarbage from "./rules/number_trailing_garbage.ts";
import * as negativePort from "./rules/negative_port.ts";
import * as optionsSectionCase from "./rules/options_section_case.ts";
import * as useSyslogInDoor from "./rules/usesyslog_in_door.ts";
import * as inlineHash from "./rules/inline_hash.ts";
import * as otpLineWithoutSpace from "./rules/otp_line_without_space.ts";
import * as monotonicSequence from "./rules/monotonic_sequence.ts";
import * as wellKnownPort from "./rules/well_known_port.ts";
import * as singlePortDoor from "./rules/single_port_door.ts";
import * as duplicateSequence from "./rules/duplicate_sequence.ts";
import * as shortSeqTimeout from "./rules/short_seq_timeout.ts";
import * as cmdTimeout from "./rules/cmd_timeout.ts";
import * as stopWithoutStart from "./rules/stop_without_start.ts";
import * as commandWithoutIp from "./rules/command_without_ip.ts";
import * as tcpFlagsOnUdp from "./rules/tcpflags_on_udp.ts";
import * as missingTcpFlags from "./rules/missing_tcpflags.ts";
import * as writableFile from "./rules/writable_file.ts";
import * as duplicateDoorName from "./rules/duplicate_door_name.ts";
import * as ipv6NeverClosed from "./rules/ipv6_never_closed.ts";
import * as relativePath from "./rules/relative_path.ts";
import * as overriddenDirective from "./rules/overridden_directive.ts";
import * as knocktoolDirective from "./rules/knocktool_directive.ts";
import * as emptyInterface from "./rules/empty_interface.ts";
import * as duplicateInterface from "./rules/duplicate_interface.ts";
import * as nftNoTimeout from "./rules/nft_no_timeout.ts";
import * as nftUnused from "./rules/nft_unused.ts";
import * as nftSetMissing from "./rules/nft_set_missing.ts";
import * as nftSetMismatch from "./rules/nft_set_mismatch.ts";
import * as nftUnreadable from "./rules/nft_unreadable.ts";
import * as totpConflict from "./rules/totp_conflict.ts";
import * as totpRange from "./rules/totp_range.ts";
import * as totpSecretUnreadable from "./rules/totp_secret_unreadable.ts";
import * as totpShortSecret from "./rules/totp_short_secret.ts";
import * as totpShortStep from "./rules/totp_short_step.ts";
import * as totpSecretReadable from "./rules/totp_secret_readable.ts";
import { SPA_RULES } from "./rules/spa.ts";

/**
 * The lint rules (KT1xx errors, KT2xx warnings; KT3xx, the firewall, only with `options.nftables`); each
 * runs on every config.
 */
export const LINT_RULES: readonly Rule[] = [
  otpFileUnreadable,
  otpFileNoSequence,
  nonCanonicalTarget,
  emptyCommand,
  seqTimeoutNever,
  emptyInterface,
  portZero,
  numberTrailingGarbage,
  negativePort,
  optionsSectionCase,
  useSyslogInDoor,
  inlineHash,
  otpLineWithoutSpace,
  monotonicSequence,
  wellKnownPort,
  singlePortDoor,
  duplicateSequence,
  shortSeqTimeout,
  cmdTimeout,
  stopWithoutStart,
  commandWithoutIp,
  tcpFlagsOnUdp,
  missingTcpFlags,
  writableFile,
  duplicateDoorName,
  ipv6NeverClosed,
  relativePath,
  overriddenDirective,
  knocktoolDirective,
  duplicateInterface,
  nftNoTimeout,
  nftUnused,
  nftSetMissing,
  nftSetMismatch,
  nftUnreadable,
  totpConflict,
  totpRange,
  totpSecretUnreadable,
  totpShortSecret,
  totpShortStep,
  totpSecretReadable,
  ...SPA_RULES,
];

/**
 * Every rule `knocktool lint` can report: the parser's KT0xx rules (what knockd rejects), then the lint
 * rules, the checks of knocktool's own directives and those of fwknop's access.conf, in code order.
 *
 * @example
 * ```ts
 * import { RULES } from "./registry.ts";
 * console.assert(RULES.some((r) => r.code === "KT208" && r.name === "monotonic-sequence"));
 * ```
 */
export const RULES: readonly RuleInfo[] = [
  ...PARSE_RULES,
  // The parser reports bad values of knocktool's own directives (KT106, KT107) among the lint rules' codes.
  // fwknop's access.conf (`lint --fwknop-access`): KT16x errors, KT26x warnings.
  ...[...EXTENSION_RULES, ...LINT_RULES.map((r) => r.info), ...ACCESS_RULE_LIST].sort((a, b) =>
    a.code < b.code ? -1 : 1
  ),
];

const BY_CODE: ReadonlyMap<string, RuleInfo> = new Map(RULES.map((r) => [r.code.toUpperCase(), r]));

/**
 * Looks up a rule by its code, ignoring case (`kt208` finds `KT208`).
 *
 * @param code A rule code such as `KT208`.
 * @returns The rule's metadata, or `undefined` for an unknown code.
 *
 * @example
 * ```ts
 * import { explainRule } from "./registry.ts";
 * console.assert(explainRule("kt208")?.name === "monotonic-sequence");
 * console.assert(explainRule("KT999") === undefined);
 * ```
 */
export function explainRule(code: string): RuleInfo | undefined {
  return BY_CODE.get(code.trim().toUpperCase());
}
