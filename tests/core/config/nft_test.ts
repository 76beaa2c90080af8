/**
 * The nftables door directives (core/config/nft.ts): their values (FAMILY TABLE SET, ports, durations), the
 * parser's findings with their places, and a door's settings with its timeout source.
 */
import assert from "node:assert/strict";
import {
  doorNft,
  KNOCKTOOL_EXTENSIONS,
  parseConfig,
  parseNftPorts,
  parseNftSetValue,
  parseNftTimeout,
} from "../../../core/config/mod.ts";

const parse = (text: string) => parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });

Deno.test("parseNftSetValue: three words, a family that sees the addresses, nft names", () => {
  assert.deepEqual(parseNftSetValue("inet filter knock_ssh4", 4), {
    ok: true,
    ref: { family: "inet", table: "filter", set: "knock_ssh4" },
  });
  assert.deepEqual(parseNftSetValue("IP6  t\ts.6/x-y", 6), {
    ok: true,
    ref: { family: "ip6", table: "t", set: "s.6/x-y" },
  });
  for (const family of ["ip", "inet", "bridge", "netdev"]) assert.ok(parseNftSetValue(`${family} t s`, 4).ok);
  for (const family of ["ip6", "inet", "bridge", "netdev"]) {
    assert.ok(parseNftSetValue(`${family} t s`, 6).ok);
  }
  const bad = (value: string, family: 4 | 6 = 4) => {
    const r = parseNftSetValue(value, family);
    assert.ok(!r.ok, value);
    return [r.code, r.message, r.start, r.end];
  };
  assert.deepEqual(bad("inet filter"), [
    "KT140",
    '"Nft_Set" must be "FAMILY TABLE SET" (e.g. "inet filter knock_ssh4"), not "inet filter"',
    undefined,
    undefined,
  ]);
  assert.equal(bad("inet filter a b")[0], "KT140");
  assert.deepEqual(bad("ipv4 filter s"), [
    "KT141",
    'Unknown nftables family "ipv4": write ip, ip6, inet, bridge or netdev',
    0,
    4,
  ]);
  assert.deepEqual(bad("arp t s").slice(0, 1), ["KT141"]);
  assert.deepEqual(bad("ip6 t s", 4).slice(0, 1), ["KT141"]);
  assert.deepEqual(bad("ip t s", 6).slice(0, 1), ["KT141"]);
  assert.deepEqual(bad("inet 9t s"), [
    "KT140",
    'Table name "9t" is not an nftables name: a letter, "_" or "." first, then letters, digits and "/-_."',
    5,
    7,
  ]);
  assert.deepEqual(bad('inet t "s"').slice(0, 3), [
    "KT140",
    'Set name ""s"" is not an nftables name: a letter, "_" or "." first, then letters, digits and "/-_."',
    7,
  ]);
  assert.deepEqual(bad("inet t a\\b").slice(0, 1), ["KT140"]);
  assert.ok(parseNftSetValue(`inet t ${"s".repeat(255)}`, 4).ok);
  assert.deepEqual(bad(`inet t ${"s".repeat(256)}`).slice(0, 2), [
    "KT140",
    "Set name is 256 characters long; nftables takes at most 255",
  ]);
});

Deno.test("parseNftPorts: 1 to 65535, comma-separated, at most 32, duplicates once", () => {
  assert.deepEqual(parseNftPorts("22"), [22]);
  assert.deepEqual(parseNftPorts("80, 443 ,80"), [80, 443]);
  assert.deepEqual(parseNftPorts("65535,1"), [65535, 1]);
  for (const bad of ["", "0", "65536", "ssh", "22,", "-1", "2 2", "0x16", "123456"]) {
    assert.equal(parseNftPorts(bad), undefined, bad);
  }
  assert.equal(parseNftPorts(Array.from({ length: 32 }, (_, i) => i + 1).join(","))?.length, 32);
  assert.equal(parseNftPorts(Array.from({ length: 33 }, (_, i) => i + 1).join(",")), undefined);
});

