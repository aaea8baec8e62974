import "server-only";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { discoverAccount } from "@/lib/backends";
import { mergeConfig } from "@/lib/config/discover-merge";
import { pairGroups, type ProposedPool } from "@/lib/config/discover-pairing";
import { ConfigError, parseConfig } from "@/lib/config/load";

// `npm run discover`: read the account (read-only), pair groups into pools, merge them into the
// configuration file, check that the result loads, and say what was found and what was not.
// scripts/discover.ts only parses the flags and prints.

export interface DiscoverOptions {
  primary: string;
  standby: string;
  tagKey: string;
  out: string;
  /** Take the pools paired by name (no discovery tag in the account). */
  accept: boolean;
  /** Print the file instead of writing it. */
  dryRun: boolean;
  env?: Record<string, string | undefined>;
}

export interface DiscoverReport {
  /** 0 written (or dry run), 1 nothing could be written. */
  exitCode: number;
  lines: string[];
  /** The configuration text written (or that would be). */
  text?: string;
}

export async function runDiscover(o: DiscoverOptions): Promise<DiscoverReport> {
  const lines: string[] = [];
  const regions: [string, string] = [o.primary, o.standby];
  const found = await discoverAccount({ regions, env: o.env });
  const pairing = pairGroups(found.groups, o.tagKey, regions);

  lines.push(`Read ${found.groups.length} Auto Scaling group(s) in ${regions.join(" and ")}.`);
  if (pairing.mode === "tag") lines.push(`Pools by the ${o.tagKey} tag:`);
  else
    lines.push(
      `No group carries the ${o.tagKey} tag. Proposed pools, paired by name (region and environment words removed):`,
    );
  for (const p of pairing.pools) lines.push(`  ${describePool(p, regions)}`);
  if (pairing.pools.length === 0) lines.push("  (none)");

  const take = pairing.mode === "tag" || o.accept ? pairing.pools : [];
  if (pairing.mode === "name" && !o.accept && pairing.pools.length > 0) {
    lines.push(
      `Check the pairing above, then run again with --accept to write it (or tag the groups with ${o.tagKey}=<pool id>).`,
    );
  }
  // Group notes only for groups in a proposed pool: a group nobody asked for is nobody's problem.
  const groupNotes = pairing.pools.flatMap((p) => Object.values(p.groups).flatMap((g) => g.notes ?? []));
  const notes = [...found.notes, ...groupNotes, ...pairing.notes];

  const existing = existsSync(o.out) ? readFileSync(o.out, "utf8") : null;
  let exitCode = 0;
  let text: string | undefined;
  if (take.length === 0 && existing === null) {
    lines.push(`Nothing written: no pool to write to ${o.out}.`);
    exitCode = pairing.mode === "name" && pairing.pools.length > 0 ? 0 : 1;
  } else {
    try {
      const merged = mergeConfig(existing, take, {
        regions: { primary: o.primary, standby: o.standby },
        tagKey: o.tagKey,
      });
      notes.push(...merged.notes);
      parseConfig(merged.text, o.out); // what is written must load
      text = merged.text;
      if (o.dryRun) lines.push(`--dry-run: ${o.out} not written. It would be:`, merged.text);
      else {
        const tmp = `${o.out}.discover-tmp`;
        writeFileSync(tmp, merged.text);
        renameSync(tmp, o.out);
        lines.push(
          `${existing === null ? "Wrote" : "Updated"} ${o.out}: ${merged.added.length} pool(s) added${merged.added.length ? ` (${merged.added.join(", ")})` : ""}, ` +
            `${merged.updated.length} refreshed${merged.updated.length ? ` (${merged.updated.join(", ")})` : ""}; everything else in the file kept.`,
        );
      }
      if (existing === null && !o.dryRun) {
        lines.push(
          "Next: `npm run token -- <name> admin` and put the printed line in auth.tokens, set CAPSTAN_SESSION_SECRET,",
          `then \`CAPSTAN_CONFIG=${o.out} npm run serve\`. Tag pools paired by name with ${o.tagKey}=<pool id> so Capstan may scale them.`,
        );
      }
      if (existing !== null && /^backend:\s*simulated/m.test(existing))
        notes.push(`${o.out} says backend: simulated: set backend: aws to see these pools`);
    } catch (err) {
      exitCode = 1;
      const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
      lines.push(`Nothing written to ${o.out}: ${problems.join("; ")}`);
    }
  }
  if (notes.length > 0) {
    lines.push("Could not resolve:");
    for (const n of notes) lines.push(`  - ${n}`);
  }
  return { exitCode, lines, text };
}

function describePool(p: ProposedPool, regions: string[]): string {
  const parts = regions.map((r) => {
    const g = p.groups[r];
    if (!g) return `${r}: -`;
    const extras = [
      g.instanceType ?? "type?",
      g.detailedMonitoring === true ? "1-min" : g.detailedMonitoring === false ? "5-min" : "monitoring?",
    ];
    if (g.pageLoad) extras.push(`page load ${g.pageLoad.targetGroup}`);
    if (g.queue) extras.push(`queue ${g.queue}`);
    return `${r}: ${g.name} (${extras.join(", ")})`;
  });
  return `${p.id.padEnd(16)} ${parts.join("   ")}`;
}
