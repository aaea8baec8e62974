import { Document, isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from "yaml";
import { albMetrics } from "./load-balancer-metrics";
import type { DiscoveredGroup, ProposedPool } from "./discover-pairing";
import { hourlyPrice, PRICES_AS_OF } from "./prices";

// `npm run discover`, the pure half (2/2): proposed pools become configuration blocks, merged into
// the existing file through the yaml Document API, so comments, order and everything the user set
// (names, tiers, guardrails, targets, prices, auth) survive a second run. Discover owns only what it
// reads from AWS: group names of name-paired pools, and the dimension values of the load balancer
// and queue metrics it wrote (a pool whose page load comes from elsewhere, say CloudWatch RUM, keeps it).

export interface MergeOptions {
  regions: { primary: string; standby: string };
  tagKey: string;
}

export interface MergeResult {
  text: string;
  added: string[];
  updated: string[];
  notes: string[];
}

type Plain = Record<string, unknown>;

/** The same dimension map under p90, p50 and the request count is written out three times, never as a YAML alias. */
const NO_ALIASES = { aliasDuplicateObjects: false } as const;

/** The configuration block of one proposed pool, and what could not be filled in. */
export function poolBlock(p: ProposedPool, opts: MergeOptions): { block: Plain; notes: string[] } {
  const notes: string[] = [];
  const regions = [opts.regions.primary, opts.regions.standby];
  const present = regions.filter((r) => p.groups[r]);
  const groups = present.map((r) => p.groups[r]!);

  const pageLoad = perRegion(p, (g) => g.pageLoad);
  const queue = perRegion(p, (g) => g.queue);
  const tierTag = groups
    .map((g) => g.tags["capstan:tier"])
    .find((t) => t === "web" || t === "worker" || t === "infra");
  const tier = tierTag ?? (queue ? "worker" : pageLoad ? "web" : "infra");

  const metrics: Plain = {};
  // CPU: EC2 publishes every 5 minutes unless detailed monitoring is on; never ask finer than that.
  const monitoring = groups.map((g) => g.detailedMonitoring);
  if (!monitoring.every((m) => m === true)) {
    metrics.cpu = {
      namespace: "AWS/EC2",
      metric: "CPUUtilization",
      dimensions: { AutoScalingGroupName: "{group}" },
      statistic: "Average",
      unit: "Percent",
      period: 300,
    };
    if (monitoring.some((m) => m === undefined))
      notes.push(`${p.id}: monitoring unknown in some region: CPU at 5 minutes (basic monitoring)`);
  }
  if (pageLoad) {
    const alb = albMetrics({
      LoadBalancer: mapValues(pageLoad, (v) => v.loadBalancer),
      TargetGroup: mapValues(pageLoad, (v) => v.targetGroup),
    });
    metrics.pageLoad = alb.pageLoad;
    metrics.pageLoadMedian = alb.pageLoadMedian;
    metrics.requestCount = alb.requestCount;
  } else if (tier === "web") {
    notes.push(`${p.id}: web pool without page load (no target group behind an application load balancer)`);
  }
  if (queue) metrics.backlog = backlogMetric(queue);
  else if (tier === "worker")
    notes.push(`${p.id}: worker pool without a capstan:queue=<queue name> tag: no backlog`);

  const types = [...new Set(groups.map((g) => g.instanceType).filter((t): t is string => !!t))];
  const type = types[0] ?? "unknown";
  if (types.length > 1)
    notes.push(`${p.id}: instance types differ between regions (${types.join(", ")}): ${type} written`);
  if (!types.length)
    notes.push(
      `${p.id}: instance type unknown (no launch template, configuration or mixed-instances policy readable)`,
    );
  const price = types.length
    ? (hourlyPrice(opts.regions.primary, type) ?? hourlyPrice(present[0]!, type))
    : undefined;
  if (types.length && price === undefined) {
    notes.push(
      `${p.id}: no price for ${type} in the shipped table (${PRICES_AS_OF}): hourlyPrice 0 written, set the real one`,
    );
  }

  const block: Plain = { id: p.id, name: p.id, tier };
  // Tagged pools are found by their tag (re-tagging moves them); name-paired ones must be named.
  if (p.by === "name") block.groups = Object.fromEntries(present.map((r) => [r, p.groups[r]!.name]));
  block.instance = { type, hourlyPrice: price ?? 0 };
  if (Object.keys(metrics).length) block.metrics = metrics;
  return { block, notes };
}

export function backlogMetric(queues: Record<string, string>): Plain {
  return {
    namespace: "AWS/SQS",
    metric: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: queues },
    statistic: "Maximum",
    unit: "Count",
    period: 60,
  };
}

