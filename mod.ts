/**
 * knocktool as a library: the knockd.conf dialect, its linter, the BPF filter builder, the frame
 * decoder, the knock-detection engine and the packet encoders — the same
 * pieces the `knocktool` CLI is made of. Everything exported here is pure
 * (no `Deno.*` calls, no clock, no I/O); the libpcap and libc bindings live in
 * the separate `./ffi` entry point.
 *
 * @example Lint a config
 * ```ts
 * import { lintConfig } from "./mod.ts";
 *
 * const result = lintConfig("[openSSH]\nsequence = 7000,8000,9000\n", { file: "knockd.conf" });
 * for (const d of result.diagnostics) {
 *   console.log(`${d.file}:${d.span?.line}:${d.span?.column}: ${d.severity}[${d.code}]: ${d.message}`);
 * }
 * ```
 *
 * @example Parse a config and read a door
 * ```ts
 * import { parseConfig } from "./mod.ts";
 *
 * const { config, diagnostics } = parseConfig("[web]\nsequence = 2222,5555:udp,3333\ntcpflags = syn\n");
 * console.log(diagnostics.length, config.doors[0]?.sequence.map((s) => `${s.port}:${s.protocol}`));
 * ```
 *
 * @example Build a TCP SYN
 * ```ts
 * import { buildPacket, createRng } from "./mod.ts";
 *
 * const syn = { src: "10.0.0.2", dst: "10.0.0.1", transport: { protocol: "tcp", dport: 7000 } } as const;
 * const bytes = buildPacket(syn, createRng(1));
 * console.log(bytes.length);
 * ```
 *
 * @module
 */

export * from "./core/span.ts";
export * from "./core/diagnostic.ts";
export * from "./core/knock.ts";
export * from "./core/flags.ts";
export * from "./core/config/mod.ts";
export * from "./core/lint/mod.ts";
export * from "./core/decode/mod.ts";
export * from "./core/engine/mod.ts";
export * from "./core/packet/mod.ts";
export * from "./core/filter/mod.ts";
export * from "./core/serve/mod.ts";
