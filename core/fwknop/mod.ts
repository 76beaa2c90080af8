/**
 * fwknop compatibility: the SPA packets of fwknop's client (protocol 3.0.0, Rijndael + HMAC), fwknopd's
 * access.conf, the datagram door `serve` runs for it, and the client's ~/.fwknoprc. Pure.
 *
 * @module
 */
export * from "./access.ts";
export * from "./access_rules.ts";
export * from "./base64.ts";
export * from "./crypto.ts";
export * from "./door.ts";
export * from "./message.ts";
export * from "./packet.ts";
export * from "./replay.ts";
export * from "./rc.ts";
export * from "./address_list.ts";
export * from "./fwknopd_conf.ts";
