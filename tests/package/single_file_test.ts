/**
 * The pieces of `deno task package` that need no build: the route choice, the launcher's trailer (the same
 * layout launcher.c reads), the packaged systemd unit and the Debian control files.
 */
import assert from "node:assert/strict";
import {
  changelog,
  chooseRoute,
  controlFile,
  decodeTrailer,
  encodeTrailer,
  layout,
  packagedUnit,
} from "../../tools/package/mod.ts";

const root = new URL("../../", import.meta.url).pathname;

Deno.test("chooseRoute: deno compile with DENORT_BIN, else the launcher with this Deno as its runtime", () => {
  const env = (vars: Record<string, string>) => (name: string) => vars[name];
  assert.deepEqual(chooseRoute(env({ DENORT_BIN: "/opt/denort" }), "/usr/bin/deno"), {
    kind: "compile",
    denort: "/opt/denort",
  });
  assert.deepEqual(chooseRoute(env({}), "/usr/bin/deno"), {
    kind: "launcher",
    runtime: "/usr/bin/deno",
    cc: "cc",
  });
  assert.deepEqual(
    chooseRoute(env({ DENORT_BIN: "", KNOCKTOOL_DENO_RUNTIME: "/r/deno", CC: "gcc-12" }), "/usr/bin/deno"),
    { kind: "launcher", runtime: "/r/deno", cc: "gcc-12" },
  );
});

Deno.test("layout: the runtime starts on the page after the launcher, the bundle right after it", () => {
  assert.deepEqual(layout(17_000, 95_000_000, 1_200_000), {
    runtimeOffset: 20_480,
    runtimeSize: 95_000_000,
    bundleOffset: 95_020_480,
    bundleSize: 1_200_000,
  });
  assert.equal(layout(4096, 1, 1).runtimeOffset, 4096);
});

Deno.test("the trailer round-trips, and a damaged or foreign one is refused", () => {
  const at = layout(16_384, 1000, 500);
  const size = at.bundleOffset + at.bundleSize + 64;
  const trailer = encodeTrailer(at);
  assert.equal(trailer.length, 64);
  assert.equal(new TextDecoder().decode(trailer.subarray(0, 16)), "KNOCKTOOL-PACK-1");
  assert.equal(new TextDecoder().decode(trailer.subarray(56)), "KNOCKEND");
  assert.deepEqual(decodeTrailer(trailer, size), at);
  // The last 64 bytes of a longer tail are read.
  assert.deepEqual(decodeTrailer(new Uint8Array([...new Uint8Array(10), ...trailer]), size), at);

  const flipped = trailer.slice();
  flipped[20]! ^= 1; // an offset changed: the checksum no longer matches
  assert.equal(decodeTrailer(flipped, size), undefined);
  const foreign = trailer.slice();
  foreign[0] = 0x58;
  assert.equal(decodeTrailer(foreign, size), undefined);
  // Offsets past the end of a (truncated) file.
  assert.equal(decodeTrailer(trailer, size - 1), undefined);
  assert.equal(decodeTrailer(trailer.subarray(1), size), undefined);
  assert.equal(decodeTrailer(encodeTrailer({ ...at, bundleSize: 0 }), size), undefined);
});

Deno.test("the packaged unit is the example's hardened unit with /usr/bin/knocktool", async () => {
  const example = await Deno.readTextFile(`${root}examples/systemd/knocktool.service`);
  const unit = packagedUnit(example);
  assert.match(unit, /^ExecStart=\/usr\/bin\/knocktool serve -c \/etc\/knockd\.conf$/m);
  assert.doesNotMatch(unit, /\/usr\/local\/bin/);
  assert.match(unit, /^# knocktool serve as a systemd service \(Debian package knocktool\)/);
  // Every directive of the example is kept, in the same order.
  const directives = (text: string) => text.split("\n").filter((l) => /^[A-Za-z]+=|^\[/.test(l));
  assert.deepEqual(
    directives(unit),
    directives(example).map((l) => l.replace("/usr/local/bin/", "/usr/bin/")),
  );
  for (
    const hardening of [
      "CapabilityBoundingSet=CAP_NET_RAW CAP_NET_ADMIN",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "StateDirectory=knocktool",
    ]
  ) {
    assert.ok(unit.includes(`\n${hardening}\n`), hardening);
  }
});

Deno.test("the control file and the changelog have the fields dpkg and lintian read", () => {
  const control = controlFile("1.2.3", 96_000);
  assert.match(control, /^Package: knocktool\nVersion: 1\.2\.3\nArchitecture: amd64\n/);
  assert.match(control, /^Installed-Size: 96000$/m);
  assert.match(control, /^Depends: libc6 \(>= 2\.27\), libpcap0\.8$/m);
  assert.match(control, /\nDescription: .{1,80}\n( \S.*\n| \.\n)+$/);
  assert.equal(
    changelog("1.2.3", 0),
    "knocktool (1.2.3) unstable; urgency=medium\n\n" +
      "  * Release 1.2.3, packaged by deno task package (tools/package/).\n\n" +
      " -- knocktool maintainers <maintainers@knocktool.org>  Thu, 01 Jan 1970 00:00:00 +0000\n",
  );
});
