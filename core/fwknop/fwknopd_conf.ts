/**
 * What `serve --fwknop-conf` takes from fwknopd.conf: the UDP port (`PCAP_FILTER udp port N`, or
 * `UDPSERV_PORT` with `ENABLE_UDP_SERVER Y`) and the timestamp window (`MAX_SPA_PACKET_AGE`). Its other
 * settings (firewall, capture tuning, GPG, logging) are fwknopd's own and are not read. Pure.
 *
 * @module
 */

/** The settings read, or the `line: message` of each one that cannot be used. */
export interface FwknopdConf {
  /** The UDP port, when the file names one. */
  readonly port?: number | undefined;
  /** MAX_SPA_PACKET_AGE, s, when given. */
  readonly maxAge?: number | undefined;
  /** Problems, each with its 1-based line (any refuses the file). */
  readonly errors: readonly { readonly line: number; readonly message: string }[];
}

/**
 * Reads fwknopd.conf.
 *
 * @param text The file's text.
 * @returns The port and window it sets, and its errors.
 */
export function parseFwknopdConf(text: string): FwknopdConf {
  const values = new Map<string, { value: string; line: number }>();
  text.split("\n").forEach((raw, i) => {
    const m = /^\s*([A-Za-z0-9_]+)\s+(.*?)\s*;?\s*$/.exec(raw.replace(/\r$/, ""));
    if (m === null || m[1]!.startsWith("#")) return;
    values.set(m[1]!.toUpperCase(), { value: m[2]!, line: i + 1 });
  });
  const errors: { line: number; message: string }[] = [];
  const yes = (name: string) => /^y/i.test(values.get(name)?.value ?? "");
  let port: number | undefined;
  const filter = values.get("PCAP_FILTER");
  if (filter !== undefined) {
    const m = /^udp\s+(?:dst\s+)?port\s+(\d{1,5})$/i.exec(filter.value);
    if (m === null || Number(m[1]) < 1 || Number(m[1]) > 65535) {
      errors.push({
        line: filter.line,
        message: `PCAP_FILTER "${filter.value}": only "udp port N" is understood (or give --fwknop-port)`,
      });
    } else port = Number(m[1]);
  }
  if (yes("ENABLE_UDP_SERVER")) {
    const udp = values.get("UDPSERV_PORT");
    const n = udp === undefined ? 62201 : Number(udp.value);
    if (!(Number.isInteger(n) && n >= 1 && n <= 65535)) {
      errors.push({ line: udp!.line, message: `UDPSERV_PORT "${udp!.value}" is not a port` });
    } else port = n;
  }
  let maxAge: number | undefined;
  const age = values.get("MAX_SPA_PACKET_AGE");
  if (age !== undefined) {
    if (!/^\d{1,6}$/.test(age.value) || Number(age.value) < 1 || Number(age.value) > 100000) {
      errors.push({
        line: age.line,
        message: `MAX_SPA_PACKET_AGE "${age.value}" is not 1 to 100000 seconds`,
      });
    } else maxAge = Number(age.value);
  }
  const aging = values.get("ENABLE_SPA_PACKET_AGING");
  if (aging !== undefined && /^n/i.test(aging.value)) {
    errors.push({
      line: aging.line,
      message: "ENABLE_SPA_PACKET_AGING N is not supported (replays need the window)",
    });
  }
  return { port, maxAge, errors };
}
