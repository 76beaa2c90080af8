/**
 * core/nft: the element command of an opening, nft durations, the JSON listings, and the check of a
 * config's sets with the commands that fix each problem.
 */
import assert from "node:assert/strict";
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../../../core/config/mod.ts";
import {
  addElementsCommand,
  checkNftSets,
  fixCommands,
  nftDuration,
  nftElement,
  nftRequirements,
  type NftRuleset,
  parseNftListing,
  problemText,
  requirementKey,
  sampleElement,
} from "../../../core/nft/mod.ts";

Deno.test("nftDuration: units nft 1.0 takes (at most 8 digits each)", () => {
  assert.equal(nftDuration(30_000), "30s");
  assert.equal(nftDuration(5_400_000), "1h30m");
  assert.equal(nftDuration(2500), "2s500ms");
  assert.equal(nftDuration(1), "1ms");
  assert.equal(nftDuration(0.4), "1ms");
  assert.equal(nftDuration(31_536_000_000), "365d");
  assert.equal(nftDuration(100_000_000), "1d3h46m40s");
});

Deno.test("addElementsCommand: add, delete, add again with the timeout, in one transaction", () => {
  const ref = { family: "inet", table: "filter", set: "k4" } as const;
  assert.equal(
    addElementsCommand(ref, [nftElement("192.0.2.7")], 30_000),
    "add element inet filter k4 { 192.0.2.7 timeout 30s }\n" +
      "delete element inet filter k4 { 192.0.2.7 }\n" +
      "add element inet filter k4 { 192.0.2.7 timeout 30s }\n",
  );
  assert.equal(
    addElementsCommand(
      { ...ref, family: "ip6" },
      [nftElement("fd00::2", 22), nftElement("fd00::2", 443)],
      1500,
    ),
    "add element ip6 filter k4 { fd00::2 . 22 timeout 1s500ms, fd00::2 . 443 timeout 1s500ms }\n" +
      "delete element ip6 filter k4 { fd00::2 . 22, fd00::2 . 443 }\n" +
      "add element ip6 filter k4 { fd00::2 . 22 timeout 1s500ms, fd00::2 . 443 timeout 1s500ms }\n",
  );
});

