// Differential test against the real knockd 0.8 (Debian package `knockd`),
// skipped when /usr/sbin/knockd is not installed. Each config is written to a
// temporary file and given to `knockd -D -c FILE -i <missing interface>`:
// knockd parses the config, prints what it understood (-D), and then fails to
// open the interface (accepted) or prints its config error (rejected).
import assert from "node:assert/strict";
import { parseConfig, parseOneTimeSequences } from "../../../core/config/mod.ts";
import { seededRandom } from "../_random.ts";

const KNOCKD = "/usr/sbin/knockd";
const available = (() => {
  try {
    return Deno.statSync(KNOCKD).isFile;
  } catch {
    return false;
  }
})();

const PIECES = [
  "\n",
  "\r\n",
  "=",
  ",",
  ":",
  "[",
  "]",
  "#",
  " ",
  "\t",
  "!",
  "0",
  "9",
  "-",
  "udp",
  "tcp",
  "x",
  "[options]\n",
  "[]\n",
  "sequence=",
  "tcpflags=",
  "UseSyslog\n",
  "timeout=",
  ", ack",
  "70000",
];

function mutate(text: string, rand: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * (s.length + 1));
    const piece = PIECES[Math.floor(rand() * PIECES.length)]!;
    const kind = rand();
    if (kind < 0.45) s = s.slice(0, at) + piece + s.slice(at);
    else if (kind < 0.8) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 6));
    else s = s.slice(0, at) + piece + s.slice(at + piece.length);
  }
  return s;
}

interface KnockdView {
  /** First config error line, or undefined when knockd accepted the file. */
  readonly error?: string;
  /** Per door (in order): the last sequence and seq_timeout knockd printed. */
  readonly doors: { sequence?: string; seqTimeout?: string }[];
  /** knockd could not open a file the config names (perror), so it stopped there. */
  readonly missingFile?: string;
}

