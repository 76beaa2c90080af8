/**
 * The metrics page of `serve --metrics`: the Prometheus text format (version 0.0.4, which Prometheus and
 * OpenMetrics scrapers both read), rendered from a {@linkcode MetricsSnapshot}. Every name starts with
 * `knocktool_`; counters end in `_total`. Pure.
 *
 * @module
 */
import { DURATION_BUCKETS_S, type MetricsSnapshot } from "./metrics.ts";

/** The page's content type. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function label(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function labels(pairs: Readonly<Record<string, string>>): string {
  const parts = Object.entries(pairs).map(([k, v]) => `${k}="${label(v)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

class Page {
  readonly lines: string[] = [];

  family(name: string, type: "counter" | "gauge" | "histogram", help: string): void {
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  }

  sample(name: string, pairs: Readonly<Record<string, string>>, value: number): void {
    this.lines.push(`${name}${labels(pairs)} ${Number.isFinite(value) ? value : 0}`);
  }
}

/**
 * Renders the metrics page.
 *
 * @param s The snapshot.
 * @param version knocktool's version (`knocktool_build_info`).
 * @returns The page, ending with a newline.
 */
export function renderPrometheus(s: MetricsSnapshot, version: string): string {
  const p = new Page();
  p.family("knocktool_build_info", "gauge", "Always 1; the version as a label.");
  p.sample("knocktool_build_info", { version }, 1);

  p.family("knocktool_knocks_total", "counter", "Knocks that counted for a door (each matched step).");
  for (const [door, d] of s.doors) p.sample("knocktool_knocks_total", { door }, d.knocks);
  p.family("knocktool_openings_total", "counter", "Times a door opened.");
  for (const [door, d] of s.doors) p.sample("knocktool_openings_total", { door }, d.openings);
  p.family("knocktool_failures_total", "counter", "Failed knock attempts by door and reason.");
  for (const [door, d] of s.doors) {
    for (const [reason, n] of d.failures) p.sample("knocktool_failures_total", { door, reason }, n);
  }
  p.family("knocktool_ignored_packets_total", "counter", "Retransmitted SYNs and client repeats ignored.");
  for (const [door, d] of s.doors) p.sample("knocktool_ignored_packets_total", { door }, d.ignored);

  p.family("knocktool_datagrams_total", "counter", "Datagram door (SPA, fwknop) verdicts by result.");
  for (const [door, results] of s.datagrams) {
    for (const [result, n] of results) p.sample("knocktool_datagrams_total", { door, result }, n);
  }

  p.family("knocktool_commands_total", "counter", "Door commands run, by door and result.");
  for (const [door, c] of s.commands) {
    for (const [result, n] of c.results) p.sample("knocktool_commands_total", { door, result }, n);
  }
  p.family("knocktool_command_duration_seconds", "histogram", "How long door commands ran.");
  for (const [door, c] of s.commands) {
    DURATION_BUCKETS_S.forEach((le, i) => {
      p.sample("knocktool_command_duration_seconds_bucket", { door, le: String(le) }, c.buckets[i]!);
    });
    p.sample("knocktool_command_duration_seconds_bucket", { door, le: "+Inf" }, c.count);
    p.sample("knocktool_command_duration_seconds_sum", { door }, c.sum);
    p.sample("knocktool_command_duration_seconds_count", { door }, c.count);
  }

  p.family("knocktool_packets_total", "counter", "Decoded packets given to the detection engine.");
  p.sample("knocktool_packets_total", {}, s.packets);
  p.family("knocktool_attempts", "gauge", "Knock attempts in progress.");
  p.sample("knocktool_attempts", {}, s.attempts);
  p.family("knocktool_attempts_max", "gauge", "The bound on attempts in progress (--max-attempts).");
  p.sample("knocktool_attempts_max", {}, s.maxAttempts);
  p.family("knocktool_evictions_total", "counter", "Attempts evicted because the table was full.");
  p.sample("knocktool_evictions_total", {}, s.evictions);

  p.family("knocktool_capture_packets_total", "counter", "Packets the capture filter passed, by interface.");
  for (const c of s.captures) p.sample("knocktool_capture_packets_total", { interface: c.name }, c.received);
  p.family("knocktool_capture_drops_total", "counter", "Packets the kernel dropped (capture buffer full).");
  for (const c of s.captures) p.sample("knocktool_capture_drops_total", { interface: c.name }, c.dropped);

  p.family("knocktool_commands_running", "gauge", "Door commands running now.");
  p.sample("knocktool_commands_running", {}, s.running);
  p.family("knocktool_commands_queued", "gauge", "Door commands waiting for a slot (--max-commands).");
  p.sample("knocktool_commands_queued", {}, s.queued);
  p.family("knocktool_stop_commands_pending", "gauge", "Stop commands not yet run (doors open now).");
  p.sample("knocktool_stop_commands_pending", {}, s.pendingStops);
  return `${p.lines.join("\n")}\n`;
}
