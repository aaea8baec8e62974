import "server-only";
import { authorize, can, type Identity } from "@/lib/auth/roles";
import { findPool, getConfig } from "@/lib/config";
import { lastValueAt } from "@/lib/shared/wire";
import type { PoolSummary, StandbyPoolView, StandbyView, Verdict } from "@/lib/fleet/views";
import { instancesForCpu } from "@/lib/fleet/model";
import { observeVerdict } from "@/lib/notify/observe";
import { readRegion } from "./read-fleet";
import { neededFor, poolModel } from "./predict";

/** Standby metrics older than this make the pool's health unknown. */
const FRESH_MS = 10 * 60_000;
/** At or above this CPU the measured load understates demand. */
const SATURATED_CPU = 95;

/**
 * Could the standby region take the primary's current load if scaled now, and to what size?
 * Needed size = what the fitted queueing model says meets the pool's targets for the primary's
 * measured arrivals (lib/services/predict.ts); without a model, primary in service × primary CPU
 * ÷ the pool's CPU target: a primary at 12 × 35 % with a 70 % target needs 6 in the standby.
 */
export async function readStandby(identity: Identity | null): Promise<StandbyView> {
  const who = authorize(identity, "fleet:read");
  const cfg = getConfig();
  const now = Date.now();
  const [primary, standby] = await Promise.all([
    readRegion(cfg.regions.primary, "primary", "1h", cfg),
    readRegion(cfg.regions.standby, "standby", "1h", cfg),
  ]);
  // Readiness compares both regions, so a pool is shown only to those who may read it in both.
  const readable = (id: string) =>
    can(who, "fleet:read", { region: primary.region, pool: id }) &&
    can(who, "fleet:read", { region: standby.region, pool: id });
  const ids = [...new Set([...primary.pools, ...standby.pools].map((p) => p.id))].filter(readable);
  // The same prediction as the pool page's suggestion: the size that meets the pool's targets
  // for the primary's measured arrivals. Without a model, the CPU rule below.
  const modelled = await Promise.all(
    ids.map(async (id) => {
      const p = primary.pools.find((x) => x.id === id);
      const pool = findPool(cfg, id);
      if (!p?.group || !pool || p.inService === 0) return null;
      const m = await poolModel(primary.region, pool, p.group, cfg).catch(() => null);
      return m?.ok ? neededFor(m.estimate, pool) : null;
    }),
  );
  const pools = ids.map((id, i) => {
    const p = primary.pools.find((x) => x.id === id);
    const s = standby.pools.find((x) => x.id === id);
    const target = findPool(cfg, id)?.targets.cpuPercent ?? 70;
    // "stale": the last read failed and what is on hand is the last good data (the verdict is unknown).
    const dataAt = standby.fetchedAt ? Date.parse(standby.fetchedAt) : null;
    return judge(id, p, s, target, standby.status !== "ok", now, modelled[i] ?? null, dataAt);
  });
  const order: Verdict[] = ["cannot", "unknown", "scale", "ready"];
  const overall = order.find((v) => pools.some((p) => p.verdict === v)) ?? "unknown";
  const toScale = pools.filter((p) => p.verdict === "scale");
  const blocked = pools.filter((p) => p.verdict === "cannot" || p.verdict === "unknown");
  const overallExplanation =
    overall === "ready"
      ? "The standby can take the primary's current load as it is."
      : overall === "unknown" && pools.every((p) => p.verdict !== "cannot")
        ? `Not known whether the standby can take over: ${blocked.map((p) => `${p.id} (${p.explanation})`).join("; ")}.`
        : overall === "scale"
          ? `The standby can take over after scaling ${toScale.length} pool${toScale.length > 1 ? "s" : ""}: ${toScale.map((p) => `${p.id} → ${p.needed}`).join(", ")}.`
          : `The standby cannot take over now: ${blocked.map((p) => `${p.id} (${p.explanation})`).join("; ")}.`;
  const region = (r: typeof primary) => ({
    region: r.region,
    role: r.role,
    status: r.status,
    error: r.error,
    fetchedAt: r.fetchedAt,
  });
  const view: StandbyView = {
    generatedAt: new Date(now).toISOString(),
    primary: primary.region,
    standby: standby.region,
    regions: [region(primary), region(standby)],
    overall,
    overallExplanation,
    pools,
  };
  // standby.verdict-changed, judged over every pool (not only those this identity may read).
  if (ids.length === [...new Set([...primary.pools, ...standby.pools].map((p) => p.id))].length) {
    observeVerdict(view).catch((e: unknown) =>
      console.error(
        `capstan: could not record the standby verdict (${e instanceof Error ? e.message : String(e)})`,
      ),
    );
  }
  return view;
}

