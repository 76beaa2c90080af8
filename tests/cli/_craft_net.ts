/**
 * A fake {@link CraftNet} for `craft` tests: a fake clock, recorded sends, optional send failures,
 * and a fake capture fed by a responder that answers each packet sent (after a delay on the fake
 * clock), so `--replies` runs without privileges.
 *
 * @module
 */
import type { CraftNet, RawSender, ReplyCapture } from "../../cli/craft/net.ts";

/** An answer the fake network gives to a packet, `delayMs` after it was sent. */
export interface FakeAnswer {
  readonly delayMs: number;
  readonly bytes: Uint8Array;
}

/** Options of {@linkcode fakeNet}. */
export interface FakeNetOptions {
  /** Every n-th send fails with errno 1. */
  readonly failEvery?: number;
  /** `openRaw` throws this message. */
  readonly openError?: string;
  /** Fake milliseconds each send takes. */
  readonly sendCostMs?: number;
  /** The answers to each packet sent (captured by `listen`). */
  readonly responder?: (sent: Uint8Array) => FakeAnswer[];
  /** What `sourceFor` throws (no route), instead of answering 192.0.2.1. */
  readonly noRoute?: string;
  /** `listen` throws this message. */
  readonly listenError?: string;
}

/** The fake, with what it recorded. */
export interface FakeCraftNet extends CraftNet {
  readonly sent: Uint8Array[];
  readonly sleeps: number[];
  /** The `listen` calls: device and filter. */
  readonly listens: { device: string; filter: string }[];
}

/** Builds a fake network (wall clock 1 700 000 000 000 ms + the fake clock). */
export function fakeNet(options: FakeNetOptions = {}): FakeCraftNet {
  let clock = 0;
  const epoch = 1_700_000_000_000;
  const sent: Uint8Array[] = [];
  const sleeps: number[] = [];
  const listens: { device: string; filter: string }[] = [];
  const pending: { atMs: number; bytes: Uint8Array }[] = [];
  return {
    sent,
    sleeps,
    listens,
    resolve: () => [Uint8Array.of(192, 0, 2, 9)],
    sourceFor: (address) => {
      if (options.noRoute !== undefined) throw new Error(options.noRoute);
      return address.length === 4
        ? Uint8Array.of(192, 0, 2, 1)
        : Uint8Array.of(0xfd, ...new Uint8Array(14), 1);
    },
    openRaw: (): RawSender => {
      if (options.openError) throw new Error(options.openError);
      let n = 0;
      return {
        trySend: (bytes) => {
          clock += options.sendCostMs ?? 0;
          n++;
          if (options.failEvery !== undefined && n % options.failEvery === 0) return 1;
          sent.push(bytes.slice());
          for (const answer of options.responder?.(bytes.slice()) ?? []) {
            pending.push({ atMs: clock + answer.delayMs, bytes: answer.bytes });
          }
          return 0;
        },
        close: () => {},
      };
    },
    sockaddr: (a) => a,
    errorText: (e) => (e === 1 ? "sendto: Operation not permitted" : `errno ${e}`),
    now: () => clock,
    wallClock: () => epoch + clock,
    sleep: (ms) => {
      sleeps.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    randomSeed: () => 5,
    writeFile: (path, data) => Deno.writeFileSync(path, data),
    interfaceFor: (_dst, _src, socket) => socket.device ?? "fake0",
    listen: (device, filter): ReplyCapture => {
      if (options.listenError !== undefined) throw new Error(options.listenError);
      listens.push({ device, filter });
      return {
        read: (onPacket) => {
          pending.sort((a, b) => a.atMs - b.atMs);
          let n = 0;
          while (pending.length > 0 && pending[0]!.atMs <= clock) {
            const { atMs, bytes } = pending.shift()!;
            onPacket(epoch + atMs, bytes);
            n++;
          }
          return n;
        },
        wait: (ms) => {
          const next = Math.min(...pending.map((p) => p.atMs));
          const until = Math.min(clock + ms, Number.isFinite(next) ? Math.max(next, clock) : clock + ms);
          clock = until;
          return Promise.resolve(pending.some((p) => p.atMs <= clock));
        },
        close: () => {},
      };
    },
  };
}
