import "server-only";
import type { AuditRecord, AuditStore, ChangeEffect, EffectFigures, EffectVerdict } from "@/lib/audit/types";
import { getConfig, type FleetConfig, type PoolConfig } from "@/lib/config";
import type { FleetBackend, GroupState, MetricQuery, Point, ScalingActivity } from "@/lib/fleet/types";
import { buildQuery, poolMetricDefs, toDisplay, type MetricKind } from "@/lib/metrics/queries";
import { countInstances } from "../pool-status";
import { poolsInRegion, withRegionTimeout } from "../region-reads";

// Did it help? Once a change's instances are in service (its launch or terminate activities have
// all ended and the group holds the new count) and have settled, compare p90, CPU and backlog over
// equal windows before the change and after it settled. The result is stored beside the audit
// row (change_effects), once; until then the change reads as `pending`.

export const DEFAULT_EFFECT_SETTLE_SECONDS = 600;
/** Changes older than this that never settled are recorded as `unknown`. */
const GIVE_UP_MS = 24 * 3_600_000;
const MINUTE = 60_000;

/** CAPSTAN_EFFECT_SETTLE_SECONDS: how long new instances serve before a change is judged. */
export function effectSettleMs(env: Record<string, string | undefined> = process.env): number {
  const s = Number(env.CAPSTAN_EFFECT_SETTLE_SECONDS);
  return (Number.isFinite(s) && s > 0 ? s : DEFAULT_EFFECT_SETTLE_SECONDS) * 1000;
}

/** What a change reads as before its effect is stored. */
export function pendingEffect(r: Pick<AuditRecord, "id" | "time">, now: number): ChangeEffect {
  const old = now - Date.parse(r.time) > GIVE_UP_MS;
  return {
    changeId: r.id,
    evaluatedAt: new Date(now).toISOString(),
    verdict: old ? "unknown" : "pending",
    before: null,
    after: null,
    summary: old
      ? "unknown: the change never settled"
      : "pending: waiting for the new instances to serve and settle",
  };
}

export interface EffectDeps {
  backend: FleetBackend;
  store: AuditStore;
  cfg?: FleetConfig;
  now?: number;
  settleMs?: number;
}

/** Evaluate every succeeded change still awaiting its effect; store the ones that are final. */
export async function evaluateEffects(deps: EffectDeps): Promise<ChangeEffect[]> {
  const now = deps.now ?? Date.now();
  const cfg = deps.cfg ?? getConfig();
  const awaiting = await deps.store.awaitingEffect(new Date(now - 2 * GIVE_UP_MS).toISOString());
  const groups = new Map<string, GroupState[]>();
  const out: ChangeEffect[] = [];
  for (const r of awaiting) {
    let list = groups.get(r.region);
    if (!list) {
      list = await withRegionTimeout(r.region, cfg.refresh.timeoutMs, (signal) =>
        deps.backend.listGroups(r.region, signal),
      );
      groups.set(r.region, list);
    }
    const effect = await evaluateOne(r, list, awaiting, deps, cfg, now);
    out.push(effect.verdict === "pending" ? effect : await deps.store.recordEffect(effect));
  }
  return out;
}

async function evaluateOne(
  r: AuditRecord,
  groups: GroupState[],
  awaiting: AuditRecord[],
  deps: EffectDeps,
  cfg: FleetConfig,
  now: number,
): Promise<ChangeEffect> {
  const at = Date.parse(r.time);
  const final = (
    verdict: EffectVerdict,
    summary: string,
    before: EffectFigures | null = null,
    after: EffectFigures | null = null,
  ): ChangeEffect => ({
    changeId: r.id,
    evaluatedAt: new Date(now).toISOString(),
    verdict,
    before,
    after,
    summary,
  });
  if (r.from === null || r.to === null || r.from === r.to)
    return final("unknown", "unknown: desired capacity did not change");
  const later = awaiting.find((x) => x.region === r.region && x.pool === r.pool && x.seq > r.seq);
  const entry = poolsInRegion(cfg, groups).find((p) => p.pool.id === r.pool);
  const group = entry?.group;
  if (!entry || !group || group.groupName !== r.group) return final("unknown", "unknown: the group is gone");
  const settleMs = deps.settleMs ?? effectSettleMs();
  const c = countInstances(group);
  const up = r.to > r.from;
  const reached = c.pending === 0 && c.terminating === 0 && (up ? c.inService >= r.to : c.inService <= r.to);
  if (!reached) {
    if (later) return final("unknown", "unknown: another change followed before this one settled");
    return now - at > GIVE_UP_MS
      ? final("unknown", "unknown: the change never settled")
      : pendingEffect(r, now);
  }
  const activities = await deps.backend.describeActivities(r.region, group.groupName, 50);
  const readyAt = readyTime(activities, at);
  if (now < readyAt + settleMs)
    return later
      ? final("unknown", "unknown: another change followed before this one settled")
      : pendingEffect(r, now);

  // Equal windows: the settling time (at least a minute) after, the same length just before the change.
  const k = Math.max(1, Math.round(settleMs / MINUTE));
  const series = await readFigures(
    deps.backend,
    cfg,
    entry.pool,
    r.region,
    group.groupName,
    at - (k + 2) * MINUTE,
    now,
  );
  const beforeBuckets = series.times.filter((t) => t + MINUTE <= at).slice(-k);
  const afterBuckets = series.times.filter((t) => t + MINUTE > readyAt).slice(-k);
  const before = figures(series, beforeBuckets);
  const after = figures(series, afterBuckets);
  return judge(r, entry.pool, before, after, final);
}

