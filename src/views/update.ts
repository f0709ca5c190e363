import type { UpdateEvent } from "../update/update.js";
import type { Output } from "./output.js";

/** `provision update`'s events as text, or NDJSON with --json. */
export function updateView(out: Output): (e: UpdateEvent) => void {
  return (e) => {
    if (out.options.json) {
      const level = e.type === "update_plan" && e.problems.length > 0 ? "error" : "info";
      out.event(level, message(e), e.type, { ...e });
      return;
    }
    for (const line of text(out, e)) out.line(line);
  };
}

function message(e: UpdateEvent): string {
  if (e.type === "update_step") return `${e.host}: ${e.step}`;
  if (e.type === "update_result")
    return e.changed ? `${e.host}: updated` : `${e.host}: packages and system are up to date`;
  return `${e.host}: update plan`;
}

function text(out: Output, e: UpdateEvent): string[] {
  if (e.type === "update_step") return [`${e.host}: ${e.step}...`];
  if (e.type === "update_result") {
    if (!e.changed) return [`${e.host}: packages and system are up to date. No changes.`];
    return [
      `Update complete for ${e.host}.`,
      ...(e.reboot
        ? [`A new kernel is installed: reboot ${e.host} to run it (shutdown -r now).`]
        : []),
      ...(e.bootEnvironment
        ? [
            `Way back: \`bectl activate ${e.bootEnvironment} && shutdown -r now\` on ${e.host} boots the system as it was before.`,
          ]
        : []),
    ];
  }
  const lines = [out.paint("bold", `${e.host}: update plan`)];
  const jobs = (
    label: string,
    sym: string,
    list: { name: string; version: string; from?: string }[],
  ) =>
    list.length === 0
      ? []
      : [
          `  ${label}:`,
          ...list.map((p) => `    ${sym} ${p.name} ${p.from ? `${p.from} -> ` : ""}${p.version}`),
        ];
  lines.push(
    ...jobs("packages to remove", "-", e.pkg.removed),
    ...jobs("packages to install", "+", e.pkg.installed),
    ...jobs("packages to upgrade", "~", e.pkg.upgraded),
    ...jobs("packages to reinstall", "~", e.pkg.reinstalled),
  );
  if (e.os) lines.push(`  FreeBSD ${e.os.from} -> ${e.os.to} (freebsd-update install)`);
  if (lines.length === 1) lines.push("  nothing to upgrade");
  if (e.bootEnvironment) lines.push(`  boot environment first: bectl create ${e.bootEnvironment}`);
  else if (lines.length > 2 || e.os)
    lines.push("  no boot environment: the root is not on ZFS (bectl check)");
  if (e.restarts.length) lines.push(`  restart afterwards: ${e.restarts.join(", ")}`);
  for (const p of e.problems) lines.push(out.paint("red", `  refused: ${p}`));
  return lines;
}
