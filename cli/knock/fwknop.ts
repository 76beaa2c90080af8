/**
 * `knocktool knock --fwknop HOST`: one fwknop SPA packet (what the fwknop client sends, protocol 3.0.0,
 * Rijndael + HMAC), from a stanza of the fwknop client's rc file (`--fwknop-rc`, default `~/.fwknoprc`;
 * `-n NAME`, default `[default]`), with `--fwknop-access` and `--fwknop-allow` overriding its ACCESS and
 * ALLOW_IP. Random value and salt from the system's CSPRNG.
 *
 * @module
 */
import { clientStanza, encodeSpa, MessageType, parseFwknopRc } from "../../core/fwknop/mod.ts";
import { formatIP } from "../../core/packet/mod.ts";
import { UsageError } from "../craft/values.ts";
import { osReason } from "../runtime.ts";
import type { Io } from "../runtime.ts";
import type { KnockArgs } from "./command.ts";
import { RuntimeFailure } from "./failure.ts";
import type { KnockNet } from "./net.ts";
import { resolveTarget } from "./target.ts";

/** 16 random decimal digits (fwknop's random value; this one has 53 bits, fwknop's own at most 32). */
function randomDigits(random: (n: number) => Uint8Array): string {
  let digits = "";
  while (digits.length < 16) {
    for (const byte of random(16)) if (byte < 250 && digits.length < 16) digits += String(byte % 10);
  }
  return digits;
}

/** The system's CSPRNG. */
function cryptoRandom(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/**
 * Sends the SPA packet.
 *
 * @returns 0 when sent.
 * @throws {UsageError} For a bad rc file or stanza, or port arguments.
 * @throws {RuntimeFailure} When the packet cannot be sent.
 */
export async function fwknopKnock(
  args: KnockArgs,
  io: Io,
  net: KnockNet,
  random: (n: number) => Uint8Array = cryptoRandom,
): Promise<number> {
  if (args.ports.length > 0) throw new UsageError("--fwknop sends one SPA packet: give no PORT arguments");
  const home = io.env("HOME");
  const rcPath = args.fwknopRc ?? (home === undefined ? undefined : `${home.replace(/\/+$/, "")}/.fwknoprc`);
  if (rcPath === undefined) throw new UsageError("--fwknop: no HOME, name the rc file with --fwknop-rc");
  let text: string;
  try {
    text = new TextDecoder().decode(io.readFile(rcPath));
  } catch (error) {
    throw new UsageError(`${rcPath}: cannot read the fwknop rc file: ${osReason(error)}`);
  }
  const rc = parseFwknopRc(text);
  if (!rc.ok) throw new UsageError(`${rcPath}:${rc.line}: not a [stanza] or VARIABLE value line`);
  const name = args.fwknopStanza ?? "default";
  const got = clientStanza(rc.rc, name, { access: args.fwknopAccess, allow: args.fwknopAllow });
  if (!got.ok) throw new UsageError(`${rcPath}: [${name}]: ${got.error}`);
  const s = got.stanza;
  const address = resolveTarget(args, net);
  const user = s.user ?? io.env("USER") ?? io.env("LOGNAME") ?? "nobody";
  const timestamp = Math.floor(net.wallClock() / 1000) + s.timeOffset;
  const fields = {
    random: randomDigits(random),
    username: user,
    timestamp,
    version: "3.0.0",
    type: s.fwTimeout > 0 ? MessageType.clientTimeoutAccess : MessageType.access,
    message: `${s.allow},${s.access.map((p) => `${p.proto}/${p.port}`).join(",")}`,
    clientTimeout: s.fwTimeout > 0 ? s.fwTimeout : undefined,
  };
  const packet = encodeSpa(fields, s, random(8), s.digestType);
  if (net.datagram === undefined) throw new RuntimeFailure("this network cannot send datagrams");
  try {
    net.datagram(address, s.port, new TextEncoder().encode(packet));
  } catch (error) {
    throw new RuntimeFailure(`cannot send the SPA packet: ${osReason(error)}`);
  }
  if (args.verbose) {
    io.stdout(
      `fwknop: SPA packet (${packet.length} bytes) to ${formatIP(address)} udp/${s.port}: ` +
        `${fields.message}${s.fwTimeout > 0 ? `, timeout ${s.fwTimeout} s` : ""}\n`,
    );
  }
  await Promise.resolve();
  return 0;
}
