/**
 * libnftables' symbol table for `Deno.dlopen`, and the library loader: `libnftables.so.1` (Debian's
 * `libnftables1`) is opened once, lazily, on first use.
 *
 * @module
 */

/** The libnftables functions knocktool uses, with their C signatures (nftables 0.9.3 and later). */
export const NFTABLES_SYMBOLS = {
  /** `struct nft_ctx *nft_ctx_new(uint32_t flags)` */
  nft_ctx_new: { parameters: ["u32"], result: "pointer" },
  /** `void nft_ctx_free(struct nft_ctx *ctx)` */
  nft_ctx_free: { parameters: ["pointer"], result: "void" },
  /** `int nft_ctx_buffer_output(struct nft_ctx *ctx)` */
  nft_ctx_buffer_output: { parameters: ["pointer"], result: "i32" },
  /** `int nft_ctx_buffer_error(struct nft_ctx *ctx)` */
  nft_ctx_buffer_error: { parameters: ["pointer"], result: "i32" },
  /** `const char *nft_ctx_get_output_buffer(struct nft_ctx *ctx)` (rewinds the buffer) */
  nft_ctx_get_output_buffer: { parameters: ["pointer"], result: "pointer" },
  /** `const char *nft_ctx_get_error_buffer(struct nft_ctx *ctx)` (rewinds the buffer) */
  nft_ctx_get_error_buffer: { parameters: ["pointer"], result: "pointer" },
  /** `unsigned int nft_ctx_output_get_flags(struct nft_ctx *ctx)` */
  nft_ctx_output_get_flags: { parameters: ["pointer"], result: "u32" },
  /** `void nft_ctx_output_set_flags(struct nft_ctx *ctx, unsigned int flags)` */
  nft_ctx_output_set_flags: { parameters: ["pointer", "u32"], result: "void" },
  /** `void nft_ctx_set_dry_run(struct nft_ctx *ctx, bool dry)` */
  nft_ctx_set_dry_run: { parameters: ["pointer", "bool"], result: "void" },
  /** `int nft_run_cmd_from_buffer(struct nft_ctx *nft, const char *buf)` */
  nft_run_cmd_from_buffer: { parameters: ["pointer", "buffer"], result: "i32" },
} as const;

/** The loaded libnftables. */
export type Libnftables = Deno.DynamicLibrary<typeof NFTABLES_SYMBOLS>["symbols"];

/** Library file names tried in order: the soname (Debian's `libnftables1`), then the -dev symlink. */
export const LIBNFTABLES_NAMES: readonly string[] = ["libnftables.so.1", "libnftables.so"];

/** libnftables could not be opened. */
export class NftablesMissingError extends Error {
  /** What each library name gave. */
  readonly detail: string;

  /**
   * Creates the error.
   *
   * @param detail What each library name gave.
   */
  constructor(detail: string) {
    super("libnftables is not installed (apt-get install libnftables1)");
    this.detail = detail;
  }

  /** Always `NftablesMissingError`. */
  override get name(): string {
    return "NftablesMissingError";
  }
}

let cached: Libnftables | undefined;

/**
 * Loads libnftables once (later calls return the same symbols).
 *
 * @param names Library names to try, in order; for tests.
 * @returns The libnftables symbols.
 * @throws {NftablesMissingError} When none of the names loads.
 */
export function loadLibnftables(names: readonly string[] = LIBNFTABLES_NAMES): Libnftables {
  if (cached !== undefined && names === LIBNFTABLES_NAMES) return cached;
  const failures: string[] = [];
  for (const name of names) {
    try {
      const lib = Deno.dlopen(name, NFTABLES_SYMBOLS).symbols;
      if (names === LIBNFTABLES_NAMES) cached = lib;
      return lib;
    } catch (error) {
      if (error instanceof Error && error.name === "NotCapable") throw error;
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new NftablesMissingError(failures.join("; "));
}
