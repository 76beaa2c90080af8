/**
 * `knocktool craft`: build IPv4/IPv6 TCP, UDP or ICMP packets with every header field settable,
 * print them (`--hexdump`, `--json`), record them (`--pcap`), send them through a persistent raw
 * socket, fast (each packet is built once and only the fields left random are patched per copy;
 * `--rate` paces in batches without a timer per packet), and with `--replies` print each answer
 * and its round-trip time as hping3 does.
 *
 * Exit status: 0 every packet sent (and with `--replies` at least one answered), 1 a send failed,
 * there was no route or no answer came, 2 usage error, 74 a file named by an option could not be
 * read or written (`--pcap`, `--data-file`; EX_IOERR).
 *
 * @module
 */
import { errorMessage } from "../../core/error_message.ts";
import {
  buildPacketDetailed,
  createRng,
  encodePcap,
  LINKTYPE,
  type PcapPacket,
} from "../../core/packet/mod.ts";
import { ERRNO } from "../../ffi/socket.ts";
import { sanitize } from "../_text.ts";
import { osReason } from "../runtime.ts";
import type { Io } from "../runtime.ts";
import { PROGRAM_NAME } from "../version.ts";
import { planAddresses, RuntimeFailure } from "./addresses.ts";
import type { CraftNet, RawSender } from "./net.ts";
import type { CraftArgs } from "./parser.ts";
import { makePatcher, type Patcher } from "./patch.ts";
import { type ReplyListener, startReplies } from "./listen.ts";
import { printPacket } from "./output.ts";
import { buildSteps } from "./spec.ts";
import { parseInterval, parseIntField, parseNumberField, UsageError } from "./values.ts";

export { type CraftArgs, craftCommand } from "./parser.ts";

/** Exit status when a file named by an option cannot be read or written (sysexits' EX_IOERR). */
export const EXIT_IO = 74;

/** A file named by an option could not be read or written: exit status 74. */
class FileError extends Error {}

/** Runs `knocktool craft` and returns the exit status. */
export async function runCraft(args: CraftArgs, io: Io, net: CraftNet): Promise<number> {
  try {
    return await craft(args, io, net);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RuntimeFailure || error instanceof FileError) {
      io.stderr(`${PROGRAM_NAME} craft: ${sanitize(error.message)}\n`);
      return error instanceof UsageError ? 2 : error instanceof FileError ? EXIT_IO : 1;
    }
    throw error;
  }
}

interface Pace {
  readonly count: number;
  /** Milliseconds from one packet to the next (`--rate`, `-i`); 0 for as fast as possible. */
  readonly intervalMs: number;
  readonly durationMs: number | undefined;
  readonly delayMs: number;
}

function pacing(args: CraftArgs): Pace {
  const durationMs = args.duration === undefined
    ? undefined
    : parseNumberField("--duration", args.duration, 0, 31_536_000) * 1000;
  const count = args.count === undefined
    ? (durationMs === undefined ? 1 : Number.POSITIVE_INFINITY)
    : parseIntField("-c/--count", args.count, 1, Number.MAX_SAFE_INTEGER);
  const paced = [["--rate", args.rate], ["-i/--interval", args.interval], ["--delay", args.delay]]
    .filter(([, value]) => value !== undefined).map(([name]) => name);
  if (paced.length > 1) throw new UsageError(`${paced.join(" and ")}: give one way of pacing`);
  const rate = args.rate === undefined ? undefined : parseNumberField("--rate", args.rate, 0.001, 1e9);
  const intervalMs = rate !== undefined
    ? 1000 / rate
    : args.interval === undefined
    ? 0
    : parseInterval("-i/--interval", args.interval);
  const delayMs = args.delay === undefined ? 0 : parseIntField("--delay", args.delay, 0, 86_400_000);
  return { count, intervalMs, durationMs, delayMs };
}

function readPayloadFile(args: CraftArgs, io: Io): Uint8Array | undefined {
  if (args.dataFile === undefined) return undefined;
  try {
    return io.readFile(args.dataFile);
  } catch (error) {
    throw new FileError(`-E/--data-file: cannot read "${args.dataFile}": ${osReason(error)}`);
  }
}

function writePcap(net: CraftNet, path: string, records: PcapPacket[]): void {
  try {
    net.writeFile(path, encodePcap(records, { linkType: LINKTYPE.raw }));
  } catch (error) {
    throw new FileError(`--pcap: cannot write "${path}": ${osReason(error)}`);
  }
}

