/**
 * The program's name and version. The version is read from `deno.json`, the
 * one place it is written.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };

/** The program name shown in usage, help and reports. */
export const PROGRAM_NAME = "knocktool";

/** The version, e.g. `0.1.0`. */
export const VERSION: string = denoJson.version;

/** Where to read about the tool (SARIF `informationUri`). */
export const INFORMATION_URI = "https://github.com/knocktool/knocktool";
