/**
 * `dist/knocktool_<version>_amd64.deb`: the single executable in `/usr/bin`, the hardened systemd unit
 * (`examples/systemd/knocktool.service` with the packaged path), the man pages (generated, tools/man/), the
 * bash, zsh and fish completions (`knocktool completion SHELL`), the example configs, `/var/lib/knocktool`,
 * and what Debian's policy asks of a package (copyright, changelog, md5sums). Built by `dpkg-deb` with
 * owner root and every time stamp set to the build date, so the same inputs give the same package.
 *
 * The unit is installed, not enabled: the daemon needs a configuration first
 * (`systemctl enable --now knocktool` after writing `/etc/knockd.conf`).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { INFORMATION_URI, VERSION } from "../../cli/version.ts";
import type { ManPage } from "../man/mod.ts";

/** Where the unit goes (Debian 12 installs units under /lib). */
export const UNIT_DIR = "lib/systemd/system";

/** The completion scripts and where each shell looks for them. */
export const COMPLETIONS: readonly { readonly shell: string; readonly path: string }[] = [
  { shell: "bash", path: "usr/share/bash-completion/completions/knocktool" },
  { shell: "zsh", path: "usr/share/zsh/vendor-completions/_knocktool" },
  { shell: "fish", path: "usr/share/fish/vendor_completions.d/knocktool.fish" },
];

/** Everything the package is made of. */
export interface DebInputs {
  /** The repository root (examples are read from it). */
  readonly root: string;
  /** The single executable. */
  readonly executable: string;
  /** The man pages. */
  readonly manPages: readonly ManPage[];
  /** Each shell's completion script. */
  readonly completions: Readonly<Record<string, string>>;
  /** The build time, seconds since the epoch (changelog date, file times). */
  readonly epoch: number;
  /** The package version (default: the program's). */
  readonly version?: string;
}

/** The maintainer named in the package. */
export const MAINTAINER = "knocktool maintainers <maintainers@knocktool.org>";

/**
 * The packaged unit: the example unit with `/usr/bin/knocktool` for `/usr/local/bin/knocktool`, its
 * header (how to install it by hand) replaced by one line about the package.
 *
 * @param example The text of `examples/systemd/knocktool.service`.
 * @returns The unit the package installs.
 */
export function packagedUnit(example: string): string {
  const start = example.indexOf("\n# Every sandboxing directive");
  const body = start < 0 ? example.slice(example.indexOf("[Unit]")) : example.slice(start + 1);
  return "# knocktool serve as a systemd service (Debian package knocktool). Not enabled when installed:\n" +
    "# write /etc/knockd.conf (see knocktool.conf(5)), then: systemctl enable --now knocktool\n#\n" +
    body.replaceAll("/usr/local/bin/knocktool", "/usr/bin/knocktool");
}

/**
 * The `DEBIAN/control` file.
 *
 * @param version The package version.
 * @param installedKiB The installed size in KiB.
 * @returns The control file's text.
 */
export function controlFile(version: string, installedKiB: number): string {
  return [
    "Package: knocktool",
    `Version: ${version}`,
    "Architecture: amd64",
    `Maintainer: ${MAINTAINER}`,
    `Installed-Size: ${installedKiB}`,
    "Depends: libc6 (>= 2.27), libpcap0.8",
    "Recommends: nftables",
    "Section: net",
    "Priority: optional",
    `Homepage: ${INFORMATION_URI}`,
    "Description: port-knocking toolkit: knockd-compatible daemon, client, crafter",
    " knocktool is one program with four commands: serve, a drop-in replacement for",
    " knockd (same configuration file, options and log lines) that captures with",
    " libpcap; knock, a client compatible with knockd's knock; craft, a raw packet",
    " crafter like SendIP, packit or hping3; and lint, a checker for knockd.conf",
    " files.",
    " .",
    " The executable carries its own JavaScript runtime (Deno); the systemd unit",
    " knocktool.service runs the daemon with only CAP_NET_RAW and CAP_NET_ADMIN.",
    "",
  ].join("\n");
}

