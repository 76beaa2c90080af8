/**
 * BPF filters: `pcap_compile` (optimize 1, netmask unknown) and the compiled program's instructions.
 *
 * @module
 */
import type { Libpcap } from "./_pcap_symbols.ts";
import { cString } from "./_cstring.ts";
import { geterr } from "./_pcap_text.ts";

const PCAP_NETMASK_UNKNOWN = 0xffffffff;
/** `struct bpf_program` on LP64: u32 bf_len, 4 bytes padding, pointer. */
const BPF_PROGRAM_SIZE = 16;

/** Result of a filter compile check. */
export type CompileCheckResult = { readonly ok: true } | { readonly ok: false; readonly message: string };

/**
 * Compiles a filter for a handle; free the program with `pcap_freecode` after use.
 *
 * @param lib libpcap.
 * @param handle The handle (its link type and capture options shape the program).
 * @param expr A tcpdump filter expression.
 * @returns The `struct bpf_program`, or libpcap's message when the expression does not compile.
 */
export function compileFilter(
  lib: Libpcap,
  handle: Deno.PointerObject,
  expr: string,
): Uint8Array<ArrayBuffer> | string {
  const program = new Uint8Array(BPF_PROGRAM_SIZE);
  const rc = lib.pcap_compile(handle, program, cString(expr), 1, PCAP_NETMASK_UNKNOWN);
  if (rc !== 0) return geterr(lib, handle);
  return program;
}

/**
 * A copy of a compiled program's instructions: 8 bytes each, libpcap's `struct bpf_insn`, which is Linux's
 * `struct sock_filter`.
 *
 * @param program A `struct bpf_program` from {@linkcode compileFilter}, not yet freed.
 * @returns The instructions.
 */
export function programInstructions(program: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  const view = new DataView(program.buffer);
  const instructions = new Uint8Array(view.getUint32(0, true) * 8);
  const pointer = Deno.UnsafePointer.create(view.getBigUint64(8, true));
  if (pointer !== null && instructions.length > 0) Deno.UnsafePointerView.copyInto(pointer, instructions);
  return instructions;
}
