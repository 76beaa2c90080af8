import assert from "node:assert/strict";
import { parseConfig } from "../../../core/config/mod.ts";
import {
  addressFamily,
  buildFilter,
  type BuildFilterOptions,
  MATCH_NOTHING,
} from "../../../core/filter/mod.ts";
import { createRng } from "../../../core/packet/mod.ts";
import { compileCheck, PcapHandle } from "../../../ffi/mod.ts";
import { errorMessage } from "../../../core/error_message.ts";

function doors(text: string) {
  const { config, ok, diagnostics } = parseConfig(text);
  assert.ok(ok, JSON.stringify(diagnostics));
  return config.doors;
}

let libpcapMissing: string | undefined;
try {
  compileCheck("tcp");
} catch (error) {
  libpcapMissing = errorMessage(error);
  // deno-lint-ignore no-console
  console.log(`skipping libpcap compile checks: ${libpcapMissing}`);
}

/** A test that compiles filters in libpcap: ignored, with the reason printed above, when it cannot load. */
function compileTest(name: string, fn: () => void): void {
  Deno.test({ name, ignore: libpcapMissing !== undefined, fn });
}

/** Every generated filter must compile in real libpcap, on every link type serve supports. */
function assertCompiles(expression: string, vlan: boolean): void {
  const linktypes = vlan ? [1] : [1, 12, 113, 276];
  for (const linktype of linktypes) {
    const result = compileCheck(expression, linktype);
    assert.deepEqual(result, { ok: true }, `linktype ${linktype}: ${expression}`);
  }
}

const V4 = { v4: ["10.77.0.1"], v6: [] };

interface Case {
  readonly name: string;
  readonly conf: string;
  readonly addresses: { v4: string[]; v6: string[] };
  readonly options?: BuildFilterOptions;
  readonly expected: string;
}

