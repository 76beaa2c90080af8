/**
 * The capture interfaces' addresses (`Deno.networkInterfaces()`), as knockd collects them with
 * `getifaddrs()`: IPv4 always, IPv6 unless `-4`, link-local IPv6 without its `%scope`.
 *
 * @module
 */
import type { FilterAddresses } from "../../core/filter/mod.ts";

/**
 * Addresses of `name` (`any`: of every interface), sorted, without duplicates.
 *
 * @param name Interface name.
 * @param onlyIPv4 knockd's `-4`.
 * @returns The addresses.
 */
export function interfaceAddresses(name: string, onlyIPv4: boolean): FilterAddresses {
  const v4 = new Set<string>();
  const v6 = new Set<string>();
  let list: Deno.NetworkInterfaceInfo[] = [];
  try {
    list = Deno.networkInterfaces();
  } catch {
    // no permission: no addresses, the filter falls back to ports
  }
  for (const info of list) {
    if (name !== "any" && info.name !== name) continue;
    if (info.family === "IPv4") v4.add(info.address);
    else if (!onlyIPv4) v6.add(info.address.replace(/%.*$/, "").toLowerCase());
  }
  return { v4: [...v4].sort(), v6: [...v6].sort() };
}

/** Whether a network interface of that name exists (`/sys/class/net/<name>`; `any` always exists). */
export function interfaceExists(name: string): boolean {
  if (name === "any") return true;
  if (name.includes("/") || name === "." || name === "..") return false;
  try {
    Deno.statSync(`/sys/class/net/${name}`);
    return true;
  } catch (error) {
    // Not Linux, or no read permission: let libpcap decide.
    return !(error instanceof Deno.errors.NotFound);
  }
}

/** Same addresses (order-insensitive, both are sorted). */
export function sameAddresses(a: FilterAddresses, b: FilterAddresses): boolean {
  return a.v4.join() === b.v4.join() && a.v6.join() === b.v6.join();
}
