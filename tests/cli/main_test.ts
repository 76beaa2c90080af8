/**
 * The `knocktool` program in-process: help, version, completions and usage errors.
 */
import assert from "node:assert/strict";
import { VERSION } from "../../cli/version.ts";
import { assertGolden } from "../_golden.ts";
import { runCli } from "./_io.ts";

Deno.test("knocktool --version prints the name and the version from deno.json", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.equal(VERSION, denoJson.version);
  const r = await runCli(["--version"]);
  assert.deepEqual(r, { code: 0, stdout: `knocktool ${denoJson.version}\n`, stderr: "" });
});

Deno.test("knocktool --help lists the lint subcommand", async () => {
  const r = await runCli(["--help"]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "");
  assert.match(r.stdout, /^Usage: knocktool /m);
  assert.match(r.stdout, /^\s+lint\s+Check knockd\.conf files for mistakes\.$/m);
  await assertGolden("help", r.stdout);
});

Deno.test("knocktool lint --help and knocktool help lint describe lint's options", async () => {
  const r = await runCli(["lint", "--help"]);
  assert.equal(r.code, 0);
  for (const text of ["--format FORMAT", "--strict", "--explain CODE", "FILE", "Exit status"]) {
    assert.ok(r.stdout.includes(text), `lint --help lacks ${text}:\n${r.stdout}`);
  }
  await assertGolden("lint_help", r.stdout);
  const viaHelp = await runCli(["help", "lint"]);
  assert.equal(viaHelp.code, 0);
  assert.equal(viaHelp.stdout, r.stdout);
});

for (const shell of ["bash", "zsh", "fish"]) {
  Deno.test(`knocktool completion ${shell} prints a script, and its callback completes lint`, async () => {
    const r = await runCli(["completion", shell]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.length > 200, `script too short: ${r.stdout}`);
    assert.ok(r.stdout.includes("knocktool"), "script does not mention knocktool");
    // The scripts are generic and call back `knocktool completion <shell> <words...>`,
    // so "lint" appears in what that callback suggests, not in the script itself.
    assert.ok(r.stdout.includes("completion"), "script does not call back knocktool completion");
    const words = await runCli(["completion", shell, "l"]);
    assert.equal(words.code, 0, words.stderr);
    assert.match(words.stdout, /\blint\b/);
    const formats = await runCli(["completion", shell, "lint", "--format", ""]);
    for (const f of ["human", "json", "sarif"]) assert.match(formats.stdout, new RegExp(`\\b${f}\\b`));
  });
}

Deno.test("an unknown subcommand exits 2 with a did-you-mean suggestion", async () => {
  const r = await runCli(["lnt", "x.conf"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /Unexpected option or subcommand: `lnt`/);
  assert.match(r.stderr, /Did you mean `lint`\?/);
});

Deno.test("an unknown option exits 2 with a did-you-mean suggestion and only that command's usage", async () => {
  const cases = [
    { args: ["lint", "--frmat", "json", "x.conf"], typo: "--frmat", hint: /Did you mean `--format`\?/ },
    { args: ["knock", "--dealy", "5", "h", "1"], typo: "--dealy", hint: /`--delay`/ },
    { args: ["serve", "--confg", "x"], typo: "--confg", hint: /Did you mean `--config`\?/ },
    { args: ["craft", "--dprot", "7000"], typo: "--dprot", hint: /`--dport`/ },
  ];
  for (const { args, typo, hint } of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.stdout, "");
    assert.match(r.stderr, new RegExp(`Unexpected option or argument: "${typo}"`));
    assert.match(r.stderr, hint);
    const command = args[0]!;
    assert.match(r.stderr, new RegExp(`knocktool ${command} `), "shows the command's usage");
    for (const other of ["lint", "knock", "serve", "craft"].filter((c) => c !== command)) {
      assert.doesNotMatch(r.stderr, new RegExp(`knocktool ${other} `), `${command}: no usage of ${other}`);
    }
  }
});

Deno.test("a bad --format value and a missing subcommand exit 2", async () => {
  const bad = await runCli(["lint", "--format", "xml", "x.conf"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Expected one of "human", "json", and "sarif", but got\s+"xml"/);
  const none = await runCli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: knocktool/);
});