/** A Debian changelog entry for a native package, dated `epoch`. */
export function changelog(version: string, epoch: number): string {
  const date = new Date(epoch * 1000).toUTCString().replace("GMT", "+0000");
  return `knocktool (${version}) unstable; urgency=medium\n\n` +
    `  * Release ${version}, packaged by deno task package (tools/package/).\n\n` +
    ` -- ${MAINTAINER}  ${date}\n`;
}

/** The MIT license's text (the repository's LICENSE), indented for the copyright file. */
const MIT_TEXT = Deno.readTextFileSync(new URL("../../LICENSE", import.meta.url)).trimEnd().split("\n")
  .map((line) => (line === "" ? " ." : ` ${line}`)).join("\n") + "\n";

const COPYRIGHT = `knocktool

Upstream: ${INFORMATION_URI}

knocktool itself (the JavaScript in /usr/bin/knocktool):

  Copyright 2026 the knocktool authors.
  License: MIT (the LICENSE file of its repository; the text is below).

/usr/bin/knocktool also carries the Deno runtime (https://deno.com, from the npm package
@deno/linux-x64-glibc), which is:

  Copyright 2018-2026 the Deno authors.
  License: MIT (https://github.com/denoland/deno/blob/main/LICENSE.md)

and embeds V8 (BSD-3-Clause), rusty_v8, tokio, and other crates under MIT, Apache-2.0 and BSD licenses,
including Little CMS (lcms2, MIT). On Debian systems, the complete text of the Apache License, Version 2.0
is in /usr/share/common-licenses/Apache-2.0.

The npm packages bundled into knocktool's JavaScript: @optique/core and @logtape/logtape,
each MIT-licensed (Copyright Hong Minhee).

The MIT License, as knocktool uses it:

${MIT_TEXT}`;

const LINTIAN_OVERRIDES =
  `# /usr/bin/knocktool is a launcher followed by the Deno runtime, a single Rust executable that links its
# libraries statically; Little CMS (lcms2) is one of them and cannot be replaced by Debian's liblcms2.
knocktool: embedded-library lcms2 [usr/bin/knocktool]
`;

const POSTINST = `#!/bin/sh
set -e
# The unit is installed but not enabled: knocktool serve needs /etc/knockd.conf first.
if [ "$1" = "configure" ] && [ -d /run/systemd/system ]; then
\tsystemctl --system daemon-reload >/dev/null || true
fi
`;

const POSTRM = `#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
\tsystemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = "purge" ]; then
\trm -rf /var/lib/knocktool
fi
`;

async function run(cmd: string, args: string[], stdin?: Uint8Array): Promise<Uint8Array> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const out = await child.output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return out.stdout;
}

/** gzip -9n: no name, no time stamp (the same bytes every time), as Debian wants man pages. */
function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return run("gzip", ["-9n"], bytes);
}

async function put(stage: string, path: string, data: Uint8Array | string, mode: number): Promise<void> {
  const full = `${stage}/${path}`;
  await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
  if (typeof data === "string") await Deno.writeTextFile(full, data);
  else await Deno.writeFile(full, data);
  await Deno.chmod(full, mode);
}

async function walk(dir: string, prefix = ""): Promise<{ path: string; isFile: boolean }[]> {
  const found: { path: string; isFile: boolean }[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    found.push({ path, isFile: entry.isFile });
    if (entry.isDirectory) found.push(...await walk(`${dir}/${entry.name}`, path));
  }
  return found.sort((a, b) => a.path < b.path ? -1 : 1);
}

/**
 * Lays the package's files out in `stage` (the future root), with `DEBIAN/`.
 *
 * @param stage An empty directory.
 * @param inputs What goes in.
 */