Deno.test("parseNftTimeout: seconds with decimals or nft units, 1 ms to 365 days", () => {
  const cases: [string, number | undefined][] = [
    ["30", 30_000],
    ["2.5", 2500],
    ["0.001", 1],
    ["90s", 90_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1d", 86_400_000],
    ["500ms", 500],
    ["1m500ms", 60_500],
    ["365d", 31_536_000_000],
    ["31536000", 31_536_000_000],
    ["0", undefined],
    ["0s", undefined],
    ["0.0004", undefined],
    ["366d", undefined],
    ["30 s", undefined],
    ["1m1h", undefined],
    ["", undefined],
    ["-5", undefined],
    ["5x", undefined],
    ["ms", undefined],
  ];
  for (const [value, ms] of cases) assert.equal(parseNftTimeout(value), ms, value);
});

Deno.test("the parser reports bad nftables values at the word, and keeps the directives", () => {
  const { config, diagnostics } = parse(
    "[d]\nsequence = 1,2\nNft_Set = inet 9x s\nnft_set_6 = ipv6 t s\nNft_Port = 0\nNft_Timeout = 30 s\n",
  );
  assert.deepEqual(
    diagnostics.map((d) => [d.code, d.severity, d.span?.line, d.span?.column, d.span?.endColumn]),
    [
      ["KT140", "error", 3, 16, 18],
      ["KT141", "error", 4, 13, 17],
      ["KT142", "error", 5, 12, 13],
      ["KT143", "error", 6, 15, 19],
    ],
  );
  assert.equal(config.doors[0]!.extensions?.size, 4);
  // knockd's own dialect: unknown keys.
  assert.equal(parseConfig("[d]\nsequence = 1\nNft_Set = inet t s\n").ok, false);
  // A door directive in [options] is misplaced.
  assert.equal(parse("[options]\nNft_Set = inet t s\n[d]\nsequence = 1\n").diagnostics[0]?.code, "KT010");
});

Deno.test("doorNft: the sets, the ports and the timeout (Nft_Timeout, else an explicit positive Cmd_Timeout)", () => {
  const door = (lines: string) => parse(`[d]\nsequence = 1,2\n${lines}`).config.doors[0]!;
  assert.equal(doorNft(door("cmd_timeout = 5\n")), undefined);
  assert.deepEqual(
    doorNft(door("Nft_Set = inet f a\nNft_Set_6 = inet f b\nNft_Port = 22,443\nNft_Timeout = 1m\n")),
    {
      v4: { family: "inet", table: "f", set: "a" },
      v6: { family: "inet", table: "f", set: "b" },
      ports: [22, 443],
      timeoutMs: 60_000,
      timeoutSource: "nft_timeout",
    },
  );
  assert.deepEqual(doorNft(door("Nft_Set_6 = ip6 f b\ncmd_timeout = 7\n")), {
    v6: { family: "ip6", table: "f", set: "b" },
    ports: [],
    timeoutMs: 7000,
    timeoutSource: "cmd_timeout",
  });
  // Nft_Timeout wins over Cmd_Timeout; the last line of each wins.
  assert.equal(
    doorNft(door("Nft_Set = ip f a\ncmd_timeout = 7\nNft_Timeout = 3\nNft_Timeout = 4\n"))?.timeoutMs,
    4000,
  );
  // No source: knockd's implicit 10 s is not one; neither is a Cmd_Timeout of 0 or below.
  for (const lines of ["", "cmd_timeout = 0\n", "cmd_timeout = -3\n", "Nft_Timeout = never\n"]) {
    const nft = doorNft(door(`Nft_Set = ip f a\n${lines}`));
    assert.equal(nft?.timeoutMs, undefined, lines);
    assert.equal(nft?.timeoutSource, undefined, lines);
  }
  // Only invalid sets: none.
  assert.equal(doorNft(door("Nft_Set = ip6 f a\nNft_Timeout = 3\n")), undefined);
  // An invalid port list counts as none (lint refuses the file anyway).
  assert.deepEqual(doorNft(door("Nft_Set = ip f a\nNft_Port = x\nNft_Timeout = 3\n"))?.ports, []);
});
