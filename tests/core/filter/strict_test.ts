/**
 * The capture filter of strict doors (`Strict = yes`): the expression, that it compiles in libpcap on every
 * link type serve supports, and which packets it passes, checked by running `tcpdump -r` with it over a
 * capture written with `core/packet`.
 */
import assert from "node:assert/strict";
import { errorMessage } from "../../../core/error_message.ts";
import { KNOCKTOOL_EXTENSIONS, parseConfig } from "../../../core/config/mod.ts";
import { buildFilter, STRICT_IPV4 } from "../../../core/filter/mod.ts";
import {
  buildPacket,
  createRng,
  encodeEthernet,
  encodePcap,
  ETHERTYPE,
  LINKTYPE,
  type PcapPacket,
} from "../../../core/packet/mod.ts";
import { compileCheck } from "../../../ffi/mod.ts";

function doors(text: string) {
  const { config, ok, diagnostics } = parseConfig(text, { extensions: KNOCKTOOL_EXTENSIONS });
  assert.ok(ok, JSON.stringify(diagnostics));
  return config.doors;
}

let libpcapMissing: string | undefined;
try {
  compileCheck("tcp");
} catch (error) {
  libpcapMissing = errorMessage(error);
}
const tcpdump = await new Deno.Command("tcpdump", { args: ["--version"], stdout: "null", stderr: "null" })
  .output().then((o) => o.success, () => false);

function assertCompiles(expression: string, linktypes: readonly number[] = [1, 12, 113, 276]): void {
  for (const linktype of linktypes) {
    assert.deepEqual(compileCheck(expression, linktype), { ok: true }, `linktype ${linktype}: ${expression}`);
  }
}

const ADDR = { v4: ["10.77.0.1"], v6: ["fd77::1"] };
const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;

Deno.test({
  name: "strict filter: every SYN without ACK and every UDP datagram to the door's addresses; compiles",
  ignore: libpcapMissing !== undefined,
  fn() {
    const built = buildFilter(
      doors("[s]\nsequence = 7000,8000:udp,9000\ntcpflags = syn\nstrict = yes\n"),
      ADDR,
    );
    assert.equal(
      built.expression,
      "((dst host 10.77.0.1) and (((tcp dst port 7000 or 9000) and tcp[tcpflags] & tcp-syn != 0) or " +
        `${STRICT_IPV4})) or ((dst host fd77::1) and (tcp or udp or (ip6[6] != 6 and ip6[6] != 17 and ip6[6] != 58)))`,
    );
    assertCompiles(built.expression);
    const vlan = buildFilter(doors("[s]\nsequence = 7000,8000\nstrict = yes\n"), ADDR, { vlan: true });
    assertCompiles(vlan.expression, [1]);
    // A door with a Target: only its address; a UDP-only door has no own TCP part.
    const target = buildFilter(
      doors("[s]\nsequence = 1:udp,2:udp\nstrict = yes\ntarget = 10.77.0.9\n"),
      ADDR,
    );
    assert.equal(target.expression, `((dst host 10.77.0.9) and (${STRICT_IPV4}))`);
    assertCompiles(target.expression);
  },
});

Deno.test("strict filter: without Strict (or Strict = no) the filter is knockd's, byte for byte", () => {
  const plain = "[d]\nsequence = 7000,8000,9000\ntcpflags = syn\n";
  const expected = buildFilter(doors(plain), ADDR).expression;
  assert.equal(buildFilter(doors(plain + "strict = no\ncooldown = 5\n"), ADDR).expression, expected);
  assert.equal(
    buildFilter(doors(plain), { v4: ["10.77.0.1"], v6: [] }).expression,
    "((dst host 10.77.0.1) and (((tcp dst port 7000 or 8000 or 9000) and tcp[tcpflags] & tcp-syn != 0)))",
  );
});

/** An Ethernet frame of one packet. */
function frame(dst: string, port: string, flags: number, i: number): PcapPacket {
  const [p, proto] = port.split(":");
  const src = dst.includes(":") ? "fd77::2" : "10.77.0.2";
  const ip = buildPacket({
    src,
    dst,
    transport: proto === "udp"
      ? { protocol: "udp", sport: 40000 + i, dport: Number(p) }
      : { protocol: "tcp", sport: 40000 + i, dport: Number(p), flags, seq: 1000 + i },
  }, createRng(i));
  const data = encodeEthernet({
    dst: new Uint8Array([2, 0, 0, 0, 0, 1]),
    src: new Uint8Array([2, 0, 0, 0, 0, 2]),
    etherType: dst.includes(":") ? ETHERTYPE.ipv6 : ETHERTYPE.ipv4,
  }, ip);
  return { timeMs: 1_800_000_000_000 + i, data };
}

Deno.test({
  name:
    "strict filter passes scan SYNs and UDP to any port of its addresses, not ACKs or other hosts (tcpdump)",
  ignore: libpcapMissing !== undefined || !tcpdump,
  async fn() {
    const packets: [string, string, number, boolean][] = [
      // [dst, port, flags, passes the strict filter]
      ["10.77.0.1", "7000", SYN, true],
      ["10.77.0.1", "1234", SYN, true],
      ["10.77.0.1", "1234", SYN | FIN, true],
      ["10.77.0.1", "1234", SYN | ACK, false],
      ["10.77.0.1", "22", ACK, false],
      ["10.77.0.1", "53:udp", 0, true],
      ["10.77.0.5", "1234", SYN, false],
      ["10.77.0.5", "53:udp", 0, false],
      ["fd77::1", "1234", SYN, true],
      ["fd77::1", "53:udp", 0, true],
      ["fd77::5", "1234", SYN, false],
    ];
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/c.pcap`;
      await Deno.writeFile(
        file,
        encodePcap(packets.map(([dst, port, flags], i) => frame(dst, port, flags, i)), {
          linkType: LINKTYPE.ethernet,
        }),
      );
      const count = async (expression: string): Promise<string[]> => {
        const out = await new Deno.Command("tcpdump", {
          args: ["-nn", "-q", "-r", file, expression],
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.ok(out.success, new TextDecoder().decode(out.stderr));
        return new TextDecoder().decode(out.stdout).split("\n").filter((l) => l !== "");
      };
      const strict = buildFilter(
        doors("[s]\nsequence = 7000,8000,9000\ntcpflags = syn\nstrict = yes\n"),
        ADDR,
      );
      const passed = await count(strict.expression);
      assert.equal(passed.length, packets.filter((p) => p[3]).length, passed.join("\n"));
      const plain = buildFilter(doors("[s]\nsequence = 7000,8000,9000\ntcpflags = syn\n"), ADDR);
      // knockd's filter: only the SYN to 7000 (IPv4) … and in IPv6 (port-only filter) no sequence port.
      assert.equal((await count(plain.expression)).length, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