/** What `knockd -D` prints (stdout, then stderr) for the config at `path`, given a missing interface. */
async function knockdDebugOutput(path: string): Promise<string> {
  const out = await new Deno.Command(KNOCKD, {
    args: ["-D", "-c", path, "-i", "kt-nonexistent0"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
}

async function runKnockd(path: string): Promise<KnockdView> {
  const text = await knockdDebugOutput(path);
  const doors: { sequence?: string; seqTimeout?: string }[] = [];
  let error: string | undefined;
  let inOptions = false;
  for (const line of text.split("\n")) {
    const perror =
      /^(.+): (No such file or directory|Is a directory|Not a directory|Permission denied|File name too long)$/
        .exec(line);
    if (perror && !line.startsWith("warning: ")) return { doors, missingFile: perror[1]! };
    const section = /^config: new section: '(.*)'$/.exec(line);
    if (section) {
      inOptions = section[1] === "options";
      if (!inOptions) doors.push({});
      continue;
    }
    const seq = /^config: .*: sequence: (.*)$/.exec(line);
    if (seq && !inOptions && doors.length > 0) doors[doors.length - 1]!.sequence = seq[1]!;
    const timeout = /^config: .*: seq_timeout: (.*)$/.exec(line);
    if (timeout && !inOptions && doors.length > 0) doors[doors.length - 1]!.seqTimeout = timeout[1]!;
    if (error === undefined && /^(config: (line \d+|section .*): |error: section ')/.test(line)) error = line;
  }
  assert.ok(
    error !== undefined || text.includes("could not open kt-nonexistent0"),
    `knockd neither failed on the config nor reached the interface:\n${text}`,
  );
  return error === undefined ? { doors } : { error, doors };
}

Deno.test({
  name: "differential: 300 mutated configs give knockd's verdict, first message and values",
  ignore: !available,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "kt-config-diff-" });
    try {
      const otp = `${dir}/otp`;
      await Deno.writeTextFile(otp, " 1111,2222\n");
      const base = (await Deno.readTextFile(new URL("../../testdata/config/example.conf", import.meta.url)))
        .replace("/etc/knockd/otp_sequences", otp);
      const rand = seededRandom(2024);
      let rejectedCount = 0;
      let missing = 0;
      for (let i = 0; i < 300; i++) {
        const text = i === 0 ? base : mutate(base, rand);
        const path = `${dir}/knockd.conf`;
        await Deno.writeTextFile(path, text);
        const theirs = await runKnockd(path);
        const ours = parseConfig(text);
        const where = `config #${i}:\n${text}`;
        if (theirs.missingFile !== undefined) {
          // A mutated One_Time_Sequences path: opening files is the caller's job, not the parser's.
          assert.ok(ours.config.doors.some((d) => d.oneTimeSequences?.value === theirs.missingFile), where);
          missing++;
          continue;
        }
        // knockd stops at the first error in reading order; the empty-sequence check runs last.
        const inReadingOrder = ours.diagnostics
          .filter((d) => d.code !== "KT009")
          .sort((a, b) => a.span!.offset - b.span!.offset);
        const first = inReadingOrder[0] ?? ours.diagnostics[0];
        assert.equal(first?.knockd, theirs.error, where);
        assert.equal(ours.ok, theirs.error === undefined, where);
        if (!ours.ok) {
          rejectedCount++;
          continue;
        }
        // One-time-sequence doors get their sequence from the file, which knockd loaded.
        const sequences = ours.config.doors.map((d) =>
          d.sequenceSource === "one_time_sequences"
            ? "1111:tcp,2222:tcp"
            : d.sequence.map((s) => `${s.port}:${s.protocol}`).join(",")
        );
        assert.deepEqual(sequences, theirs.doors.map((d) => d.sequence), where);
        assert.deepEqual(
          ours.config.doors.map((d) => d.seqTimeout.span ? String(d.seqTimeout.value) : undefined),
          theirs.doors.map((d) => d.seqTimeout),
          where,
        );
      }
      // The mutations must exercise both outcomes.
      assert.ok(rejectedCount > 30 && rejectedCount < 270, `rejected ${rejectedCount}`);
      assert.ok(missing < 30, `missing one-time file in ${missing} cases`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "differential: knockd picks the same current one-time sequence and prints the same skip messages",
  ignore: !available,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "kt-otp-diff-" });
    try {
      const files = [
        " 1111,2222\n3333\n",
        "# used\n\n\t#also used\n70000,1\n1:icmp\n 5555:udp,6666\n",
        "\r\n  7,8:UDP , 9 \r\n",
        `${"1,".repeat(40)}\n${"x".repeat(5000)}\n`,
        "abc,-1\n",
        "#" + "x".repeat(4094) + "4444,5555\n",
      ];
      const rand = seededRandom(5);
      for (let i = 0; i < 60; i++) files.push(mutate(" 1111,2222:udp\n3333,4444\n", rand));
      for (const [i, content] of files.entries()) {
        const otp = `${dir}/otp`;
        await Deno.writeTextFile(otp, content);
        const path = `${dir}/knockd.conf`;
        await Deno.writeTextFile(path, `[door]\none_time_sequences = ${otp}\n`);
        const text = await knockdDebugOutput(path);
        const chosen = /^new sequence for door door: (.*)$/m.exec(text)?.[1];
        const skipped = text.split("\n").filter((l) => l.startsWith("config: section door: "));
        const ours = parseOneTimeSequences(content, { door: "door" });
        const where = `file #${i}: ${JSON.stringify(content)}\n${text}`;
        assert.equal(ours.current?.steps.map((s) => `${s.port}:${s.protocol}`).join(","), chosen, where);
        // knockd stops reading at the first valid line: compare the messages of the lines before it.
        const before = ours.diagnostics.filter((d) =>
          ours.current === undefined || d.span!.offset < ours.current.span.offset
        );
        // knockd prints one message per skipped line (its first problem); we report them all.
        const firstPerLine = before.filter((d, k) => k === 0 || before[k - 1]!.span!.line !== d.span!.line);
        assert.deepEqual(firstPerLine.map((d) => d.knockd), skipped, where);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
