import assert from "node:assert/strict";
import { decodeFrame, type DecodeResult, LinkType } from "../../../core/decode/mod.ts";
import { ahHeader, cat, ethernet, extHeader, fragHeader, ipv4, ipv6, tcp, udp } from "./_frames.ts";
import { T, validFrames } from "./_matrix.ts";
import { seededRandom } from "../_random.ts";

const extraFrames = [
  {
    name: "IPv6 with every extension header",
    linktype: LinkType.ETHERNET,
    frame: ethernet(
      0x86dd,
      ipv6(
        cat(
          extHeader(60),
          extHeader(43, 1),
          extHeader(44, 2),
          fragHeader(51, 0, true),
          ahHeader(60),
          extHeader(6),
          tcp(),
        ),
        { next: 0 },
      ),
    ),
  },
  {
    name: "IPv4 with options and TCP options, QinQ",
    linktype: LinkType.ETHERNET,
    frame: ethernet(0x0800, ipv4(tcp({ dataOffset: 8, payload: [1, 2, 3] }), { optionWords: 3 }), [[
      0x88a8,
      1,
    ], [
      0x8100,
      2,
    ]]),
  },
  {
    name: "IPv6 UDP after hop-by-hop",
    linktype: LinkType.RAW,
    frame: ipv6(cat(extHeader(17, 2), udp()), { next: 0 }),
  },
];

function assertWellFormed(result: DecodeResult, context: string): void {
  if (result.ok) {
    const k = result.knock;
    assert.ok(k.family === 4 || k.family === 6, context);
    assert.ok(k.protocol === "tcp" || k.protocol === "udp", context);
    assert.ok(Number.isInteger(k.sport) && k.sport >= 0 && k.sport <= 0xffff, context);
    assert.ok(Number.isInteger(k.dport) && k.dport >= 0 && k.dport <= 0xffff, context);
    assert.ok(Number.isInteger(k.flags) && k.flags >= 0 && k.flags <= 0x1ff, context);
    assert.ok(Number.isInteger(k.seq) && k.seq >= 0 && k.seq <= 0xffffffff, context);
    assert.equal(typeof k.src, "string", context);
  } else {
    assert.match(result.reason, /^[a-z0-9-]+$/, context);
  }
}

Deno.test("decodeFrame() on every truncation of every valid frame never throws and never lies", () => {
  let checked = 0;
  for (const { name, linktype, frame } of [...validFrames, ...extraFrames]) {
    const full = decodeFrame(linktype, frame, T);
    assert.ok(full.ok, name);
    for (let n = 0; n < frame.length; n++) {
      const result = decodeFrame(linktype, frame.subarray(0, n), T);
      const context = `${name} cut at ${n}/${frame.length}`;
      assertWellFormed(result, context);
      // A cut frame may still decode (TCP payload or options cut by the snaplen) but then to the same knock.
      if (result.ok) assert.deepEqual(result.knock, full.knock, context);
      checked++;
    }
  }
  assert.ok(checked > 2000, `checked ${checked}`);
});

Deno.test("decodeFrame() cut before the end of the transport header reports not-ok", () => {
  for (const { name, linktype, frame, knock } of validFrames) {
    // Every matrix frame ends with a bare TCP (20) or UDP header (8) plus a 2-byte UDP payload.
    const l4End = frame.length - (knock.protocol === "tcp" ? 0 : 2);
    for (let n = 0; n < l4End; n++) {
      assert.equal(decodeFrame(linktype, frame.subarray(0, n), T).ok, false, `${name} cut at ${n}`);
    }
  }
});

Deno.test("decodeFrame() survives 100k random and mutated frames quickly", () => {
  const random = seededRandom(0x5eed);
  const linktypes = [1, 12, 14, 101, 113, 228, 229, 276, 0, 105];
  const seeds = [...validFrames, ...extraFrames].map((f) => f);
  let okCount = 0;
  const reasons = new Set<string>();
  const started = performance.now();
  for (let i = 0; i < 100_000; i++) {
    let linktype: number;
    let frame: Uint8Array;
    if (i % 2 === 0) {
      // Pure noise, biased so the first nibble is often 4 or 6 and ethertypes often IP.
      linktype = linktypes[Math.floor(random() * linktypes.length)]!;
      frame = new Uint8Array(Math.floor(random() * 120));
      for (let j = 0; j < frame.length; j++) frame[j] = Math.floor(random() * 256);
      if (frame.length > 0 && random() < 0.5) frame[0] = random() < 0.5 ? 0x45 : 0x60;
      if (frame.length > 13 && random() < 0.5) frame.set(random() < 0.5 ? [0x08, 0x00] : [0x86, 0xdd], 12);
    } else {
      // A valid frame with a few bytes changed and sometimes cut.
      const seed = seeds[Math.floor(random() * seeds.length)]!;
      linktype = seed.linktype;
      frame = seed.frame.slice(0, random() < 0.3 ? Math.floor(random() * seed.frame.length) : undefined);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips && frame.length > 0; f++) {
        frame[Math.floor(random() * frame.length)] = Math.floor(random() * 256);
      }
    }
    const result = decodeFrame(linktype, frame, T);
    if (result.ok) okCount++;
    else reasons.add(result.reason);
    if (i % 97 === 0) assertWellFormed(result, `iteration ${i}`);
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2000, `took ${elapsed.toFixed(0)} ms`);
  // The mutations must reach the deep paths, not just bounce off the link layer.
  assert.ok(okCount > 5_000, `only ${okCount} frames decoded`);
  for (const r of ["not-ip", "truncated-ipv4", "not-tcp-udp", "fragment-not-first", "tcp-bad-data-offset"]) {
    assert.ok(reasons.has(r), `reason "${r}" never seen; saw ${[...reasons].join(", ")}`);
  }
});