/** The configuration for a first run: backend aws, the regions, API-token sign-in with no token yet. */
export function freshConfig(opts: MergeOptions): Plain {
  return {
    backend: "aws",
    regions: { ...opts.regions },
    discovery: { tagKey: opts.tagKey },
    refresh: { capacitySeconds: 15, timeoutMs: 5000 },
    auth: { mode: "tokens", tokens: [] },
    pools: [],
  };
}

/**
 * Merges the pools into `existing` (the file's text, or null for a new file). Existing pools are
 * matched by id, and name-paired ones also by group name; discover never removes a pool.
 */
export function mergeConfig(existing: string | null, pools: ProposedPool[], opts: MergeOptions): MergeResult {
  const doc: Document =
    existing === null ? new Document(freshConfig(opts), NO_ALIASES) : parseDocument(existing);
  if (doc.errors.length > 0)
    throw new Error(`the existing file is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  if (existing === null) {
    doc.commentBefore = ` Written by \`npm run discover\`. Re-run it to add new groups: what you edit here is kept.`;
    const auth = doc.get("auth", true);
    if (auth && typeof auth === "object") {
      (auth as YAMLMap).commentBefore =
        " Sign-in: `npm run token -- <name> admin` prints a line; put it in tokens: [ ... ] (or use mode: alb, docs/auth.md).";
    }
  }
  const notes: string[] = [];
  const added: string[] = [];
  const updated: string[] = [];

  const fileRegions = [doc.getIn(["regions", "primary"]), doc.getIn(["regions", "standby"])];
  if (
    existing !== null &&
    (fileRegions[0] !== opts.regions.primary || fileRegions[1] !== opts.regions.standby)
  ) {
    throw new Error(
      `the file's regions are ${fileRegions.join(" / ")}, not ${opts.regions.primary} / ${opts.regions.standby}: discover into another file`,
    );
  }
  if (!isSeq(doc.get("pools"))) doc.set("pools", doc.createNode([]));
  const seq = doc.get("pools") as YAMLSeq;

  for (const p of pools) {
    const { block, notes: blockNotes } = poolBlock(p, opts);
    notes.push(...blockNotes);
    const index = findPool(seq, p);
    if (index < 0) {
      const node = doc.createNode(block, NO_ALIASES) as YAMLMap;
      compactDimensions(node);
      if (p.by === "tag") {
        node.commentBefore = ` found by ${opts.tagKey}=${p.id}: ${Object.values(p.groups)
          .map((g) => `${g.name} (${g.region})`)
          .join(", ")}`;
      }
      seq.add(node);
      added.push(p.id);
      continue;
    }
    const base = ["pools", index];
    const changed = updatePool(doc, base, block, p, notes);
    if (changed) updated.push(String(doc.getIn([...base, "id"])));
  }
  const known = new Set(pools.map((p) => p.id));
  for (const item of seq.items) {
    const id = isMap(item) ? String(item.get("id")) : "";
    if (
      id &&
      !known.has(id) &&
      !pools.some((p) =>
        Object.values(p.groups).some((g) => isMap(item) && g.name === item.getIn(["groups", g.region])),
      )
    ) {
      notes.push(`${id}: in the file but not found in the account (kept)`);
    }
  }
  return { text: doc.toString({ lineWidth: 0 }), added, updated, notes };
}