Deno.test("lint without FILE exits 2 with a usage message", async () => {
  const r = await runCli(["lint"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /Expected at least one FILE/);
});

Deno.test("help output is coloured only on a terminal without NO_COLOR", async () => {
  const tty = await runCli(["lint", "--help"], { stdoutIsTerminal: true });
  assert.ok(tty.stdout.includes("\x1b["), "no colour on a terminal");
  const noColor = await runCli(["lint", "--help"], { stdoutIsTerminal: true, env: { NO_COLOR: "1" } });
  assert.ok(!noColor.stdout.includes("\x1b["), "colour despite NO_COLOR");
});

Deno.test("-h is --help and -V is --version, as knock and knockd users type them", async () => {
  const version = `knocktool ${VERSION}\n`;
  for (const args of [["-V"], ["knock", "-V"], ["lint", "-V"]]) {
    assert.deepEqual(await runCli(args), { code: 0, stdout: version, stderr: "" }, args.join(" "));
  }
  for (const command of [[], ["knock"], ["lint"], ["craft"]]) {
    const short = await runCli([...command, "-h"]);
    const long = await runCli([...command, "--help"]);
    assert.equal(short.code, 0, `${command.join(" ")} -h: ${short.stderr}`);
    assert.equal(short.stderr, "");
    assert.match(short.stdout, /Usage: knocktool/);
    assert.equal(short.stdout, long.stdout, `${command.join(" ")} -h is --help`);
  }
  // craft leaves -V alone (hping3's verbose); serve keeps its knockd-style -h and -V.
  const craftV = await runCli(["craft", "-V"]);
  assert.equal(craftV.code, 2);
  const serveH = await runCli(["serve", "-h"]);
  assert.equal(serveH.code, 0);
  assert.match(serveH.stdout, /^Usage: knocktool serve \[options\]\nOptions:\n/);
  assert.deepEqual(await runCli(["serve", "-V"]), { code: 0, stdout: version, stderr: "" });
});

Deno.test("knocktool knock --help points to knock --spa, whose own help lists its options", async () => {
  const knock = await runCli(["knock", "--help"]);
  assert.equal(knock.code, 0);
  assert.match(
    knock.stdout.replace(/\s+/g, " "),
    /With "--spa" PROFILE .* "knocktool knock --spa PROFILE --help" lists them/,
  );
  const spa = await runCli(["knock", "--spa", "PROFILE", "--help"]);
  assert.equal(spa.code, 0);
  for (
    const text of ["--spa PROFILE", "--uri URI", "--user-key FILE", "-a, --address ADDR", "--duration S"]
  ) {
    assert.ok(spa.stdout.includes(text), `knock --spa --help lacks ${text}:\n${spa.stdout}`);
  }
});

Deno.test("knocktool help with an unknown topic is a usage error (exit 2), not the general help", async () => {
  const r = await runCli(["help", "nonexist"]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^Error: No help topic "nonexist": the commands are lint, knock, serve, craft/);
  for (const topic of ["lint", "knock", "serve", "craft", "completion", "help"]) {
    const ok = await runCli(["help", topic]);
    assert.equal(ok.code, 0, `help ${topic}: ${ok.stderr}`);
    assert.match(ok.stdout, /Usage: knocktool/);
  }
});

Deno.test("a mistyped option prints the error, the command's one-line usage and where its help is", async () => {
  const cases: [string[], string][] = [
    [["knock", "--dealy", "5", "h", "1"], "Usage: knocktool knock [OPTIONS] HOST [PORT[:PROTO]...]"],
    [["lint", "--frmat", "json", "x.conf"], "Usage: knocktool lint [OPTIONS] [FILE...]"],
    [["serve", "--confg", "x"], "Usage: knocktool serve [OPTIONS]"],
    [["craft", "--dprot", "7000"], "Usage: knocktool craft --dst HOST [OPTIONS]"],
  ];
  for (const [args, usage] of cases) {
    const r = await runCli(args, { env: { COLUMNS: "80" } });
    assert.equal(r.code, 2);
    const lines = r.stderr.trimEnd().split("\n");
    assert.match(lines[0]!, /^Error: Unexpected option or argument: "--\w+"\. Did you mean /, r.stderr);
    assert.deepEqual(lines.slice(1), [usage, `see knocktool ${args[0]} --help`], r.stderr);
    assert.doesNotMatch(r.stderr, /completion|help \[COMMAND/, "no unrelated usage lines");
  }
  const unknown = await runCli(["lnt"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^Error: .*`lnt`/);
  assert.match(unknown.stderr, /\nsee knocktool --help\n$/);
});

Deno.test("the names the parser knows are the subcommands of cli/commands.ts, in the help page's order", async () => {
  const { COMMANDS } = await import("../../cli/commands.ts");
  const { COMMAND_NAMES } = await import("../../cli/program.ts");
  assert.deepEqual(Object.keys(COMMANDS), [...COMMAND_NAMES]);
});

Deno.test("--version is answered the way Optique answers it, with and without the fast path", async () => {
  // `--version` alone skips the parser; with a subcommand's long form Optique prints it.
  const fast = await runCli(["--version"]);
  const parsed = await runCli(["lint", "--version"]);
  assert.deepEqual(fast, parsed);
  assert.deepEqual(await runCli(["-V"]), await runCli(["knock", "-V"]));
});
