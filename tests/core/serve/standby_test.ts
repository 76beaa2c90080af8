import assert from "node:assert/strict";
import { execPrefixed, plainArgv, STANDBY_ARGS, standbyLine } from "../../../core/serve/mod.ts";

Deno.test("execPrefixed() puts exec before one simple command that names a program", () => {
  const prefixed = [
    "/usr/sbin/iptables -I INPUT -s 192.0.2.7 -p tcp --dport 22 -j ACCEPT",
    "nft add element inet knock allowed { 192.0.2.7 }",
    "ip6tables -A INPUT -s fd00::2 -j ACCEPT",
    "/usr/local/bin/notify --ip=192.0.2.7 > /dev/null",
    "  logger -t knock 'opened for 192.0.2.7'",
    "ufw allow from 192.0.2.7 to any port 22",
  ];
  for (const command of prefixed) assert.equal(execPrefixed(command), `exec ${command}`, command);
});

Deno.test("execPrefixed() leaves lists, pipelines, builtins, keywords, assignments and quoting to the fork", () => {
  const unchanged = [
    "iptables -A INPUT -s 192.0.2.7 -j ACCEPT; logger done", // list
    "iptables -A INPUT -s 192.0.2.7 -j ACCEPT && logger done",
    "sleep 60 &", // background
    "iptables -S | grep 192.0.2.7", // pipeline
    "(cd /tmp && make)", // subshell
    "logger `hostname`", // command substitution
    "logger $(hostname)",
    "iptables -m comment --comment 'a;b' -j ACCEPT", // conservative: a quoted ; still counts
    "cmd 2>&1",
    "echo opened > /tmp/log", // builtin: dash's echo differs from /bin/echo
    "cd /tmp", // builtins that are no program
    "exit 3",
    "true",
    "[ -x /sbin/iptables ]",
    "if true",
    "! false",
    "{ true }",
    "FOO=bar iptables -L", // assignment
    "'/usr/sbin/iptables' -L", // quoted program name
    '"$IPT" -L', // expansion
    "$IPT -L",
    "~/bin/open 192.0.2.7", // tilde
    "ipt*bles -L", // glob
    "> /tmp/file", // redirection only
    "2>/dev/null iptables -L",
    "   ",
    "",
    "a\nb",
  ];
  for (const command of unchanged) assert.equal(execPrefixed(command), command, JSON.stringify(command));
});

Deno.test("standbyLine() is the prefixed command and a newline; line breaks and NUL cannot be sent", () => {
  // stdin goes back to /dev/null first: the command never sees the pipe the line came through.
  assert.equal(standbyLine("iptables -L"), "exec </dev/null; exec iptables -L\n");
  assert.equal(standbyLine("echo a; echo b"), "exec </dev/null; echo a; echo b\n");
  assert.equal(standbyLine("echo a\r"), "exec </dev/null; echo a\r\n"); // a carriage return is an ordinary byte to sh
  assert.equal(standbyLine("echo a\necho b"), undefined);
  assert.equal(standbyLine("echo a\0b"), undefined);
  // The shell reads its commands from stdin, with no positional parameters.
  assert.deepEqual(STANDBY_ARGS, ["-s"]);
});

Deno.test("plainArgv() splits one program with plain words, as sh would", () => {
  const cases: [string, string[]][] = [
    [
      "/usr/sbin/iptables -I INPUT -s 192.0.2.7 -p tcp --dport 22 -j ACCEPT",
      ["/usr/sbin/iptables", "-I", "INPUT", "-s", "192.0.2.7", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"],
    ],
    [
      "nft add element inet knock allowed { 192.0.2.7 }",
      ["nft", "add", "element", "inet", "knock", "allowed", "{", "192.0.2.7", "}"],
    ],
    ["ip6tables\t-A INPUT  -s fd00::2 -j ACCEPT ", [
      "ip6tables",
      "-A",
      "INPUT",
      "-s",
      "fd00::2",
      "-j",
      "ACCEPT",
    ]],
    ["  ufw allow from 192.0.2.7 to any port 22", [
      "ufw",
      "allow",
      "from",
      "192.0.2.7",
      "to",
      "any",
      "port",
      "22",
    ]],
    ["/usr/local/bin/notify --ip=192.0.2.7 50%,+1@x", [
      "/usr/local/bin/notify",
      "--ip=192.0.2.7",
      "50%,+1@x",
    ]],
    ["logger", ["logger"]],
  ];
  for (const [command, argv] of cases) assert.deepEqual(plainArgv(command), argv, command);
});

Deno.test("plainArgv() leaves to the shell anything it would interpret", () => {
  const shell = [
    "iptables -A INPUT -s 192.0.2.7 -j ACCEPT; logger done", // list
    "iptables -A INPUT && logger done",
    "sleep 60 &",
    "iptables -S | grep 192.0.2.7",
    "(cd /tmp && make)",
    "logger `hostname`",
    "logger $(hostname)",
    "logger $HOME", // expansion in an argument
    "logger ${IP}",
    "logger 'opened for 192.0.2.7'", // quoting
    'logger "opened"',
    "logger opened\\ now", // backslash
    "logger ~/x", // tilde
    "logger ~",
    "ls /etc/*.conf", // globs
    "ls /etc/?",
    "ls /etc/[ab]",
    "logger a{b,c}", // bash's brace expansion (if /bin/sh is bash)
    "logger #comment",
    "logger x#y",
    "logger !",
    "notify > /dev/null", // redirection
    "notify 2>/dev/null",
    "notify <in",
    "echo opened", // builtins and keywords
    "printf %s x",
    "true",
    "test -x /sbin/iptables",
    "[ -x /sbin/iptables ]",
    "exec iptables -L",
    "command iptables -L",
    "if true",
    "{ true; }",
    "} x",
    "FOO=bar iptables -L", // assignment
    "x=1",
    "logger \r", // a carriage return (CRLF config) is no separator to sh
    "logger été", // non-ASCII: left to the shell
    "iptables -L\nlogger x",
    "",
    "   ",
  ];
  for (const command of shell) assert.equal(plainArgv(command), undefined, JSON.stringify(command));
});
