/**
 * Frame decoding: captured link-layer frames to {@linkcode Knock}s. Pure and never throws.
 *
 * @module
 */
export { decodeFrame, type PayloadSlot } from "./decode_frame.ts";
export { isSupportedLinkType, LinkType, type SupportedLinkType } from "./link_type.ts";
export type { DecodeReason, DecodeResult } from "./types.ts";
export type { Knock } from "../knock.ts";
