/**
 * serve's fwknop door in nftables without a kernel: `--fwknop-nft-set`, `--fwknop-nft-set-6` and
 * `--fwknop-nft-per-port` read and checked (a fake libnftables answering like the real one; the sets are
 * refused with the `nft` commands that create them), and the loader: KT164 only without the options, the
 * door built with the sets. tests/e2e/fwknop_nft_test.ts has the real client and the real kernel.
 */
import assert from "node:assert/strict";
import { fwknopNftErrors, fwknopNftOptions } from "../../cli/serve/fwknop_nft.ts";
import { loadFwknopDoor } from "../../cli/serve/fwknop_load.ts";
import type { ServePlatform } from "../../cli/serve/platform.ts";
import type { ServeSettings } from "../../cli/serve/settings.ts";
import type { Nftables } from "../../cli/nftables.ts";
import type { Config } from "../../core/config/types.ts";
import type { NftRunOptions, NftRunResult } from "../../ffi/mod.ts";
import { testKeys } from "../core/fwknop/_capture.ts";

const keys = testKeys();
const ACCESS = `SOURCE ANY
KEY_BASE64 ${keys.keyBase64}
HMAC_KEY_BASE64 ${keys.hmacKeyBase64}
OPEN_PORTS tcp/22
REQUIRE_SOURCE_ADDRESS Y
`;

function fakeNft(answer: (commands: string, options: NftRunOptions) => NftRunResult) {
  const runs: string[] = [];
  const nft: Nftables = {
    run(commands, options = {}) {
      runs.push(`${options.dryRun ? "[dry] " : ""}${commands}`);
      return answer(commands, options);
    },
  };
  return { nft, runs };
}

const TABLES = '{"nftables": [{"metainfo": {}}, {"table": {"family": "inet", "name": "filter"}}]}';
const sets = (...list: string[]) => `{"nftables": [{"metainfo": {}}${list.map((s) => `, ${s}`).join("")}]}`;
const SET4 =
  '{"set": {"family": "inet", "table": "filter", "name": "fwknop4", "type": "ipv4_addr", "flags": ["timeout"]}}';
const SETP4 =
  '{"set": {"family": "inet", "table": "filter", "name": "fwknop4", "type": ["ipv4_addr", "inet_service"], "flags": ["timeout"]}}';

function kernel(tables: string, setList: string) {
  return fakeNft((commands) => {
    if (commands === "list tables") return { ok: true, output: tables, error: "" };
    if (commands === "list sets") return { ok: true, output: setList, error: "" };
    return { ok: true, output: "", error: "" };
  });
}

Deno.test("fwknopNftOptions: the sets, per port, and their errors", () => {
  assert.deepEqual(fwknopNftOptions({}), { ok: true, nft: undefined });
  assert.deepEqual(fwknopNftOptions({ fwknopNftSet: "inet filter fwknop4", fwknopNftPerPort: true }), {
    ok: true,
    nft: { v4: { family: "inet", table: "filter", set: "fwknop4" }, v6: undefined, perPort: true },
  });
  const bad = fwknopNftOptions({ fwknopNftSet: "ip6 filter x", fwknopNftSet6: "inet filter" });
  assert.ok(!bad.ok);
  assert.equal(bad.errors.length, 2);
  assert.match(bad.errors[0]!, /^--fwknop-nft-set: error\[KT141\]: "--fwknop-nft-set" holds IPv4 addresses/);
  assert.match(
    bad.errors[1]!,
    /^--fwknop-nft-set-6: error\[KT140\]: "--fwknop-nft-set-6" must be "FAMILY TABLE SET"/,
  );
  const lone = fwknopNftOptions({ fwknopNftPerPort: true });
  assert.ok(!lone.ok);
  assert.match(lone.errors[0]!, /--fwknop-nft-per-port: error: it needs --fwknop-nft-set/);
});

