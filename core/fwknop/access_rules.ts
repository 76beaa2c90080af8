/**
 * The diagnostic codes of fwknop's access.conf (KT160–KT169 errors, KT260–KT265 warnings), for the parser's
 * findings and `knocktool lint --explain`. Pure data.
 *
 * @module
 */
import type { RuleInfo } from "../diagnostic.ts";

function rule(
  code: string,
  severity: "error" | "warning",
  name: string,
  summary: string,
  explanation: string,
) {
  return { code, severity, name, summary, explanation } as const satisfies RuleInfo;
}

/** The access.conf rules by name. */
export const ACCESS_RULES = {
  unsupported: rule(
    "KT160",
    "error",
    "fwknop-unsupported",
    "an access.conf directive knocktool does not implement",
    "knocktool serve reads fwknopd's access.conf but does not implement GPG mode (GPG_*), command messages " +
      "(ENABLE_CMD_EXEC, CMD_EXEC_USER, sudo), NAT (FORCE_NAT, FORCE_SNAT, FORCE_MASQUERADE, FORWARD_ALL, " +
      "DISABLE_DNAT), %include and encryption modes other than CBC. A stanza that uses one would not work as " +
      "written, so the file is refused rather than half-applied.\n\nFix: remove the directive, or keep fwknopd " +
      "for that stanza. GPG users: switch the client to Rijndael keys (fwknop --key-gen).",
  ),
  unknown: rule(
    "KT161",
    "error",
    "fwknop-unknown-directive",
    "a word that is not an access.conf directive",
    "Each line of access.conf is DIRECTIVE VALUE. A misspelt directive would otherwise be silently lost (a " +
      "misspelt REQUIRE_SOURCE_ADDRESS opens to anyone who uses -s).\n\nFix: spell it as fwknopd's " +
      "access.conf(5) does.",
  ),
  badValue: rule(
    "KT162",
    "error",
    "fwknop-bad-value",
    "a directive's value cannot be read",
    "Addresses must be ANY or a comma list of addresses or CIDRs; ports proto/port lists (tcp/22, udp/53); " +
      "timeouts whole seconds; keys base64 where the directive says BASE64; Y/N flags Y or N; " +
      "HMAC_DIGEST_TYPE one of MD5, SHA1, SHA256, SHA384, SHA512, SHA3_256, SHA3_512; ACCESS_EXPIRE " +
      "MM/DD/YYYY.\n\nFix: correct the value.",
  ),
  noKey: rule(
    "KT163",
    "error",
    "fwknop-no-key",
    "a stanza without KEY or KEY_BASE64",
    "Without a Rijndael key no packet can ever decrypt for the stanza (fwknopd refuses it too).\n\nFix: " +
      "add the KEY_BASE64 line that `fwknop --key-gen` printed.",
  ),
  noCommand: rule(
    "KT164",
    "error",
    "fwknop-no-command",
    "a stanza without CMD_CYCLE_OPEN, and serve has no --fwknop-nft-set",
    "fwknopd opens a stanza without CMD_CYCLE_OPEN by adding a firewall rule of its own (FIREWALL_TYPE). " +
      "knocktool does it in nftables when serve is given the sets: `--fwknop-nft-set 'FAMILY TABLE SET'` " +
      "(IPv4) and/or `--fwknop-nft-set-6` (IPv6), optionally `--fwknop-nft-per-port`; the allow address " +
      "goes into the set with an element timeout of FW_ACCESS_TIMEOUT, which the kernel enforces. Without " +
      "those options and without CMD_CYCLE_OPEN, an accepted packet would open nothing. lint does not see " +
      "serve's options: give it the same `--fwknop-nft-set` to check the file as serve will read it.\n\n" +
      "Fix: serve (and lint) with `--fwknop-nft-set 'inet filter fwknop4'`, or add the commands, e.g.\n" +
      "  CMD_CYCLE_OPEN   nft add element inet filter allowed { $SRC . $PORT timeout ${TIMEOUT}s }\n" +
      "  CMD_CYCLE_CLOSE  NONE",
  ),
  cyclePair: rule(
    "KT165",
    "error",
    "fwknop-cycle-pair",
    "CMD_CYCLE_OPEN without CMD_CYCLE_CLOSE, or the reverse",
    "fwknopd refuses a stanza with one and not the other: an opening that nothing closes, or a close for " +
      "nothing.\n\nFix: add the missing one; use CMD_CYCLE_CLOSE NONE when the open command expires by itself " +
      "(an nftables element with a timeout).",
  ),
  sameKeys: rule(
    "KT166",
    "error",
    "fwknop-same-keys",
    "the encryption key and the HMAC key are the same",
    "fwknopd refuses a stanza whose KEY and HMAC key are identical: one secret for both jobs, so leaking " +
      "one leaks both.\n\nFix: generate separate keys with `fwknop --key-gen` and give them to the client too.",
  ),
  keyLength: rule(
    "KT167",
    "error",
    "fwknop-key-length",
    "a key longer than fwknop allows",
    "The Rijndael KEY is at most 32 bytes and the HMAC key at most 128 bytes; the client refuses longer ones, " +
      "so no packet could match.\n\nFix: use the keys `fwknop --key-gen` prints (32 and 64 bytes).",
  ),
  outsideStanza: rule(
    "KT168",
    "error",
    "fwknop-outside-stanza",
    "a directive before the first SOURCE line",
    "Every stanza starts with SOURCE; a directive before it belongs to no stanza, and fwknopd would not apply " +
      "it either.\n\nFix: move it below the SOURCE line of the stanza it is meant for.",
  ),
  noStanza: rule(
    "KT169",
    "error",
    "fwknop-no-stanza",
    "an access.conf without any SOURCE stanza",
    "With no stanza no packet can ever be accepted: the file is probably not the one meant, or empty.\n\n" +
      "Fix: name fwknopd's access.conf, or add a SOURCE stanza with its keys and CMD_CYCLE_OPEN.",
  ),
  noHmac: rule(
    "KT260",
    "warning",
    "fwknop-no-hmac",
    "a stanza without an HMAC key",
    "Without HMAC_KEY_BASE64 packets are decrypted before they are authenticated: the ciphertext is " +
      "malleable and every packet costs a decryption. fwknop clients send an HMAC with --use-hmac (the default " +
      "in ~/.fwknoprc made by --key-gen).\n\nFix: add HMAC_KEY_BASE64 (from `fwknop --key-gen`) and use --use-hmac.",
  ),
  noRequireSource: rule(
    "KT261",
    "warning",
    "fwknop-no-require-source",
    "REQUIRE_SOURCE_ADDRESS is not Y",
    "A packet made with `fwknop -s` asks to open for whatever address it arrives from (0.0.0.0): whoever " +
      "captures it and sends it first, from anywhere, gets the access. With REQUIRE_SOURCE_ADDRESS Y the " +
      "client must name the address (-a ADDR or -R) inside the encrypted packet.\n\nFix: REQUIRE_SOURCE_ADDRESS Y.",
  ),
  maxTimeout: rule(
    "KT262",
    "warning",
    "fwknop-max-timeout",
    "MAX_FW_TIMEOUT is below FW_ACCESS_TIMEOUT",
    "The timeout a client asks for with -f is capped at MAX_FW_TIMEOUT; a cap below the stanza's own " +
      "default is probably a mistake (fwknopd warns too).\n\nFix: raise MAX_FW_TIMEOUT or lower FW_ACCESS_TIMEOUT.",
  ),
  weakDigest: rule(
    "KT263",
    "warning",
    "fwknop-weak-digest",
    "HMAC_DIGEST_TYPE MD5 or SHA1",
    "MD5 and SHA1 are accepted for compatibility with old clients; SHA256 (the default) or better is " +
      "recommended for an HMAC that authenticates every packet.\n\nFix: HMAC_DIGEST_TYPE SHA256 on both sides.",
  ),
  duplicate: rule(
    "KT264",
    "warning",
    "fwknop-duplicate-directive",
    "a directive given twice in one stanza",
    "The last one wins, as in fwknopd; the first is probably a leftover of an edit and may be the one the " +
      "administrator believes in.\n\nFix: remove one of them.",
  ),
  noOpenPorts: rule(
    "KT265",
    "warning",
    "fwknop-no-open-ports",
    "a stanza without OPEN_PORTS",
    "Without OPEN_PORTS a client may ask for any proto/port and the stanza's command runs for it. List the " +
      "ports the stanza is for.\n\nFix: OPEN_PORTS tcp/22 (a comma list).",
  ),
} as const;

/** Every access.conf rule (for the rule registry and `--explain`). */
export const ACCESS_RULE_LIST: readonly RuleInfo[] = Object.values(ACCESS_RULES);
