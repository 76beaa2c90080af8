/**
 * The text side of the standby shell that runs door commands (cli/serve/standby.ts): a `/bin/sh -s` started
 * ahead of time with a pipe as its stdin, which reads one command line from it and runs it, so that an
 * opening costs one `write` instead of starting a shell (starting `/bin/sh` is most of a command's latency:
 * each exec costs milliseconds on a small VM). Pure.
 *
 * The line first points the shell's stdin at /dev/null, so the command sees what it would under `sh -c`
 * started with stdin on /dev/null (and no pipe). dash reads a script from stdin in blocks: one `read` takes
 * the whole line (the former `IFS= read -r` from descriptor 3 read it one byte per system call: see
 * bench/latency.ts for what that cost).
 *
 * The command is still interpreted by `/bin/sh`, as knockd's `system()` does; a single simple command gets
 * an `exec` in front of it so the shell becomes the program instead of forking once more (what `sh -c`
 * does by itself for a lone command).
 *
 * A command that is one program with plain words only ({@linkcode plainArgv}: what most start and stop
 * commands are, `iptables ...`, `nft ...`, `ufw ...`) needs no shell at all: the daemon starts the program
 * itself, exactly as `sh -c` would have exec'd it.
 *
 * @module
 */

/**
 * The arguments of a standby `/bin/sh` (argv[0] `sh`): commands from stdin, which is the pipe; `$0` is `sh`
 * and there are no positional parameters, as under `sh -c`. End of file before a line: it exits 0, running
 * nothing. The exit status is the command's.
 */
export const STANDBY_ARGS: readonly string[] = ["-s"];

/** What every standby line starts with: stdin from /dev/null from here on, as under `sh -c` (not the pipe). */
const STDIN_NULL = "exec </dev/null; ";

/** dash's reserved words and builtins: a command starting with one is not prefixed with `exec`. */
const SHELL_WORDS = new Set(
  (
    "! { } case do done elif else esac fi for if in then until while " +
    ". : [ alias bg break cd chdir command continue echo eval exec exit export false fc fg getopts hash " +
    "jobs kill local printf pwd read readonly return set shift test times trap true type ulimit umask " +
    "unalias unset wait"
  ).split(" "),
);

/** A program name or path that the shell takes literally (no quoting, expansion, assignment or redirection). */
const PLAIN_WORD = /^[A-Za-z0-9_./+:@%,-]+$/;

/** Characters that may make a command more than one simple command (lists, pipelines, subshells, ...). */
const COMPOUND = /[;&|()`\n]/;

/** A word that means itself to the shell as an argument: the characters of {@linkcode PLAIN_WORD} and `=`. */
const PLAIN_ARG = /^[A-Za-z0-9_./+:@%,=-]+$/;

/**
 * The argument vector `/bin/sh -c command` would exec, when the command is one program with plain words
 * (letters, digits and `_ . / + : @ % , -`, `=` after the first word, and lone `{` or `}` words: no quoting,
 * expansion, glob, comment, assignment, redirection or list) split by spaces and tabs, and its first word is
 * no shell builtin or keyword; else `undefined`, and the command needs a shell. Starting `argv[0]` with a
 * `PATH` search, the environment and descriptors unchanged, is then the same as `sh -c` running it.
 *
 * @param command The command, `%IP%` already substituted.
 * @returns The words, or `undefined`.
 */
export function plainArgv(command: string): string[] | undefined {
  const words = command.split(/[ \t]+/).filter((word) => word !== "");
  const first = words[0];
  if (first === undefined || !PLAIN_WORD.test(first) || SHELL_WORDS.has(first)) return undefined;
  for (const word of words) {
    if (!PLAIN_ARG.test(word) && word !== "{" && word !== "}") return undefined;
  }
  return words;
}

/**
 * `command` as the standby shell should evaluate it: `exec command` when it is one simple command whose
 * first word is a program (not a builtin, reserved word, assignment, redirection or anything quoted or
 * expanded), else `command` unchanged. Conservative: a `;` or `&` anywhere, even quoted, keeps the fork.
 *
 * @param command The command, `%IP%` already substituted.
 * @returns The line to evaluate.
 */
export function execPrefixed(command: string): string {
  if (COMPOUND.test(command)) return command;
  const first = command.trimStart().split(/[ \t]/, 1)[0] ?? "";
  if (first === "" || !PLAIN_WORD.test(first) || SHELL_WORDS.has(first)) return command;
  return `exec ${command}`;
}

/**
 * The bytes to write to a standby shell for `command` (`exec </dev/null; `, its line and a newline), or
 * `undefined` when the command cannot be sent as one line (a line break or NUL in it): it must then run
 * through `sh -c`.
 *
 * @param command The command, `%IP%` already substituted.
 * @returns The line, or `undefined`.
 */
export function standbyLine(command: string): string | undefined {
  if (/[\n\0]/.test(command)) return undefined;
  return `${STDIN_NULL}${execPrefixed(command)}\n`;
}
