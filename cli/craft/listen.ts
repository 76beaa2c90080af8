/**
 * `craft --replies` at run time: the capture opened on the route's interface before the first
 * probe leaves, the answers printed as they come (between probes and while pacing), the wait for
 * the last ones, and the statistics.
 *
 * @module
 */
import { errorMessage } from "../../core/error_message.ts";
import { formatIP } from "../../core/packet/mod.ts";
import type { SocketOptions } from "../../ffi/socket.ts";
import type { Io } from "../runtime.ts";
import { type AddressPlan, RuntimeFailure } from "./addresses.ts";
import { describePacket } from "./describe.ts";
import type { CraftNet, ReplyCapture } from "./net.ts";
import type { CraftArgs } from "./parser.ts";
import { formatReply, type Reply, replyFilter, replyFlagLetters, ReplyTracker } from "./replies.ts";

/** The answers to the probes of one run. */
export interface ReplyListener {
  /** Records a probe just sent. */
  sent(index: number, bytes: Uint8Array, wallMs: number): void;
  /** Prints the answers captured so far; never waits. */
  drain(): void;
  /** Waits `ms` milliseconds, printing answers as they come. */
  waitFor(ms: number): Promise<void>;
  /** After the last probe: waits until every probe has its answer, at most `ms` milliseconds. */
  finish(ms: number): Promise<void>;
  /** Prints the statistics (standard error, as hping3 does). */
  summarize(): void;
  /** Probes answered. */
  readonly received: number;
  /** Stops the capture. */
  close(): void;
}

/** hping3's order for the flags of a probe in its first line (`FPU set`). */
function probeLetters(bits: number): string {
  const order = "FSRPAUXY";
  const letters = replyFlagLetters(bits);
  return [...letters].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join("");
}

/** hping3's first line: `CRAFT host (eth0 10.0.0.1): S set, 40 headers + 0 data bytes`. */
function banner(args: CraftArgs, device: string, dst: Uint8Array, first: Uint8Array): string {
  const d = describePacket(first);
  const t = d.transport as Record<string, unknown>;
  const data = (d.payload as string).length / 2;
  let mode: string;
  if (t.protocol === "tcp") {
    const view = new DataView(first.buffer, first.byteOffset, first.byteLength);
    const at = (d.ip as Record<string, number>).version === 4 ? (first[0]! & 15) * 4 : 40;
    const letters = probeLetters(((first[at + 12]! & 1) << 8) | view.getUint8(at + 13));
    mode = letters === "" ? "no flags set" : `${letters} set`;
  } else {
    mode = `${t.protocol === "icmpv6" ? "icmp" : t.protocol} mode set`;
  }
  return `CRAFT ${args.dst} (${device} ${formatIP(dst)}): ${mode}, ${
    first.length - data
  } headers + ${data} data bytes\n`;
}

/**
 * Opens the capture for the answers and prints hping3's first line.
 *
 * @throws {RuntimeFailure} when the interface is unknown or the capture cannot start.
 */
export function startReplies(
  args: CraftArgs,
  plan: AddressPlan,
  first: Uint8Array,
  socket: SocketOptions,
  io: Io,
  net: CraftNet,
): ReplyListener {
  const device = net.interfaceFor(plan.dst, plan.routeSource ?? plan.src, socket);
  if (device === undefined) {
    throw new RuntimeFailure(
      `--replies: no interface holds ${
        formatIP(plan.routeSource ?? plan.src)
      }, the answers' way in is unknown; give -I/--device`,
    );
  }
  const filter = replyFilter(
    plan.family,
    formatIP(plan.src),
    plan.dstBlock === undefined ? formatIP(plan.dst) : undefined,
  );
  let capture: ReplyCapture;
  try {
    capture = net.listen(device, filter);
  } catch (error) {
    throw new RuntimeFailure(`--replies: ${errorMessage(error)}`);
  }
  const tracker = new ReplyTracker();
  const print = (reply: Reply) => {
    if (args.json) {
      const { hex: _hex, ...fields } = describePacket(reply.bytes);
      io.stdout(
        `${
          JSON.stringify({
            reply: reply.index,
            rttMs: Math.round(reply.rttMs * 1000) / 1000,
            duplicate: reply.duplicate,
            ...fields,
          })
        }\n`,
      );
    } else {
      io.stdout(`${formatReply(reply)}\n`);
    }
  };
  const drain = () => {
    capture.read((tsMs, ip) => {
      const reply = tracker.captured(tsMs, ip);
      if (reply !== undefined) print(reply);
    });
  };
  const waitUntil = async (end: number, done: () => boolean) => {
    for (;;) {
      drain();
      const left = end - net.now();
      if (left <= 0 || done()) return;
      await capture.wait(Math.min(left, 100));
    }
  };
  if (!args.json) io.stdout(banner(args, device, plan.dst, first));
  return {
    sent: (index, bytes, wallMs) => tracker.record(index, bytes, wallMs),
    drain,
    waitFor: (ms) => waitUntil(net.now() + ms, () => false),
    finish: (ms) => waitUntil(net.now() + ms, () => tracker.allAnswered()),
    summarize: () => io.stderr(tracker.statistics(args.dst)),
    get received() {
      return tracker.received;
    },
    close: () => capture.close(),
  };
}