async function craft(args: CraftArgs, io: Io, net: CraftNet): Promise<number> {
  const pace = pacing(args);
  const seed = args.seed === undefined
    ? net.randomSeed()
    : parseIntField("--seed", args.seed, 0, 2 ** 53 - 1);
  const mark = args.mark === undefined ? undefined : parseIntField("--mark", args.mark, 0, 0xffffffff);
  if (args.dryRun && (args.device !== undefined || mark !== undefined)) {
    throw new UsageError("-I/--device and --mark: only when sending, not with --dry-run");
  }
  if (args.replies && args.dryRun) throw new UsageError("--replies: nothing is sent with --dry-run");
  if (args.replies && args.randSource) {
    throw new UsageError("--replies: the answers go to the random sources, not here; drop --rand-source");
  }
  if (args.wait !== undefined && !args.replies) throw new UsageError("--wait: only with --replies");
  const waitMs = args.wait === undefined ? 1000 : parseNumberField("--wait", args.wait, 0, 3600) * 1000;
  const socketOptions = {
    ...(args.device === undefined ? {} : { device: args.device }),
    ...(mark === undefined ? {} : { mark }),
  };
  const rng = createRng(seed);
  const plan = planAddresses(args, net, rng, socketOptions);
  const payloadFile = readPayloadFile(args, io);
  const steps = buildSteps(args, plan.family, plan.src, plan.dst, payloadFile);
  const templates: Uint8Array[] = [];
  const patchers: (Patcher | undefined)[] = [];
  for (const step of steps) {
    let bytes: Uint8Array;
    try {
      bytes = buildPacketDetailed(step.spec, rng).bytes;
    } catch (error) {
      throw new UsageError(`packet: ${errorMessage(error)}`);
    }
    templates.push(bytes);
    const blocks = {
      ...(plan.srcBlock === undefined ? {} : { srcBlock: plan.srcBlock }),
      ...(plan.dstBlock === undefined ? {} : { dstBlock: plan.dstBlock }),
    };
    patchers.push(makePatcher(bytes, { ...step.varying, ...blocks }));
  }
  // An unwritable --pcap fails here, before anything is printed or sent.
  if (args.pcap !== undefined) writePcap(net, args.pcap, []);
  if (args.dryRun && plan.note !== undefined) io.stderr(`${PROGRAM_NAME} craft: ${plan.note}\n`);

  let sender: RawSender | undefined;
  let listener: ReplyListener | undefined;
  if (!args.dryRun) {
    try {
      sender = net.openRaw(plan.family, socketOptions);
    } catch (error) {
      throw new RuntimeFailure(
        `${errorMessage(error)} (--dry-run builds packets without sending)`,
      );
    }
  }
  try {
    if (args.replies) listener = startReplies(args, plan, templates[0]!, socketOptions, io, net);
    return await sendAll(args, io, net, {
      pace,
      steps: templates,
      patchers,
      plan,
      rng,
      sender,
      listener,
      waitMs,
    });
  } finally {
    listener?.close();
    sender?.close();
  }
}

interface Run {
  readonly pace: Pace;
  readonly steps: Uint8Array[];
  readonly patchers: (Patcher | undefined)[];
  readonly plan: ReturnType<typeof planAddresses>;
  readonly rng: ReturnType<typeof createRng>;
  readonly sender: RawSender | undefined;
  readonly listener: ReplyListener | undefined;
  readonly waitMs: number;
}

async function sendAll(args: CraftArgs, io: Io, net: CraftNet, run: Run): Promise<number> {
  const { pace, steps, patchers, sender, listener, plan, rng } = run;
  const record = args.json || args.hexdump || args.pcap !== undefined || args.dryRun || args.verbose;
  const pcapRecords: PcapPacket[] = [];
  const total = pace.count * steps.length;
  let sent = 0;
  let failed = 0;
  let firstError: number | undefined;
  const start = net.now();
  const wallStart = net.wallClock();
  const deadline = pace.durationMs === undefined ? Number.POSITIVE_INFINITY : start + pace.durationMs;
  const sleep = (ms: number) => listener === undefined ? net.sleep(ms) : listener.waitFor(ms);
  let address = net.sockaddr(plan.dst);
  let index = 0;
  for (; index < total; index++) {
    // Deadline and pacing: checked every packet when paced, every 256 packets in a flood.
    if (pace.intervalMs > 0 || pace.delayMs > 0 || (index & 255) === 0) {
      const now = net.now();
      if (now >= deadline) break;
      if (pace.intervalMs > 0 && !args.dryRun) {
        const due = start + index * pace.intervalMs;
        if (due - now >= 1) await sleep(Math.min(due - now, deadline - now));
        if (net.now() >= deadline) break;
      }
    }
    const step = index % steps.length;
    const bytes = steps[step]!;
    if (index >= steps.length) patchers[step]?.(bytes, rng);
    if (plan.dstBlock !== undefined && index > 0) {
      address = net.sockaddr(bytes.subarray(plan.family === 4 ? 16 : 24, plan.family === 4 ? 20 : 40));
    }
    let errno = 0;
    if (sender !== undefined) {
      const sentAt = listener === undefined ? 0 : net.wallClock();
      errno = sender.trySend(bytes, address);
      for (let retry = 0; retry < 1000 && (errno === ERRNO.ENOBUFS || errno === ERRNO.EAGAIN); retry++) {
        errno = sender.trySend(bytes, address);
      }
      if (errno === 0) {
        sent++;
        listener?.sent(index, bytes, sentAt);
      } else {
        failed++;
        firstError ??= errno;
      }
    }
    if (record) {
      const timeMs = wallStart + (net.now() - start);
      if (args.pcap !== undefined) pcapRecords.push({ timeMs, data: bytes.slice() });
      const error = errno === 0 ? undefined : net.errorText(errno);
      printPacket(io, args, {
        index,
        steps: steps.length,
        timeMs,
        bytes,
        sent: sender !== undefined && errno === 0,
        error,
      });
    }
    if (listener !== undefined && (pace.intervalMs > 0 || pace.delayMs > 0 || (index & 63) === 0)) {
      listener.drain();
    }
    if (pace.delayMs > 0 && index + 1 < total) await sleep(pace.delayMs);
  }
  const end = net.now();
  await listener?.finish(run.waitMs);

  if (args.pcap !== undefined) writePcap(net, args.pcap, pcapRecords);
  if (sender !== undefined) {
    const seconds = (end - start) / 1000;
    const pps = seconds > 0 ? Math.round(sent / seconds) : sent;
    io.stderr(
      `${PROGRAM_NAME} craft: sent ${sent} of ${index} packets in ${seconds.toFixed(3)} s (${pps} pps)\n`,
    );
  }
  listener?.summarize();
  if (failed > 0) {
    throw new RuntimeFailure(`${failed} of ${index} packets failed: ${net.errorText(firstError!)}`);
  }
  if (listener !== undefined && listener.received === 0 && sent > 0) {
    throw new RuntimeFailure(`no answer to any of the ${sent} probes`);
  }
  return 0;
}
