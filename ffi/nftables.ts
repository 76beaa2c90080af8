/**
 * libnftables (the library `nft` itself is built on) through `Deno.dlopen`: a context that runs nft commands
 * in-process (`nft_run_cmd_from_buffer`), with its standard and error output buffered and returned, JSON
 * output, and dry runs (parsed and checked against the kernel's ruleset, not committed). No process starts.
 *
 * Every call is synchronous, on the calling thread: a command is one netlink exchange with the kernel (well
 * under a millisecond for one element). A context is not thread-safe and must not be used after
 * {@linkcode NftContext.close}.
 *
 * @example
 * ```ts ignore
 * using nft = NftContext.open();
 * const listed = nft.run("list sets", { json: true });
 * if (listed.ok) console.log(JSON.parse(listed.output));
 * ```
 *
 * @module
 */
import { cString } from "./_cstring.ts";
import { type Libnftables, loadLibnftables } from "./_nftables_symbols.ts";

export { LIBNFTABLES_NAMES, loadLibnftables, NftablesMissingError } from "./_nftables_symbols.ts";

/** libnftables' output flags (`NFT_CTX_OUTPUT_*`), those knocktool sets. */
export const NFT_OUTPUT = {
  /** Print ruleset output as JSON (libnftables-json(5)). */
  json: 1 << 4,
  /** Leave the elements of sets out of listings. */
  terse: 1 << 11,
} as const;

/** How one command is run. */
export interface NftRunOptions {
  /** Output in JSON (default false: nft's text). */
  readonly json?: boolean;
  /** Leave set elements out of listings (default false). */
  readonly terse?: boolean;
  /** Parse and check the command against the kernel's ruleset without committing it (default false). */
  readonly dryRun?: boolean;
}

/** What one command did: libnftables' return code, its buffered standard output and error output. */
export interface NftRunResult {
  /** `nft_run_cmd_from_buffer` returned 0. */
  readonly ok: boolean;
  /** What the command printed (a listing; empty for most changes). */
  readonly output: string;
  /** nft's error messages (`Error: ...`, the command and carets), empty on success. */
  readonly error: string;
}

/** An open `struct nft_ctx *`, its output and errors buffered. */
export class NftContext {
  readonly #lib: Libnftables;
  #ctx: Deno.PointerObject | null;
  /** The output flags set by the last run (only changed when a run asks for others). */
  #flags = 0;
  #dryRun = false;

  private constructor(lib: Libnftables, ctx: Deno.PointerObject) {
    this.#lib = lib;
    this.#ctx = ctx;
  }

  /**
   * Opens a context (`nft_ctx_new(NFT_CTX_DEFAULT)`) with its output and error output buffered.
   *
   * @param lib libnftables (loaded on first use by default).
   * @returns The context.
   * @throws {NftablesMissingError} When libnftables is not installed.
   * @throws {Error} When the context cannot be created or its output buffered.
   */
  static open(lib: Libnftables = loadLibnftables()): NftContext {
    const ctx = lib.nft_ctx_new(0);
    if (ctx === null) throw new Error("nft_ctx_new failed");
    if (lib.nft_ctx_buffer_output(ctx) !== 0 || lib.nft_ctx_buffer_error(ctx) !== 0) {
      lib.nft_ctx_free(ctx);
      throw new Error("libnftables could not buffer its output");
    }
    const context = new NftContext(lib, ctx);
    context.#flags = lib.nft_ctx_output_get_flags(ctx);
    return context;
  }

  /**
   * Runs nft commands (one or more lines, as `nft -f` reads them) as one transaction.
   *
   * @param commands The commands, e.g. `add element inet filter allowed { 192.0.2.1 timeout 30s }`.
   * @param options JSON output, terse listings, dry run.
   * @returns Whether it succeeded, and what it printed.
   * @throws {Error} After {@linkcode close}.
   */
  run(commands: string, options: NftRunOptions = {}): NftRunResult {
    const ctx = this.#ctx;
    if (ctx === null) throw new Error("the nftables context is closed");
    const flags = (options.json === true ? NFT_OUTPUT.json : 0) |
      (options.terse === true ? NFT_OUTPUT.terse : 0);
    if (flags !== this.#flags) {
      this.#lib.nft_ctx_output_set_flags(ctx, flags);
      this.#flags = flags;
    }
    const dryRun = options.dryRun === true;
    if (dryRun !== this.#dryRun) {
      this.#lib.nft_ctx_set_dry_run(ctx, dryRun);
      this.#dryRun = dryRun;
    }
    const code = this.#lib.nft_run_cmd_from_buffer(ctx, cString(commands));
    // Both reads rewind their buffer: the next run starts from empty ones.
    const output = readBuffer(this.#lib.nft_ctx_get_output_buffer(ctx));
    const error = readBuffer(this.#lib.nft_ctx_get_error_buffer(ctx));
    return { ok: code === 0, output, error };
  }

  /** Frees the context (`nft_ctx_free`); later calls do nothing. */
  close(): void {
    if (this.#ctx === null) return;
    this.#lib.nft_ctx_free(this.#ctx);
    this.#ctx = null;
  }

  /** Same as {@linkcode close}. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function readBuffer(pointer: Deno.PointerValue): string {
  return pointer === null ? "" : Deno.UnsafePointerView.getCString(pointer);
}