const CASES: Case[] = [
  {
    name: "knockd §2.2 example 1: tcp with syn (exact knockd string)",
    conf: "[d]\nsequence = 7000,8000,9000\ntcpflags = syn\n",
    addresses: V4,
    expected:
      "((dst host 10.77.0.1) and (((tcp dst port 7000 or 8000 or 9000) and tcp[tcpflags] & tcp-syn != 0)))",
  },
  {
    name: "knockd §2.2 example 2: flags set and clear, udp (exact knockd string)",
    conf: "[d]\nsequence = 5000,4000:udp,4001:udp\ntcpflags = syn,!ack\n",
    addresses: V4,
    expected: "((dst host 10.77.0.1) and (((tcp dst port 5000) and tcp[tcpflags] & tcp-syn != 0 and " +
      "tcp[tcpflags] & tcp-ack == 0) or (udp dst port 4000 or 4001)))",
  },
  {
    name: "knockd §2.2 example 4: atoi ports, no flags (exact knockd string)",
    conf: "[d]\nsequence = abc,-1, 8000 :UDP ,9000:tcp:junk\n",
    addresses: V4,
    expected: "((dst host 10.77.0.1) and (((tcp dst port 0 or 65535 or 9000)) or (udp dst port 8000)))",
  },
  {
    name: "udp only",
    conf: "[d]\nsequence = 1111:udp,2222:udp\n",
    addresses: V4,
    expected: "((dst host 10.77.0.1) and ((udp dst port 1111 or 2222)))",
  },
  {
    name: "all knockd flags in knockd's order, repeated port listed once",
    conf: "[d]\nsequence = 5000,5000,5001\ntcpflags = urg,!ack,psh,rst,!syn,fin\n",
    addresses: V4,
    expected:
      "((dst host 10.77.0.1) and (((tcp dst port 5000 or 5001) and tcp[tcpflags] & tcp-fin != 0 and " +
      "tcp[tcpflags] & tcp-syn == 0 and tcp[tcpflags] & tcp-rst != 0 and tcp[tcpflags] & tcp-push != 0 and " +
      "tcp[tcpflags] & tcp-ack == 0 and tcp[tcpflags] & tcp-urg != 0)))",
  },
  {
    name: "IPv4 and IPv6 addresses: IPv6 half by port only, extension headers pass",
    conf: "[d]\nsequence = 7000,8000,9000\ntcpflags = syn\n",
    addresses: { v4: ["10.77.0.1", "192.168.1.5"], v6: ["fd77::1", "fe80::28d0:e0ff:feba:db8"] },
    expected: "((dst host 10.77.0.1 or dst host 192.168.1.5) and (((tcp dst port 7000 or 8000 or 9000) and " +
      "tcp[tcpflags] & tcp-syn != 0))) or ((dst host fd77::1 or dst host fe80::28d0:e0ff:feba:db8) and " +
      "(((tcp dst port 7000 or 8000 or 9000)) or (ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58)))",
  },
  {
    name: "-4 drops the IPv6 half",
    conf: "[d]\nsequence = 7000,8000:udp\n",
    addresses: { v4: ["10.77.0.1"], v6: ["fd77::1"] },
    options: { onlyIPv4: true },
    expected: "((dst host 10.77.0.1) and (((tcp dst port 7000)) or (udp dst port 8000)))",
  },
  {
    name: "IPv4 target: used once, never in the IPv6 half",
    conf: "[d]\nsequence = 7000,8000\ntarget = 10.9.9.9\n",
    addresses: { v4: ["10.77.0.1", "10.77.0.2"], v6: ["fd77::1"] },
    expected: "((dst host 10.9.9.9) and (((tcp dst port 7000 or 8000))))",
  },
  {
    name: "IPv6 target: only the IPv6 half, even without IPv6 addresses",
    conf: "[d]\nsequence = 7000:udp\ntarget = fd00::9\n",
    addresses: V4,
    expected:
      "((dst host fd00::9) and ((udp dst port 7000) or (ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58)))",
  },
  {
    name: "no addresses (any, unnumbered interface): still filtered by port",
    conf: "[d]\nsequence = 7000,8000\ntcpflags = syn\n",
    addresses: { v4: [], v6: [] },
    expected: "(ip and (((tcp dst port 7000 or 8000) and tcp[tcpflags] & tcp-syn != 0))) or " +
      "(ip6 and (((tcp dst port 7000 or 8000)) or (ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58)))",
  },
  {
    name: "several doors are merged: one term per destination, not one per door",
    conf: "[a]\nsequence = 7000\n[b]\nsequence = 8000:udp\n",
    addresses: V4,
    expected: "((dst host 10.77.0.1) and ((tcp dst port 7000) or (udp dst port 8000)))",
  },
  {
    name:
      "merged: IPv4 and IPv6 share one port list per TCPFlags (IPv6 tested after the fixed header), ranges",
    conf: "[a]\nsequence = 7000,7001,7002,9000\ntcpflags = syn,!ack\n" +
      "[b]\nsequence = 8000:udp,8001:udp,7003\ntcpflags = syn,!ack\n[c]\nsequence = 6000\n",
    addresses: { v4: ["10.77.0.1"], v6: ["fd77::1"] },
    expected: "((dst host 10.77.0.1 or dst host fd77::1) and (((tcp dst port 9000 or tcp dst portrange " +
      "7000-7003) and ((tcp[tcpflags] & tcp-syn != 0 and tcp[tcpflags] & tcp-ack == 0) or " +
      "(ip6[53] & tcp-syn != 0 and ip6[53] & tcp-ack == 0))) or " +
      "(tcp dst port 6000) or (udp dst portrange 8000-8001) or " +
      "(ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58)))",
  },
  {
    name: "merged: one term per Target, in its own family only, and one for the local addresses",
    conf: "[a]\nsequence = 7000\ntarget = 10.9.9.9\n[b]\nsequence = 7000,8000\ntarget = fd00::9\n" +
      "[c]\nsequence = 9000:udp\n[d]\nsequence = 7001\ntarget = 10.9.9.9\n",
    addresses: V4,
    expected: "((dst host 10.9.9.9) and ((tcp dst portrange 7000-7001))) or ((dst host fd00::9) and " +
      "((tcp dst port 7000 or 8000) or (ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58))) or " +
      "((dst host 10.77.0.1) and ((udp dst port 9000)))",
  },
  {
    name: "merged: no addresses and -4: IPv4 by port only",
    conf: "[a]\nsequence = 7000,8000\ntcpflags = fin,!ack\n[b]\nsequence = 9000:udp\n",
    addresses: { v4: [], v6: [] },
    options: { onlyIPv4: true },
    expected: "((ip) and (((tcp dst port 7000 or 8000) and tcp[tcpflags] & tcp-fin != 0 and " +
      "tcp[tcpflags] & tcp-ack == 0) or (udp dst port 9000)))",
  },
  {
    name: "VLAN-tagged frames pass too",
    conf: "[d]\nsequence = 7000\ntcpflags = syn\n",
    addresses: V4,
    options: { vlan: true },
    expected: "((dst host 10.77.0.1) and (((tcp dst port 7000) and tcp[tcpflags] & tcp-syn != 0))) or " +
      "(vlan and (((dst host 10.77.0.1) and (((tcp dst port 7000) and tcp[tcpflags] & tcp-syn != 0)))))",
  },
];

