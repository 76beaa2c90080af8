/**
 * The knockd.conf linter: everything knockd would reject (the parser's KT0xx errors), doors that cannot
 * work (KT1xx errors), and settings knockd accepts but that are almost surely mistakes or weaknesses
 * (KT2xx warnings). Every finding has a stable code, a message and the exact span of the offending item;
 * `explainRule` gives the long explanation shown by `knocktool lint --explain CODE`.
 *
 * The linter is pure: files the config names (one-time sequences) are read through `options.readFile`,
 * and the config's permission bits come in as `options.mode`.
 *
 * @example
 * ```ts
 * import { explainRule, lintConfig, RULES } from "./mod.ts";
 *
 * const text = [
 *   "[openSSH]",
 *   "    sequence      = 7000,8000,9000",
 *   "    tcpflags      = syn",
 *   "    start_command = /usr/sbin/iptables -A INPUT -s %IP% -p tcp --dport 22 -j ACCEPT",
 *   "    target        = 010.0.0.1",
 * ].join("\n");
 * const result = lintConfig(text, { file: "/etc/knockd.conf", mode: 0o644 });
 * // KT103: the target never matches (knockd compares "10.0.0.1" as text); KT208: a port scan opens it.
 * console.assert(result.errorCount === 1 && result.diagnostics[0]!.code === "KT208");
 * console.assert(result.diagnostics.some((d) => d.code === "KT103" && d.span?.line === 5 && d.span.column === 21));
 * console.assert(explainRule("kt103")?.name === "non-canonical-target");
 * console.assert(RULES.every((r) => /^KT\d{3}$/.test(r.code)));
 * ```
 *
 * @module
 */
export { lintConfig } from "./lint.ts";
export { explainRule, RULES } from "./registry.ts";
export type { FileFacts, LintOptions, LintResult, RuleInfo } from "./types.ts";