/** When the change's last launch or termination ended (AWS: the activity's EndTime). */
function readyTime(activities: ScalingActivity[], changeAt: number): number {
  const mine = activities.filter((a) => Date.parse(a.startTime) >= changeAt - 5000 && a.endTime);
  return mine.length ? Math.max(...mine.map((a) => Date.parse(a.endTime!))) : changeAt;
}

interface Figures {
  times: number[];
  p90: Map<number, number | null>;
  cpu: Map<number, number | null>;
  backlog: Map<number, number | null>;
}

async function readFigures(
  backend: FleetBackend,
  cfg: FleetConfig,
  pool: PoolConfig,
  region: string,
  groupName: string,
  start: number,
  now: number,
): Promise<Figures> {
  const defs = poolMetricDefs(pool);
  const kinds: MetricKind[] = ["pageLoad", "cpu", "backlog"];
  const queries: MetricQuery[] = [];
  for (const kind of kinds) {
    const def = defs[kind];
    const q = def && buildQuery(def, `e_${kind}`, region, groupName, 60);
    if (q) queries.push(q);
  }
  const range = {
    start: Math.floor(start / MINUTE) * MINUTE,
    end: Math.floor(now / MINUTE) * MINUTE + MINUTE,
  };
  const series = await withRegionTimeout(region, cfg.refresh.timeoutMs, (signal) =>
    backend.getMetricData(region, queries, range, signal),
  );
  const map = (kind: MetricKind) => {
    const def = defs[kind];
    const pts: Point[] = series.find((s) => s.id === `e_${kind}`)?.points ?? [];
    return new Map(pts.map(([t, v]) => [t, v === null || !def ? null : toDisplay(kind, def.unit, v)]));
  };
  const cpu = map("cpu");
  return { times: [...cpu.keys()].sort((a, b) => a - b), p90: map("pageLoad"), cpu, backlog: map("backlog") };
}

function figures(f: Figures, buckets: number[]): EffectFigures | null {
  if (buckets.length === 0) return null;
  const avg = (m: Map<number, number | null>) => {
    const vs = buckets.map((t) => m.get(t)).filter((v): v is number => typeof v === "number");
    return vs.length ? Math.round((vs.reduce((a, b) => a + b, 0) / vs.length) * 10) / 10 : null;
  };
  return {
    from: new Date(buckets[0]!).toISOString(),
    to: new Date(buckets[buckets.length - 1]! + MINUTE).toISOString(),
    pageLoadP90Ms: avg(f.p90),
    cpuPercent: avg(f.cpu),
    backlog: avg(f.backlog),
  };
}

/** The pool's headline figure decides: p90 for web pools, backlog for workers, CPU otherwise. */
export function judge(
  r: Pick<AuditRecord, "from" | "to">,
  pool: Pick<PoolConfig, "tier" | "targets">,
  before: EffectFigures | null,
  after: EffectFigures | null,
  final: (v: EffectVerdict, s: string, b?: EffectFigures | null, a?: EffectFigures | null) => ChangeEffect,
): ChangeEffect {
  const key: keyof Pick<EffectFigures, "pageLoadP90Ms" | "cpuPercent" | "backlog"> =
    pool.tier === "web" && before?.pageLoadP90Ms != null
      ? "pageLoadP90Ms"
      : pool.tier === "worker" && before?.backlog != null
        ? "backlog"
        : "cpuPercent";
  const b = before?.[key];
  const a = after?.[key];
  if (b == null || a == null)
    return final("unknown", "unknown: no measurements around the change", before, after);
  const parts = [
    before?.pageLoadP90Ms != null && after?.pageLoadP90Ms != null
      ? `p90 ${fmtMs(before.pageLoadP90Ms)} → ${fmtMs(after.pageLoadP90Ms)}`
      : "",
    before?.cpuPercent != null && after?.cpuPercent != null
      ? `CPU ${Math.round(before.cpuPercent)} % → ${Math.round(after.cpuPercent)} %`
      : "",
    before?.backlog != null && after?.backlog != null
      ? `backlog ${Math.round(before.backlog)} → ${Math.round(after.backlog)}`
      : "",
  ].filter(Boolean);
  const figures = parts.join(", ");
  const target =
    key === "pageLoadP90Ms"
      ? pool.targets.pageLoadP90Ms
      : key === "backlog"
        ? pool.targets.backlog
        : pool.targets.cpuPercent;
  const up = (r.to ?? 0) > (r.from ?? 0);
  const better = a <= 0.9 * b || (target !== undefined && b > target && a <= target);
  const worse =
    a >= 1.1 * b &&
    (target === undefined || a > target || b <= target) &&
    a - b > (key === "cpuPercent" ? 3 : 0);
  if (up && better) return final("helped", `${figures}: helped`, before, after);
  if (!up && !worse) return final("no change", `${figures}: no change, capacity saved`, before, after);
  if (worse) return final("worse", `${figures}: worse`, before, after);
  if (target !== undefined && b <= target)
    return final("no change", `${figures}: no change, it was within its target already`, before, after);
  const cpuFell =
    before?.cpuPercent != null && after?.cpuPercent != null && after.cpuPercent <= 0.9 * before.cpuPercent;
  return final(
    "no change",
    `${figures}: no change${cpuFell && key !== "cpuPercent" ? ": the bottleneck is elsewhere" : ""}`,
    before,
    after,
  );
}

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