for (const c of CASES) {
  Deno.test(`buildFilter: ${c.name}`, () => {
    const built = buildFilter(doors(c.conf), c.addresses, c.options ?? {});
    assert.equal(built.expression, c.expected);
  });
  compileTest(`buildFilter compiles in libpcap: ${c.name}`, () => {
    assertCompiles(c.expected, c.options?.vlan ?? false);
  });
}

Deno.test("buildFilter: no doors, or only doors that cannot match, give MATCH_NOTHING", () => {
  assert.equal(buildFilter([], V4).expression, MATCH_NOTHING);
  const built = buildFilter(doors("[d]\nsequence = 7000\ntarget = example.com\n"), V4);
  assert.equal(built.expression, MATCH_NOTHING);
  assert.equal(built.doors[0]?.skipped, 'target "example.com" is not an IP address');
  const v6only = buildFilter(doors("[d]\nsequence = 7000\ntarget = fd00::1\n"), V4, { onlyIPv4: true });
  assert.equal(v6only.expression, MATCH_NOTHING);
});

compileTest("buildFilter: MATCH_NOTHING compiles in libpcap", () => {
  assertCompiles(MATCH_NOTHING, false);
});

/** A door whose flags are the ones knockd does not know. */
function unknownFlagsFilter(): string {
  const door = doors("[d]\nsequence = 7000\n")[0]!;
  const flagged = { ...door, tcpFlags: new Map([["ece", "set"], ["cwr", "clear"], ["ns", "set"]] as const) };
  return buildFilter([flagged], V4).expression;
}

Deno.test("buildFilter: the flags knockd does not know are tested too", () => {
  assert.equal(
    unknownFlagsFilter(),
    "((dst host 10.77.0.1) and (((tcp dst port 7000) and tcp[tcpflags] & tcp-ece != 0 and " +
      "tcp[tcpflags] & tcp-cwr == 0 and tcp[12] & 1 != 0)))",
  );
});

compileTest("buildFilter: the flags knockd does not know compile in libpcap", () => {
  assertCompiles(unknownFlagsFilter(), false);
});

compileTest("buildFilter: many doors with both families and VLAN compile", () => {
  let conf = "";
  for (let i = 0; i < 50; i++) {
    conf += `[d${i}]\nsequence = ${1000 + i},${2000 + i}:udp,${3000 + i}\ntcpflags = syn,!ack\n`;
  }
  const built = buildFilter(doors(conf), { v4: ["10.0.0.1"], v6: ["fd00::1"] }, { vlan: true });
  assert.equal(built.doors.length, 50);
  assert.ok(built.doors.every((d) => d.expression !== undefined));
  assertCompiles(built.expression, true);
});

Deno.test("buildFilter: the form says how the expression was built", () => {
  assert.equal(buildFilter([], V4).form, "knockd");
  assert.equal(buildFilter(doors("[a]\nsequence = 1,2\n[b]\nsequence = 3\ntarget = x\n"), V4).form, "knockd");
  assert.equal(buildFilter(doors("[a]\nsequence = 1,2\n[b]\nsequence = 3\n"), V4).form, "merged");
});

