/**
 * Parsers for `--tcp-opt` and `--ip-opt` lists, e.g. `mss=1460,wscale=7,sackok,ts=1:0,nop,eol,raw=0102`.
 *
 * @module
 */
import { errorMessage } from "../../core/error_message.ts";
import { type IPv4Option, parseHexPayload, parseIPv4, type TcpOption } from "../../core/packet/mod.ts";
import { parseUintField, UsageError } from "./values.ts";

function hex(name: string, text: string): Uint8Array {
  try {
    return parseHexPayload(text);
  } catch (error) {
    throw new UsageError(`${name}: ${errorMessage(error)}`);
  }
}

function items(text: string): { key: string; value: string | undefined; raw: string }[] {
  return text.split(",").map((raw) => {
    const eq = raw.indexOf("=");
    const key = (eq === -1 ? raw : raw.slice(0, eq)).trim().toLowerCase();
    return { key, value: eq === -1 ? undefined : raw.slice(eq + 1).trim(), raw };
  });
}

function need(name: string, item: { key: string; value: string | undefined }, form: string): string {
  if (item.value === undefined || item.value === "") {
    throw new UsageError(`${name}: "${item.key}" needs a value (${form})`);
  }
  return item.value;
}

function noValue(name: string, item: { key: string; value: string | undefined }): void {
  if (item.value !== undefined) throw new UsageError(`${name}: "${item.key}" takes no value`);
}

/** The option items `--tcp-opt` and `--ip-opt` share: `nop`, `eol`, `raw=HEX` and `kind=K:HEX`. */
type CommonOption =
  | { readonly type: "nop" }
  | { readonly type: "eol" }
  | { readonly type: "bytes"; readonly bytes: Uint8Array }
  | { readonly type: "raw"; readonly kind: number; readonly data: Uint8Array };

function commonOption(
  name: string,
  item: { key: string; value: string | undefined; raw: string },
  expected: string,
): CommonOption {
  switch (item.key) {
    case "nop":
    case "eol":
      noValue(name, item);
      return { type: item.key };
    case "raw":
      return { type: "bytes", bytes: hex(`${name} raw`, need(name, item, "raw=HEX")) };
    case "kind": {
      const value = need(name, item, "kind=K:HEX");
      const colon = value.indexOf(":");
      const kind = parseUintField(`${name} kind`, colon === -1 ? value : value.slice(0, colon), 8);
      const data = colon === -1 ? new Uint8Array() : hex(`${name} kind`, value.slice(colon + 1));
      return { type: "raw", kind, data };
    }
    default:
      throw new UsageError(`${name}: unknown option "${item.raw.trim()}" (expected ${expected})`);
  }
}

/**
 * Parses `--tcp-opt`: `mss=N`, `wscale=N`, `sackok`, `sack=L-R[;L-R...]`, `ts=VAL:ECHO`, `nop`, `eol`,
 * `raw=HEX` (bytes copied verbatim), `kind=K:HEX` (a TLV with a computed length).
 *
 * @throws {UsageError} naming `--tcp-opt` and the item.
 */
export function parseTcpOptions(text: string, name = "--tcp-opt"): TcpOption[] {
  const out: TcpOption[] = [];
  for (const item of items(text)) {
    switch (item.key) {
      case "mss":
        out.push({ type: "mss", value: parseUintField(`${name} mss`, need(name, item, "mss=1460"), 16) });
        break;
      case "wscale":
        out.push({
          type: "wscale",
          shift: parseUintField(`${name} wscale`, need(name, item, "wscale=7"), 8),
        });
        break;
      case "sackok":
        noValue(name, item);
        out.push({ type: "sackPermitted" });
        break;
      case "sack": {
        const blocks = need(name, item, "sack=1000-2000;3000-4000").split(";").map((block) => {
          const [left, right, extra] = block.split("-");
          if (left === undefined || right === undefined || extra !== undefined) {
            throw new UsageError(`${name}: sack block "${block}" must be LEFT-RIGHT`);
          }
          return [
            parseUintField(`${name} sack`, left, 32),
            parseUintField(`${name} sack`, right, 32),
          ] as const;
        });
        if (blocks.length > 4) {
          throw new UsageError(`${name}: sack takes at most 4 blocks, got ${blocks.length}`);
        }
        out.push({ type: "sack", blocks });
        break;
      }
      case "ts": {
        const [value, echo, extra] = need(name, item, "ts=VAL:ECHO").split(":");
        if (value === undefined || echo === undefined || extra !== undefined) {
          throw new UsageError(`${name}: ts must be VAL:ECHO, got "${item.value}"`);
        }
        out.push({
          type: "timestamp",
          value: parseUintField(`${name} ts`, value, 32),
          echo: parseUintField(`${name} ts`, echo, 32),
        });
        break;
      }
      default:
        out.push(
          commonOption(
            name,
            item,
            "mss=N, wscale=N, sackok, sack=L-R, ts=V:E, nop, eol, raw=HEX or kind=K:HEX",
          ),
        );
    }
  }
  return out;
}

function addresses(name: string, text: string): Uint8Array[] {
  return text.split("+").map((a) => {
    try {
      return parseIPv4(a.trim());
    } catch {
      throw new UsageError(`${name}: "${a}" is not an IPv4 address`);
    }
  });
}

/**
 * Parses `--ip-opt`: `nop`, `eol`, `ra[=N]` (router alert), `rr=N` (N empty record-route slots),
 * `lsrr=A+B...`, `ssrr=A+B...`, `ts=N` (N empty timestamp words), `raw=HEX` (verbatim bytes),
 * `kind=K:HEX` (a TLV with a computed length).
 *
 * @throws {UsageError} naming `--ip-opt` and the item.
 */
export function parseIpOptions(text: string, name = "--ip-opt"): IPv4Option[] {
  const out: IPv4Option[] = [];
  for (const item of items(text)) {
    switch (item.key) {
      case "ra":
        out.push(
          item.value === undefined
            ? { type: "routerAlert" }
            : { type: "routerAlert", value: parseUintField(`${name} ra`, item.value, 16) },
        );
        break;
      case "rr": {
        const slots = parseUintField(`${name} rr`, need(name, item, "rr=N"), 4);
        if (slots < 1 || slots > 9) throw new UsageError(`${name} rr: must be 1..9, got ${slots}`);
        out.push({ type: "rr", addresses: Array.from({ length: slots }, () => new Uint8Array(4)) });
        break;
      }
      case "lsrr":
      case "ssrr":
        out.push({
          type: item.key,
          addresses: addresses(`${name} ${item.key}`, need(name, item, `${item.key}=A+B`)),
        });
        break;
      case "ts": {
        const words = parseUintField(`${name} ts`, need(name, item, "ts=N"), 4);
        if (words < 1 || words > 9) throw new UsageError(`${name} ts: must be 1..9, got ${words}`);
        out.push({ type: "timestamp", words: new Array<number>(words).fill(0) });
        break;
      }
      default:
        out.push(
          commonOption(name, item, "nop, eol, ra[=N], rr=N, lsrr=A+B, ssrr=A+B, ts=N, raw=HEX or kind=K:HEX"),
        );
    }
  }
  return out;
}
