/**
 * `knocktool knock`: a client compatible with knockd's `knock` (docs/knockd.md §4), plus doors
 * from a knockd.conf (`-c --door`, one-time sequences, TOTP doors: `--profile`, `--show`, `--enroll`), raw
 * flag knocks, decoys and a check that the door opened.
 *
 * Service names work as in knock (`ssh`, `domain:udp`, from /etc/services). Differences from knock,
 * on purpose: an invalid port is an error (knock wraps 70000 to 4464),
 * protocol suffixes are case-insensitive (`:UDP`), and the exit status is 1 when a hit failed.
 *
 * This file holds the option parser. A run is `run.ts`: option values `options.ts`, the sequence
 * `sequence.ts` (a door: `door.ts`), decoys `plan.ts`, the target `target.ts`, sending `send.ts`,
 * `--verify` `verify.ts`, what is printed `output.ts`, the network `net.ts`.
 *
 * @module
 */
import { object } from "@optique/core/constructs";
import { message } from "@optique/core/message";
import { multiple, optional, withDefault } from "@optique/core/modifiers";
import { argument, command, constant, flag, option } from "@optique/core/primitives";
import { string } from "@optique/core/valueparser";

/** The parser of `knocktool knock ...`. */
export const knockCommand = command(
  "knock",
  object({
    command: constant("knock"),
    udp: withDefault(
      flag("-u", "--udp", { description: message`Send every hit as UDP (overrides ${":tcp"}).` }),
      false,
    ),
    delay: optional(
      option("-d", "--delay", string({ metavar: "MS" }), {
        description: message`Wait MS milliseconds after every hit (default 0).`,
      }),
    ),
    ipv4: withDefault(flag("-4", "--ipv4", { description: message`Use IPv4 only.` }), false),
    ipv6: withDefault(flag("-6", "--ipv6", { description: message`Use IPv6 only.` }), false),
    verbose: withDefault(flag("-v", "--verbose", { description: message`Print each hit.` }), false),
    flags: optional(
      option("--flags", string({ metavar: "SPEC" }), {
        description:
          message`Send TCP hits through a raw socket with these flags, e.g. ${"fin,!ack"} or hping3's ${"FPU"} (needs root).`,
      }),
    ),
    config: optional(
      option("-c", "--config", string({ metavar: "FILE" }), {
        description: message`Take the door named by ${"--door"} from this knockd.conf.`,
      }),
    ),
    door: optional(
      option("--door", string({ metavar: "NAME" }), {
        description: message`The door of ${"--config"} to knock: its sequence, protocols and TCP flags.`,
      }),
    ),
    otpFile: optional(
      option("--otp-file", string({ metavar: "FILE" }), {
        description: message`The client's own copy of the door's one-time sequences file.`,
      }),
    ),
    profile: optional(
      option("--profile", string({ metavar: "FILE" }), {
        description:
          message`Knock the TOTP door of this enrolment URI (a file holding what ${"--enroll"} printed).`,
      }),
    ),
    show: withDefault(
      flag("--show", {
        description: message`Print a TOTP door's current ports and the seconds left, send nothing.`,
      }),
      false,
    ),
    enroll: withDefault(
      flag("--enroll", {
        description: message`Print a TOTP door's otpauth:// URI and its QR code, send nothing.`,
      }),
      false,
    ),
    json: withDefault(flag("--json", { description: message`With ${"--show"}: one JSON object.` }), false),
    decoys: optional(
      option("--decoys", string({ metavar: "N" }), {
        description: message`Interleave N knocks on random ports that belong to no door.`,
      }),
    ),
    verify: optional(
      option("--verify", string({ metavar: "PORT" }), {
        description: message`After knocking, try TCP connections to PORT until it opens.`,
      }),
    ),
    wait: optional(
      option("--wait", string({ metavar: "SECONDS" }), {
        description: message`How long ${"--verify"} keeps trying (default 10).`,
      }),
    ),
    seed: optional(
      option("--seed", string({ metavar: "N" }), {
        description: message`Seed for decoy ports and raw packet fields (reproducible runs).`,
      }),
    ),
    fwknop: withDefault(
      flag("--fwknop", {
        description: message`Send one fwknop SPA packet (a stanza of ~/.fwknoprc) instead of a sequence.`,
      }),
      false,
    ),
    fwknopStanza: optional(
      option("-n", "--fwknop-stanza", string({ metavar: "NAME" }), {
        description: message`The rc file's stanza for ${"--fwknop"} (default ${"default"}).`,
      }),
    ),
    fwknopRc: optional(
      option("--fwknop-rc", string({ metavar: "FILE" }), {
        description: message`The fwknop client's rc file (default ~/.fwknoprc).`,
      }),
    ),
    fwknopAccess: optional(
      option("--fwknop-access", string({ metavar: "LIST" }), {
        description: message`The proto/port list to open, e.g. ${"tcp/22"} (overrides ACCESS).`,
      }),
    ),
    fwknopAllow: optional(
      option("--fwknop-allow", string({ metavar: "IP" }), {
        description: message`The address to open for, or ${"source"} (overrides ALLOW_IP).`,
      }),
    ),
    host: argument(string({ metavar: "HOST" }), {
      description: message`Host name or IP address to knock on.`,
    }),
    ports: multiple(
      argument(string({ metavar: "PORT[:PROTO]" }), {
        description: message`Ports to hit in order; PROTO is ${"tcp"} (default) or ${"udp"}.`,
      }),
    ),
  }),
  {
    brief: message`Send a knock sequence (compatible with knockd's knock).`,
    description:
      message`Send a port-knock sequence: one SYN per TCP hit (a non-blocking connect closed at once) and a one-byte datagram per UDP hit, as knockd's knock client does. With ${"--spa"} PROFILE it sends one knocktool SPA datagram instead (docs/spa.md), with options of its own: ${"knocktool knock --spa PROFILE --help"} lists them, as does knocktool(1).`,
    footer:
      message`Exit status: 0 all hits sent (and the port opened with --verify), 1 a hit or the check failed, 2 usage error.`,
  },
);

/** The parsed arguments of `knock`. */
export interface KnockArgs {
  readonly udp: boolean;
  readonly delay?: string | undefined;
  readonly ipv4: boolean;
  readonly ipv6: boolean;
  readonly verbose: boolean;
  readonly flags?: string | undefined;
  readonly config?: string | undefined;
  readonly door?: string | undefined;
  readonly otpFile?: string | undefined;
  readonly profile?: string | undefined;
  readonly show?: boolean;
  readonly enroll?: boolean;
  readonly json?: boolean;
  readonly decoys?: string | undefined;
  readonly verify?: string | undefined;
  readonly wait?: string | undefined;
  readonly seed?: string | undefined;
  /** `--fwknop`: send an fwknop SPA packet (./fwknop.ts). */
  readonly fwknop?: boolean;
  readonly fwknopStanza?: string | undefined;
  readonly fwknopRc?: string | undefined;
  readonly fwknopAccess?: string | undefined;
  readonly fwknopAllow?: string | undefined;
  readonly host: string;
  readonly ports: readonly string[];
}