/** `dimensions: { LoadBalancer: { us-east-1: …, us-west-2: … } }` on one line per dimension, as in the reference file. */
function compactDimensions(pool: YAMLMap): void {
  const metrics = pool.get("metrics");
  if (!isMap(metrics)) return;
  for (const item of metrics.items) {
    const dims = isMap(item.value) ? item.value.get("dimensions") : undefined;
    if (!isMap(dims)) continue;
    for (const d of dims.items) if (isMap(d.value)) d.value.flow = true;
  }
}

function findPool(seq: YAMLSeq, p: ProposedPool): number {
  return seq.items.findIndex((item) => {
    if (!isMap(item)) return false;
    if (item.get("id") === p.id) return true;
    return Object.values(p.groups).some((g) => item.getIn(["groups", g.region]) === g.name);
  });
}

/** Fills in what the pool lacks and refreshes discover's own dimension values; true if anything changed. */
function updatePool(
  doc: Document,
  base: (string | number)[],
  block: Plain,
  p: ProposedPool,
  notes: string[],
): boolean {
  let changed = false;
  const id = String(doc.getIn([...base, "id"]));
  const set = (path: (string | number)[], value: unknown) => {
    doc.setIn([...base, ...path], doc.createNode(value, NO_ALIASES));
    changed = true;
  };
  const groups = block.groups as Record<string, string> | undefined;
  for (const [region, name] of Object.entries(groups ?? {})) {
    const current = doc.getIn([...base, "groups", region]);
    if (current === undefined) set(["groups", region], name);
    else if (current !== name)
      notes.push(`${id}: ${region} group is ${String(current)} in the file, ${name} found (kept yours)`);
  }
  if (!doc.hasIn([...base, "instance"])) set(["instance"], block.instance);
  else {
    const type = doc.getIn([...base, "instance", "type"]);
    const found = (block.instance as Plain).type;
    if (found !== "unknown" && type !== found)
      notes.push(`${id}: instance type ${String(found)} in AWS, ${String(type)} in the file (kept yours)`);
  }
  const metrics = (block.metrics ?? {}) as Record<string, Plain>;
  for (const [kind, def] of Object.entries(metrics)) {
    const path = ["metrics", kind];
    if (!doc.hasIn([...base, ...path])) {
      set(path, def);
      continue;
    }
    // Discover's own blocks (same namespace and metric) get the dimension values AWS has now.
    const ns = doc.getIn([...base, ...path, "namespace"]);
    const metric = doc.getIn([...base, ...path, "metric"]);
    if (ns !== def.namespace || metric !== def.metric || kind === "cpu") continue;
    const dims = def.dimensions as Record<string, Record<string, string>>;
    for (const [dim, byRegion] of Object.entries(dims)) {
      for (const [region, value] of Object.entries(byRegion)) {
        const current = doc.getIn([...base, ...path, "dimensions", dim]);
        const now =
          typeof current === "string" ? current : doc.getIn([...base, ...path, "dimensions", dim, region]);
        if (now === value) continue;
        if (typeof current === "string")
          set([...path, "dimensions", dim], {
            ...Object.fromEntries(Object.keys(p.groups).map((r) => [r, current])),
            [region]: value,
          });
        else set([...path, "dimensions", dim, region], value);
      }
    }
  }
  return changed;
}

function perRegion<T>(
  p: ProposedPool,
  pick: (g: DiscoveredGroup) => T | undefined,
): Record<string, T> | undefined {
  const out: Record<string, T> = {};
  for (const [region, g] of Object.entries(p.groups)) {
    const v = pick(g);
    if (v !== undefined) out[region] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

function mapValues<T, U>(o: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}
