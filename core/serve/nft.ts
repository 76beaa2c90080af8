/**
 * The nftables part of an opening (a door's `Nft_Set`/`Nft_Set_6`, core/config/nft.ts): the elements to add
 * and their timeout, as an `nft` effect the interpreter carries out in-process, with its log line. Called
 * from both of the daemon's opening paths (a knock sequence, a datagram door), beside the door's commands,
 * which still run as before. Pure.
 *
 * A door's elements expire in the kernel: nothing is journaled, nothing runs at shutdown, and a daemon
 * killed with its doors open leaves nothing open past their timeouts.
 *
 * @module
 */
import { type DoorNft, doorNft } from "../config/nft.ts";
import type { Door } from "../config/types.ts";
import { nftElement, nftSetName } from "../nft/commands.ts";
import type { Effect } from "./effects.ts";

/** Every door's nftables settings, read once (a door object is never changed; reloads make new ones). */
const plans = new WeakMap<Door, DoorNft | null>();

function planOf(door: Door): DoorNft | undefined {
  let plan = plans.get(door);
  if (plan === undefined) plans.set(door, plan = doorNft(door) ?? null);
  return plan ?? undefined;
}

/** `30 s`, `1.5 s`, `90 s`: a timeout for log lines. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * An opening's nftables effects for a door of the config (nothing for a door without `Nft_Set`).
 *
 * @param door The door that opened.
 * @param src The source address (canonical text form).
 * @param family Its address family.
 * @param now The time of the opening.
 * @param dryRun Log only (`--dry-run`).
 * @param out Effects.
 */
export function openDoorNft(
  door: Door,
  src: string,
  family: 4 | 6,
  now: number,
  dryRun: boolean,
  out: Effect[],
): void {
  openNft(planOf(door), { door: door.name, address: src, family }, now, dryRun, out);
}

/**
 * An opening's nftables effects: `<door>: nft: adding <elements> to <set>, timeout <N> s` and the `nft`
 * effect (not in a dry run); for a source of a family the door has no set for, a line saying so.
 *
 * @param plan The door's nftables settings (`undefined`: none, nothing happens).
 * @param opening The door's name, the address to add (canonical text form) and its family.
 * @param now The time of the opening.
 * @param dryRun Log only.
 * @param out Effects.
 */
export function openNft(
  plan: DoorNft | undefined,
  opening: { readonly door: string; readonly address: string; readonly family: 4 | 6 },
  now: number,
  dryRun: boolean,
  out: Effect[],
): void {
  if (plan === undefined || plan.timeoutMs === undefined) return;
  const { door, address: src, family } = opening;
  const ref = family === 6 ? plan.v6 : plan.v4;
  if (ref === undefined) {
    const missing = family === 6 ? "Nft_Set_6" : "Nft_Set";
    out.push({
      type: "log",
      entry: {
        level: "info",
        message: `${src}: ${door}: no ${missing} for IPv${family} sources: nothing added to nftables`,
        fields: { event: "nft-skip", src, door },
      },
      timeMs: now,
    });
    return;
  }
  const elements = plan.ports.length === 0 ? [src] : plan.ports.map((port) => nftElement(src, port));
  const set = nftSetName(ref);
  out.push({
    type: "log",
    entry: {
      level: "info",
      message: `${door}: nft: adding ${elements.join(", ")} to ${set}, timeout ${seconds(plan.timeoutMs)}`,
      fields: { event: "nft", src, door, set },
    },
    timeMs: now,
  });
  if (dryRun) return;
  out.push({ type: "nft", door, ...ref, elements, timeoutMs: plan.timeoutMs });
}