export async function stagePackage(stage: string, inputs: DebInputs): Promise<void> {
  const version = inputs.version ?? VERSION;
  const doc = "usr/share/doc/knocktool";
  await put(stage, "usr/bin/knocktool", await Deno.readFile(inputs.executable), 0o755);
  const example = await Deno.readTextFile(`${inputs.root}/examples/systemd/knocktool.service`);
  await put(stage, `${UNIT_DIR}/knocktool.service`, packagedUnit(example), 0o644);
  for (const page of inputs.manPages) {
    const data = await gzip(new TextEncoder().encode(page.text));
    await put(stage, `usr/share/man/man${page.section}/${page.file}.gz`, data, 0o644);
  }
  for (const { shell, path } of COMPLETIONS) {
    const script = inputs.completions[shell];
    if (script === undefined) throw new Error(`no ${shell} completion script`);
    await put(stage, path, script, 0o644);
  }
  for (const name of ["knockd.conf", "nftables.conf"]) {
    await put(
      stage,
      `${doc}/examples/${name}`,
      await Deno.readFile(`${inputs.root}/examples/${name}`),
      0o644,
    );
  }
  await put(stage, `${doc}/copyright`, COPYRIGHT, 0o644);
  await put(
    stage,
    `${doc}/changelog.gz`,
    await gzip(new TextEncoder().encode(changelog(version, inputs.epoch))),
    0o644,
  );
  await put(stage, "usr/share/lintian/overrides/knocktool", LINTIAN_OVERRIDES, 0o644);
  await Deno.mkdir(`${stage}/var/lib/knocktool`, { recursive: true });
  await Deno.chmod(`${stage}/var/lib/knocktool`, 0o755);

  const files = (await walk(stage)).filter((f) => f.isFile);
  const sums: string[] = [];
  let size = 0;
  for (const { path } of files) {
    const data = await Deno.readFile(`${stage}/${path}`);
    size += data.length;
    sums.push(`${createHash("md5").update(data).digest("hex")}  ${path}`);
  }
  const installedKiB = Math.ceil(size / 1024) + (await walk(stage)).filter((f) => !f.isFile).length;
  await put(stage, "DEBIAN/control", controlFile(version, installedKiB), 0o644);
  await put(stage, "DEBIAN/md5sums", `${sums.join("\n")}\n`, 0o644);
  await put(stage, "DEBIAN/postinst", POSTINST, 0o755);
  await put(stage, "DEBIAN/postrm", POSTRM, 0o755);
  // Every directory 0755, every time stamp the build's.
  for (const entry of await walk(stage)) {
    if (!entry.isFile) await Deno.chmod(`${stage}/${entry.path}`, 0o755);
  }
  await Deno.chmod(stage, 0o755);
  const when = new Date(inputs.epoch * 1000);
  for (const entry of [...await walk(stage), { path: "", isFile: false }]) {
    await Deno.utime(`${stage}/${entry.path}`, when, when);
  }
}

/**
 * Builds the `.deb` from a staged tree with `dpkg-deb` (gzip: a few seconds; xz would take a minute for
 * the ~96 MB runtime).
 *
 * @param stage The staged tree ({@linkcode stagePackage}).
 * @param output The `.deb` to write.
 * @param epoch The build time (`SOURCE_DATE_EPOCH` for dpkg-deb).
 */
export async function buildDeb(stage: string, output: string, epoch: number): Promise<void> {
  const child = new Deno.Command("dpkg-deb", {
    args: ["--root-owner-group", "-Zgzip", "-z6", "--build", stage, output],
    env: { SOURCE_DATE_EPOCH: String(epoch) },
    stdout: "piped",
    stderr: "piped",
  });
  let out: Deno.CommandOutput;
  try {
    out = await child.output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error("dpkg-deb not found: install dpkg-dev (apt-get install dpkg-dev)");
    }
    throw error;
  }
  if (!out.success) throw new Error(`dpkg-deb failed:\n${new TextDecoder().decode(out.stderr)}`);
}
