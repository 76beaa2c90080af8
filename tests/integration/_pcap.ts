/**
 * Writes pcap files for the integration tests with engineer C's writer (`core/packet/pcap_writer.ts`).
 *
 * @module
 */
import { encodePcap, type PcapPacket, type PcapWriterOptions } from "../../core/packet/pcap_writer.ts";

/** A temporary pcap file, removed by `await using`. */
export interface TempPcap {
  readonly path: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Writes a pcap file into a fresh temporary directory.
 *
 * @param packets The packets.
 * @param options Link type, snaplen, precision.
 * @returns The file path and its cleanup.
 */
export async function writeTempPcap(
  packets: readonly PcapPacket[],
  options: PcapWriterOptions,
): Promise<TempPcap> {
  const dir = await Deno.makeTempDir({ prefix: "knocktool-pcap-" });
  const path = `${dir}/capture.pcap`;
  await Deno.writeFile(path, encodePcap(packets, options));
  return { path, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/**
 * Tells whether libpcap can be loaded; prints why not (tests are then ignored).
 *
 * @returns `true` when libpcap loads.
 */
export async function libpcapAvailable(): Promise<boolean> {
  const { loadLibpcap, PcapError } = await import("../../ffi/mod.ts");
  try {
    loadLibpcap();
    return true;
  } catch (error) {
    if (error instanceof PcapError && error.kind === "not-installed") {
      // deno-lint-ignore no-console
      console.log(`skipping libpcap tests: ${error.message}`);
      return false;
    }
    throw error;
  }
}
