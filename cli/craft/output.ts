/**
 * What `craft` prints for each packet: a tcpdump-like summary line (`--dry-run`, `--verbose`), a
 * hex dump (`--hexdump`) or one JSON object with every field (`--json`).
 *
 * @module
 */
import type { Io } from "../runtime.ts";
import { describePacket, hexdump, summarize } from "./describe.ts";

/** The output options of `craft`. */
export interface OutputArgs {
  readonly json: boolean;
  readonly hexdump: boolean;
}

/** One packet built, and sent or not. */
export interface PacketRecord {
  readonly index: number;
  /** How many packets a round has (the steps of a `--sequence`). */
  readonly steps: number;
  readonly timeMs: number;
  readonly bytes: Uint8Array;
  readonly sent: boolean;
  /** Why the send failed. */
  readonly error: string | undefined;
}

/** Prints one packet in the format the options ask for. */
export function printPacket(io: Io, args: OutputArgs, p: PacketRecord): void {
  if (args.json) {
    io.stdout(
      `${
        JSON.stringify({
          index: p.index,
          ...(p.steps > 1 ? { step: p.index % p.steps } : {}),
          timeMs: Math.round(p.timeMs * 1000) / 1000,
          ...describePacket(p.bytes),
          sent: p.sent,
          ...(p.error === undefined ? {} : { error: p.error }),
        })
      }\n`,
    );
  } else if (args.hexdump) {
    io.stdout(`# ${p.index + 1}: ${summarize(p.bytes)}\n${hexdump(p.bytes)}`);
  } else {
    io.stdout(`${summarize(p.bytes)}\n`);
  }
}