function lastPointAt(s: PoolSummary): number | null {
  return lastValueAt(s.cpu);
}

export function judge(
  id: string,
  p: PoolSummary | undefined,
  s: PoolSummary | undefined,
  cpuTarget: number,
  standbyDown: boolean,
  now: number,
  /** Instances the fitted model says meet the targets for the primary's load (null: no model). */
  predicted: number | null = null,
  /** When the standby's data on hand was read (epoch ms); with `standbyDown`, how old it is. */
  standbyDataAt: number | null = null,
): StandbyPoolView {
  const base = { id, name: (p ?? s)?.name ?? id, tier: (p ?? s)?.tier ?? "infra" };
  const primary = p && p.group ? { desired: p.desired, inService: p.inService, cpu: p.cpu.latest } : null;
  const at = s ? lastPointAt(s) : null;
  const standby =
    s && s.group
      ? {
          desired: s.desired,
          inService: s.inService,
          max: s.max,
          unhealthy: s.unhealthy,
          metricAgeMs: at === null ? null : now - at,
        }
      : null;
  const ratio =
    primary && standby && primary.inService > 0
      ? Math.round((standby.inService / primary.inService) * 100) / 100
      : null;
  const view = (verdict: Verdict, explanation: string, needed: number | null): StandbyPoolView => ({
    ...base,
    primary,
    standby,
    ratio,
    needed,
    verdict,
    explanation,
  });
  if (!standby) {
    const why = standbyDown ? "standby region unreachable" : "no group in the standby region";
    return view("cannot", why, null);
  }
  if (!primary) return view("unknown", "primary not readable", null);
  // CPU measures the load the primary carries now, which is not its demand when it is short of
  // instances or saturated (CPU caps at 100 %): then the standby needs at least the primary's desired.
  const shortOrSaturated = primary.inService < primary.desired || (primary.cpu ?? 0) >= SATURATED_CPU;
  const fromLoad =
    primary.cpu === null ? primary.inService : instancesForCpu(primary.inService, primary.cpu, cpuTarget);
  // The model measures arrivals (RequestCount), so a short or saturated primary does not hide demand from it.
  const needed =
    predicted !== null
      ? Math.max(1, predicted)
      : Math.max(1, fromLoad, shortOrSaturated ? primary.desired : 0);
  const healthy = standby.inService - Math.min(standby.unhealthy, standby.inService);
  if (standbyDown) {
    // The last read of the standby failed: what is on hand is its last good data, and a verdict
    // built on it ("can take over after scaling") would be a guess presented as a fact.
    const age = standbyDataAt === null ? "of unknown age" : `${formatAge(now - standbyDataAt)} old`;
    return view("unknown", `standby region unreachable: its last good data is ${age}`, needed);
  }
  const stale = standby.metricAgeMs === null || standby.metricAgeMs > FRESH_MS;
  const notes = [
    standby.unhealthy > 0 ? `${standby.unhealthy} unhealthy` : "",
    stale ? "standby metrics stale" : "",
  ].filter(Boolean);
  const suffix = notes.length ? ` (${notes.join(", ")})` : "";
  if (needed > standby.max) {
    return view("cannot", `needs ${needed}, standby max is ${standby.max}: raise max first${suffix}`, needed);
  }
  if (healthy >= needed && !stale) {
    return view("ready", `${healthy} healthy ≥ ${needed} needed`, needed);
  }
  if (healthy >= needed) {
    return view("unknown", `${healthy} healthy ≥ ${needed} needed, but standby metrics are stale`, needed);
  }
  return view("scale", `scale ${standby.desired} → ${needed}${suffix}`, needed);
}

function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${Math.round(m / 60)} h`;
}
