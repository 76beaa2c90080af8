/** A temporary directory for one test body. */

/**
 * Runs `body` with a new temporary directory, removed afterwards whatever happens.
 *
 * @param prefix The directory name's prefix (tells which test left it, should removal fail).
 * @param body The test body.
 * @returns What `body` returns.
 */
export async function withTempDir<T>(prefix: string, body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
