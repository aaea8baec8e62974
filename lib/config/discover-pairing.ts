// `npm run discover`, the pure half: what the account holds (read by lib/backends/aws/discovery.ts)
// becomes proposed pools. Groups carrying the discovery tag are paired across the two regions by
// the tag's value; without tags, by name once region and environment words are stripped
// ("prod-app-use1" and "dr-app-usw2" are both "app"). No AWS here: everything is unit-tested.

/** One Auto Scaling group as discover sees it (Capstan's words; the AWS backend fills it in). */
export interface DiscoveredGroup {
  region: string;
  name: string;
  tags: Record<string, string>;
  /** From the launch template, launch configuration or mixed-instances policy; undefined: unknown. */
  instanceType?: string;
  /** Detailed monitoring (1-minute EC2 metrics); undefined: could not be read. */
  detailedMonitoring?: boolean;
  /** CloudWatch dimensions of the group's page load (from its target group's application load balancer). */
  pageLoad?: { loadBalancer: string; targetGroup: string };
  /** The `capstan:queue` tag's queue name, when it names a queue that exists (or could not be checked). */
  queue?: string;
  /** What could not be resolved for this group (printed only if it becomes part of a pool). */
  notes?: string[];
}

export interface ProposedPool {
  id: string;
  /** "tag": the discovery tag's value; "name": paired by name, needs --accept. */
  by: "tag" | "name";
  groups: Record<string, DiscoveredGroup>;
}

export interface Pairing {
  mode: "tag" | "name";
  pools: ProposedPool[];
  /** What could not be paired, in words. */
  notes: string[];
}

const POOL_ID = /^[a-z][a-z0-9-]{0,62}$/;
const ENV_WORDS = new Set(["prod", "production", "prd", "dr", "primary", "standby", "secondary", "live"]);

/** The words a group name is paired by: region and environment words removed. */
export function nameKey(name: string, regions: string[]): string {
  let n = name.toLowerCase();
  const compact = new Set<string>();
  for (const r of regions) {
    n = n.replaceAll(r, " ");
    const [geo = "", dir = "", num = ""] = r.split("-");
    compact.add(`${geo}${dir}${num}`); // useast1
    compact.add(`${geo}${dir[0] ?? ""}${num}`); // use1
    compact.add(`${geo}-${dir}-${num}`);
  }
  const words = n.split(/[^a-z0-9]+/).filter((w) => w && !ENV_WORDS.has(w) && !compact.has(w));
  return words.join("-");
}

/** A pool id from free text: lower-case letters, digits and dashes, starting with a letter. */
export function toPoolId(text: string): string | null {
  const id = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 63);
  if (!id) return null;
  return POOL_ID.test(id) ? id : POOL_ID.test(`pool-${id}`.slice(0, 63)) ? `pool-${id}`.slice(0, 63) : null;
}

export function pairGroups(groups: DiscoveredGroup[], tagKey: string, regions: [string, string]): Pairing {
  const tagged = groups.filter((g) => (g.tags[tagKey] ?? "").trim() !== "");
  return tagged.length > 0 ? byTag(groups, tagged, tagKey, regions) : byName(groups, regions);
}

function byTag(
  all: DiscoveredGroup[],
  tagged: DiscoveredGroup[],
  tagKey: string,
  regions: string[],
): Pairing {
  const notes: string[] = [];
  const pools = new Map<string, ProposedPool>();
  for (const g of tagged) {
    const value = g.tags[tagKey]!.trim();
    if (!POOL_ID.test(value)) {
      notes.push(
        `${g.region} ${g.name}: ${tagKey}=${value} is not a pool id (lower-case letters, digits, dashes): skipped`,
      );
      continue;
    }
    const pool = pools.get(value) ?? { id: value, by: "tag" as const, groups: {} };
    pools.set(value, pool);
    const other = pool.groups[g.region];
    if (other) {
      notes.push(
        `${g.region}: ${other.name} and ${g.name} both carry ${tagKey}=${value}; ${other.name} is written, pin the right one in pools[].groups`,
      );
      continue;
    }
    pool.groups[g.region] = g;
  }
  for (const p of pools.values()) {
    for (const r of regions)
      if (!p.groups[r]) notes.push(`${p.id}: no group in ${r} carries ${tagKey}=${p.id}`);
  }
  const untagged = all.length - tagged.length;
  if (untagged > 0)
    notes.push(`${untagged} group(s) without the ${tagKey} tag were left out (tag them to add them)`);
  return { mode: "tag", pools: [...pools.values()], notes };
}

function byName(all: DiscoveredGroup[], regions: string[]): Pairing {
  const notes: string[] = [];
  const byKey = new Map<string, DiscoveredGroup[]>();
  for (const g of all) {
    const key = nameKey(g.name, regions);
    byKey.set(key, [...(byKey.get(key) ?? []), g]);
  }
  const pools: ProposedPool[] = [];
  const used = new Set<string>();
  for (const [key, list] of [...byKey].sort(([a], [b]) => a.localeCompare(b))) {
    const id = toPoolId(key);
    if (!id) {
      notes.push(
        `${list.map((g) => g.name).join(", ")}: no pool name left once region and environment words are removed: skipped`,
      );
      continue;
    }
    const crowded = regions.filter((r) => list.filter((g) => g.region === r).length > 1);
    if (crowded.length > 0) {
      notes.push(
        `${list.map((g) => `${g.name} (${g.region})`).join(", ")}: several groups read as "${id}" in ${crowded.join(", ")}: tag them with the pool id to pair them`,
      );
      continue;
    }
    if (used.has(id)) continue;
    used.add(id);
    const groups: Record<string, DiscoveredGroup> = {};
    for (const g of list) groups[g.region] = g;
    pools.push({ id, by: "name", groups });
  }
  return { mode: "name", pools, notes };
}
