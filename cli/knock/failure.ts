/**
 * The run-time failure of `knock` (exit status 1), as opposed to a usage error (exit status 2).
 *
 * @module
 */

/** A failure at run time (not a usage error): exit status 1. */
export class RuntimeFailure extends Error {}
