/**
 * Which interfaces serve captures on: `-i` (a comma list, or `any`), else the config's `Interface`, else
 * knockd's default `eth0`. Each interface is one capture however often it is named (a packet counted twice
 * would count a knock twice), `any` already covers every other one, and an empty name is an error rather than
 * a capture that never sees a packet. Pure.
 *
 * @module
 */

/** The interfaces to capture on, or why there are none. */
export type InterfaceChoice =
  | {
    readonly ok: true;
    /** Each interface once, in the order first named. */
    readonly names: readonly string[];
    /** Warnings (an interface named twice, interfaces covered by `any`), one each. */
    readonly warnings: readonly string[];
  }
  | { readonly ok: false; readonly error: string };

/** knockd's default interface. */
export const DEFAULT_INTERFACE = "eth0";

/**
 * The capture interfaces.
 *
 * @param option The `-i` value, if given.
 * @param configured The config's `Interface` value, if any.
 * @returns The interfaces, or an error naming where the empty name came from.
 */
export function captureInterfaces(
  option: string | undefined,
  configured: string | undefined,
): InterfaceChoice {
  const from = option !== undefined ? "-i" : configured !== undefined ? "Interface" : undefined;
  const text = option ?? configured ?? DEFAULT_INTERFACE;
  const parts = text.split(",").map((s) => s.trim());
  if (parts.some((p) => p === "")) {
    const what = text.trim() === "" ? "is empty" : `has an empty name in "${text}"`;
    return {
      ok: false,
      error: `${from ?? "Interface"} ${what}: name an interface (e.g. ${DEFAULT_INTERFACE}) or any`,
    };
  }
  const names: string[] = [];
  const warnings: string[] = [];
  for (const name of parts) {
    if (!names.includes(name)) {
      names.push(name);
    } else if (!warnings.some((w) => w.startsWith(`interface ${name} `))) {
      warnings.push(`interface ${name} named more than once: capturing on it once`);
    }
  }
  if (names.includes("any") && names.length > 1) {
    const others = names.filter((n) => n !== "any");
    warnings.push(`any covers every interface: capturing on any alone, not also on ${others.join(",")}`);
    return { ok: true, names: ["any"], warnings };
  }
  return { ok: true, names, warnings };
}