Deno.test("fwknopNftErrors: a set as needed passes (tried as a dry run); missing or of the wrong type, the nft commands", () => {
  const v4 = { family: "inet", table: "filter", set: "fwknop4" } as const;
  const good = kernel(TABLES, sets(SET4));
  assert.deepEqual(
    fwknopNftErrors({ v4, perPort: false }, { dryRun: false }, { nftables: () => good.nft }),
    [],
  );
  assert.deepEqual(good.runs.slice(2).map((r) => r.split("\n")[0]), [
    "[dry] add element inet filter fwknop4 { 192.0.2.1 timeout 1s }",
  ]);
  const perPort = kernel(TABLES, sets(SETP4));
  assert.deepEqual(
    fwknopNftErrors({ v4, perPort: true }, { dryRun: false }, { nftables: () => perPort.nft }),
    [],
  );
  const missing = kernel(TABLES, sets());
  assert.deepEqual(
    fwknopNftErrors({ v4, perPort: false }, { dryRun: false }, { nftables: () => missing.nft }),
    [
      '--fwknop-nft-set: error[KT301]: Door "fwknop" adds to nftables set inet filter fwknop4, which does not exist',
      "these nft commands create the sets the fwknop door needs:",
      "  nft add set inet filter fwknop4 '{ type ipv4_addr; flags timeout; }'",
    ],
  );
  const wrong = kernel(TABLES, sets(SET4));
  const lines = fwknopNftErrors({ v4, perPort: true }, { dryRun: false }, { nftables: () => wrong.nft });
  assert.equal(
    lines[0],
    '--fwknop-nft-set: error[KT302]: Door "fwknop" adds to nftables set inet filter fwknop4, whose type is ipv4_addr, not ipv4_addr . inet_service (--fwknop-nft-per-port makes ADDRESS . PORT elements)',
  );
  assert.deepEqual(lines.slice(2), [
    "  nft delete set inet filter fwknop4",
    "  nft add set inet filter fwknop4 '{ type ipv4_addr . inet_service; flags timeout; }'",
  ]);
  assert.deepEqual(
    fwknopNftErrors({ v4, perPort: false }, { dryRun: true }, { nftables: () => missing.nft }),
    [],
  );
});

function platform(nft: Nftables, files: Record<string, string>): ServePlatform {
  return {
    readText: (path: string) => {
      const text = files[path];
      if (text === undefined) throw new Deno.errors.NotFound(path);
      return text;
    },
    nftables: () => nft,
  } as unknown as ServePlatform;
}

Deno.test("loader: KT164 without the options; with them the sets are checked and the door opens in them", () => {
  const settings = { fwknopAccess: "/etc/fwknop/access.conf", fwknopDigestFile: "/tmp/none", dryRun: false };
  const files = { "/etc/fwknop/access.conf": ACCESS };
  const plain = loadFwknopDoor(
    {} as Config,
    settings as ServeSettings,
    platform(kernel(TABLES, sets()).nft, files),
  );
  assert.equal(plain.doors.length, 0);
  assert.match(plain.errors[0]!, /^\/etc\/fwknop\/access\.conf:1:1: error\[KT164\]: .*--fwknop-nft-set/);
  const withSet = { ...settings, fwknopNftSet: "inet filter fwknop4" };
  const missing = loadFwknopDoor(
    {} as Config,
    withSet as ServeSettings,
    platform(kernel(TABLES, sets()).nft, files),
  );
  assert.equal(missing.doors.length, 0);
  assert.match(missing.errors[0]!, /error\[KT301\]/);
  const good = loadFwknopDoor(
    {} as Config,
    withSet as ServeSettings,
    platform(kernel(TABLES, sets(SET4)).nft, files),
  );
  assert.deepEqual(good.errors, []);
  assert.equal(good.doors.length, 1);
  const stray = loadFwknopDoor(
    {} as Config,
    { fwknopNftSet: "inet filter fwknop4" } as ServeSettings,
    platform(kernel(TABLES, sets()).nft, files),
  );
  assert.deepEqual(stray.errors, ["--fwknop-nft-set: error: it goes with --fwknop-access"]);
});