/** A config of `count` doors with three random ports each (one UDP), like bench/filter_startup.ts. */
function manyDoors(count: number, extra: (i: number) => string = () => "tcpflags = syn\n"): string {
  const rng = createRng(99);
  let conf = "";
  for (let i = 0; i < count; i++) {
    const [a, b, c] = [rng.int(1024, 65535), rng.int(1024, 65535), rng.int(1024, 65535)];
    conf += `[d${i}]\nsequence = ${a},${b}:udp,${c}\n${extra(i)}`;
  }
  return conf;
}

Deno.test("buildFilter: 10,000 doors give a short coarse filter (bounded size, the SYN test and the destinations kept)", () => {
  const addresses = { v4: ["10.0.0.1", "192.168.1.1"], v6: ["fd00::1", "fe80::1"] };
  const all = doors(
    manyDoors(
      10_000,
      (i) => `tcpflags = syn\n${i % 10 === 0 ? `target = 10.0.0.${2 + ((i / 10) % 5)}\n` : ""}`,
    ),
  );
  const built = buildFilter(all, addresses, { vlan: true });
  assert.equal(built.form, "coarse");
  // Twice (VLAN) a bounded expression, whatever the number of doors; knockd's form is ~4 MB here.
  assert.ok(built.expression.length < 10_000, `${built.expression.length} characters`);
  // Every door tests SYN: the coarse filter keeps that test; the destinations are listed.
  assert.ok(built.expression.includes("((tcp[tcpflags] & tcp-syn != 0) or (ip6[53] & tcp-syn != 0))"));
  const hosts = "10.0.0.2 10.0.0.1 192.168.1.1 10.0.0.3 10.0.0.4 10.0.0.5 10.0.0.6 fd00::1 fe80::1";
  assert.ok(
    built.expression.startsWith(`((${hosts.split(" ").map((h) => `dst host ${h}`).join(" or ")}) and `),
    built.expression,
  );
  assert.equal(built.doors.length, 10_000);
  assert.match(built.doors[1]!.expression!, /^\(\(dst host 10\.0\.0\.1 or dst host 192\.168\.1\.1\) and /);
});

Deno.test({
  name: "buildFilter: 10,000 doors compile to under 1,024 BPF instructions on every link type",
  ignore: libpcapMissing !== undefined,
  fn() {
    const addresses = { v4: ["10.0.0.1"], v6: ["fd00::1"] };
    const all = doors(manyDoors(10_000));
    for (const linktype of [1, 12, 113, 276]) {
      using dead = PcapHandle.openDead(linktype);
      const options = linktype === 1 ? { vlan: true } : {};
      const instructions = dead.compileProgram(buildFilter(all, addresses, options).expression).length / 8;
      // The kernel refuses socket filters over 4,096 instructions (libpcap then filters in user space).
      assert.ok(instructions < 1024, `linktype ${linktype}: ${instructions} BPF instructions`);
    }
  },
});

Deno.test("buildFilter: coarse with many destinations and mixed flags passes to any address, tests no flag", () => {
  const conf = manyDoors(
    200,
    (i) => `target = 10.1.${i >> 8}.${i & 255}\n${i === 7 ? "tcpflags = fin\n" : ""}`,
  );
  const built = buildFilter(doors(conf), V4);
  assert.equal(built.form, "coarse");
  assert.ok(built.expression.startsWith("((ip) and ((tcp dst port"), built.expression);
  assert.ok(!built.expression.includes("tcpflags"), built.expression);
  assertCompiles(built.expression, false);
});

Deno.test("addressFamily: literals only", () => {
  assert.equal(addressFamily("10.0.0.1"), 4);
  assert.equal(addressFamily("fd77::1"), 6);
  assert.equal(addressFamily("::ffff:10.0.0.1"), 6);
  assert.equal(addressFamily("10.0.0.256"), undefined);
  assert.equal(addressFamily("example.com"), undefined);
  assert.equal(addressFamily(""), undefined);
});