Deno.test("parseNftListing: libnftables' JSON (type as a string or a concatenation, flags absent or listed)", () => {
  const tables = JSON.stringify({
    nftables: [{ metainfo: { version: "1.0.6" } }, { table: { family: "inet", name: "filter", handle: 1 } }],
  });
  const sets = JSON.stringify({
    nftables: [
      { metainfo: {} },
      { set: { family: "inet", name: "a", table: "filter", type: "ipv4_addr", flags: ["timeout"] } },
      { set: { family: "inet", name: "b", table: "filter", type: ["ipv4_addr", "inet_service"] } },
    ],
  });
  assert.deepEqual(parseNftListing(tables, sets), {
    ok: true,
    ruleset: {
      tables: [{ family: "inet", name: "filter" }],
      sets: [
        { family: "inet", table: "filter", name: "a", type: ["ipv4_addr"], flags: ["timeout"] },
        { family: "inet", table: "filter", name: "b", type: ["ipv4_addr", "inet_service"], flags: [] },
      ],
    },
  });
  const empty = parseNftListing('{"nftables": [{"metainfo": {}}]}', '{"nftables": [{"metainfo": {}}]}');
  assert.deepEqual(empty, { ok: true, ruleset: { tables: [], sets: [] } });
  const bad = parseNftListing("not json", "{}");
  assert.ok(!bad.ok);
  assert.match(bad.reason, /^libnftables' JSON listing is not readable: /);
  assert.equal(parseNftListing("{}", "{}").ok, false);
});

const CONFIG = `[ssh]
sequence = 1,2
Nft_Set = inet filter k4
Nft_Set_6 = inet filter k6
Nft_Timeout = 30
[web]
sequence = 3,4
Nft_Set = inet filter ports4
Nft_Port = 80,443
cmd_timeout = 9
[plain]
sequence = 5,6
start_command = true
`;

const requirements = nftRequirements(parseConfig(CONFIG, { extensions: KNOCKTOOL_EXTENSIONS }).config);

function ruleset(sets: NftRuleset["sets"], tables = [{ family: "inet", name: "filter" }]): NftRuleset {
  return { tables, sets };
}

const set = (name: string, type: string[], flags = ["timeout"]) => ({
  family: "inet",
  table: "filter",
  name,
  type,
  flags,
});

Deno.test("nftRequirements: one per door and directive, with the key type and the directive's place", () => {
  assert.deepEqual(
    requirements.map((
      r,
    ) => [r.door, r.addressFamily, r.ref.set, r.keyType.join(" . "), r.directive.span.line]),
    [
      ["ssh", 4, "k4", "ipv4_addr", 3],
      ["ssh", 6, "k6", "ipv6_addr", 4],
      ["web", 4, "ports4", "ipv4_addr . inet_service", 8],
    ],
  );
  assert.deepEqual(sampleElement(requirements[1]!), { address: "2001:db8::1" });
  assert.deepEqual(sampleElement(requirements[2]!), { address: "192.0.2.1", port: 80 });
  assert.equal(requirementKey(requirements[2]!), "inet filter ports4 4 80,443");
});

Deno.test("checkNftSets: every set as the doors need it: no problem", () => {
  const good = ruleset([
    set("k4", ["ipv4_addr"]),
    set("k6", ["ipv6_addr"], ["timeout", "interval"]),
    set("ports4", ["ipv4_addr", "inet_service"], ["dynamic", "timeout"]),
  ]);
  assert.deepEqual(checkNftSets(requirements, good), []);
});

Deno.test("checkNftSets: a missing table, a missing set: the commands that create them, each once", () => {
  const noTable = checkNftSets(requirements, ruleset([], []));
  assert.deepEqual(noTable.map((p) => [p.kind, p.message]), [
    ["missing", 'Door "ssh" adds to nftables set inet filter k4, but table inet filter does not exist'],
    ["missing", 'Door "ssh" adds to nftables set inet filter k6, but table inet filter does not exist'],
    ["missing", 'Door "web" adds to nftables set inet filter ports4, but table inet filter does not exist'],
  ]);
  assert.deepEqual(fixCommands(noTable), [
    "nft add table inet filter",
    "nft add set inet filter k4 '{ type ipv4_addr; flags timeout; }'",
    "nft add set inet filter k6 '{ type ipv6_addr; flags timeout; }'",
    "nft add set inet filter ports4 '{ type ipv4_addr . inet_service; flags timeout; }'",
  ]);
  const noSet = checkNftSets(
    requirements,
    ruleset([set("k4", ["ipv4_addr"]), set("ports4", ["ipv4_addr", "inet_service"])]),
  );
  assert.deepEqual(noSet.map(problemText), [
    'Door "ssh" adds to nftables set inet filter k6, which does not exist; create it with: ' +
    "nft add set inet filter k6 '{ type ipv6_addr; flags timeout; }'",
  ]);
  // A table of the same name in another family is not the door's.
  assert.equal(
    checkNftSets(requirements, ruleset([], [{ family: "ip", name: "filter" }]))[0]?.kind,
    "missing",
  );
});

Deno.test("checkNftSets: wrong type, no timeout flag, constant: recreate; a refused trial: nft's reason", () => {
  const problems = checkNftSets(
    requirements,
    ruleset([
      set("k4", ["ipv4_addr", "inet_service"]),
      set("k6", ["ipv6_addr"], []),
      set("ports4", ["ipv4_addr"]),
    ]),
  );
  assert.deepEqual(problems.map((p) => [p.kind, p.message]), [
    [
      "mismatch",
      'Door "ssh" adds to nftables set inet filter k4, whose type is ipv4_addr . inet_service, not ipv4_addr (a door adds ADDRESS . PORT elements only with Nft_Port)',
    ],
    [
      "mismatch",
      'Door "ssh" adds to nftables set inet filter k6, which has no "timeout" flag, so its elements cannot expire by themselves',
    ],
    [
      "mismatch",
      'Door "web" adds to nftables set inet filter ports4, whose type is ipv4_addr, not ipv4_addr . inet_service (Nft_Port = 80,443 makes ADDRESS . PORT elements)',
    ],
  ]);
  assert.equal(
    problemText(problems[1]!),
    `${problems[1]!.message}; recreate it (once the rules that use it are deleted) with: ` +
      "nft delete set inet filter k6; nft add set inet filter k6 '{ type ipv6_addr; flags timeout; }'",
  );
  const constant = checkNftSets(
    requirements.slice(0, 1),
    ruleset([set("k4", ["ipv4_addr"], ["constant", "timeout"])]),
  );
  assert.equal(
    constant[0]?.message,
    'Door "ssh" adds to nftables set inet filter k4, which is constant: no element can be added to it',
  );
  const good = ruleset([set("k4", ["ipv4_addr"])]);
  const refused = checkNftSets(
    requirements.slice(0, 1),
    good,
    new Map([[requirementKey(requirements[0]!), "syntax error"]]),
  );
  assert.deepEqual(refused.map((p) => [p.kind, problemText(p)]), [[
    "mismatch",
    'Door "ssh" adds to nftables set inet filter k4, but libnftables refuses the door\'s element command: syntax error',
  ]]);
});
