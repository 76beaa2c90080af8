/**
 * knocktool's single packet authorization (docs/spa.md): one UDP datagram, sealed to the server's static
 * X25519 key and signed by the user's Ed25519 key, opens a door. Pure (node:crypto, no runtime): the wire
 * format, sealing and opening, the replay state, the public-key budget, key and users files, the
 * enrolment URI, the door directives and the datagram door serve runs.
 *
 * @module
 */
export * from "./wire.ts";
export * from "./keys.ts";
export * from "./seal.ts";
export * from "./mac1.ts";
export * from "./replay.ts";
export * from "./budget.ts";
export * from "./users.ts";
export * from "../config/spa.ts";
export * from "./door.ts";
export * from "./bundle.ts";
