/**
 * The tests' import of the network-namespace harness, which lives in `tools/netns/` so that `bench/` and
 * `tools/demo.ts` use the same one without importing a test's private helper. Tests import it from here.
 *
 * @module
 */
export * from "../../tools/netns/mod.ts";
