/**
 * KT105: a zero or negative Seq_Timeout on a multi-knock door.
 *
 * @module
 */
import type { Diagnostic } from "../../diagnostic.ts";
import type { RuleInfo } from "../types.ts";
import { finding, type LintContext } from "../_context.ts";
import { KEYS, lastDirective, valueSpanOf } from "../_directives.ts";
import { readAtoi } from "../_number.ts";

/** Metadata of KT105. */
export const info: RuleInfo = {
  code: "KT105",
  severity: "error",
  name: "seq-timeout-never",
  summary: "with Seq_Timeout 0 or below, a sequence of two or more knocks always times out",
  explanation: `knockd drops an attempt when floor(now) - floor(first knock) >= Seq_Timeout, checked before
each new knock is matched. With Seq_Timeout 0 or negative this is always true, so the second knock never
finds the attempt: a door with two or more knocks can never open. Seq_Timeout is read with atoi(), so a
value that is not a number ("Seq_Timeout = ten") also means 0. Single-knock doors still work, so they are
not reported.

This is an error rather than a warning because the door cannot work at all.

Example:
  [openSSH]
      sequence    = 7000,8000,9000
      seq_timeout = 0

Fix: use a positive number of seconds, e.g. "seq_timeout = 10" (the default is 25).`,
};

/**
 * Reports multi-knock doors whose Seq_Timeout is zero or negative.
 *
 * @param ctx The lint context.
 * @returns The findings.
 */
export function check(ctx: LintContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const door of ctx.config.doors) {
    const d = lastDirective(door.section, KEYS.seqTimeout);
    if (d === undefined) continue;
    const text = d.value ?? "";
    if (door.seqTimeout.value > 0 || ctx.sequenceOf(door).length < 2) continue;
    out.push(finding(
      info,
      readAtoi(text).hasDigits
        ? `Seq_Timeout "${text}" makes every attempt time out, so door "${door.name}" can never open`
        : `Seq_Timeout "${text}" is not a number and reads as 0, so door "${door.name}" can never open`,
      valueSpanOf(d),
    ));
  }
  return out;
}
