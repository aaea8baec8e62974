import "server-only";
import { z } from "zod";
import {
  AUDIT_OUTCOMES,
  auditStore,
  DEFAULT_LIMIT,
  displayOutcome,
  isStalePending,
  MAX_LIMIT,
  reconcileAfterMs,
  reconcilePending,
  type AuditOutcome,
  type AuditRecord,
  type AuditStore,
  type ChangeEffect,
  type OutcomeLabel,
} from "@/lib/audit";
import { pendingEffect } from "./capacity/change-effect";
import { authorize, type Identity, type Scope } from "@/lib/auth/roles";
import { getBackend } from "@/lib/backends";
import type { FleetBackend } from "@/lib/fleet/types";
import { fieldErrors } from "@/lib/validation";
import { toCsv, type CsvRecord } from "./audit-csv";
import { reconcileNow } from "./background";
import { AuditUnavailableError, ValidationError } from "@/lib/errors";

export interface AuditFilters {
  region?: string;
  pool?: string;
  actor?: string;
  outcome?: AuditOutcome;
  limit: number;
  cursor?: string;
}

/**
 * A record as shown: an overdue intent reads as outcome "unknown" until reconciled; a succeeded
 * desired-capacity change carries its effect (stored beside the row; `pending` until settled).
 */
export type AuditRecordView = AuditRecord & { label: OutcomeLabel; effect?: ChangeEffect };

export interface AuditView {
  records: AuditRecordView[];
  nextCursor: string | null;
}

export interface ReadAuditDeps {
  store: AuditStore;
  /** For reconciliation; null skips it. */
  backend: FleetBackend | null;
  now: () => Date;
}

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());

const filtersSchema = z.object({
  region: optional(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected a region such as us-east-1")),
  pool: optional(z.string().max(128)),
  actor: optional(z.string().max(256)),
  outcome: optional(z.enum(AUDIT_OUTCOMES as [AuditOutcome, ...AuditOutcome[]])),
  limit: optional(z.coerce.number().int().min(1).max(MAX_LIMIT)),
  cursor: optional(z.string().regex(/^[1-9]\d{0,15}$/, "expected a cursor from a previous page")),
});

/** Query string (or a page's searchParams) → filters; bad values are a 400 naming the field. */
export function parseAuditFilters(
  params: URLSearchParams | Record<string, string | string[] | undefined>,
): AuditFilters {
  const get = (k: string): string | undefined => {
    if (params instanceof URLSearchParams) return params.get(k) ?? undefined;
    const v = params[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const raw = Object.fromEntries(
    ["region", "pool", "actor", "outcome", "limit", "cursor"].map((k) => [k, get(k)?.trim()]),
  );
  const parsed = filtersSchema.safeParse(raw);
  if (!parsed.success) throw new ValidationError("Check the filters.", fieldErrors(parsed.error));
  return { ...parsed.data, limit: parsed.data.limit ?? DEFAULT_LIMIT };
}

/** The audit log, newest first, filtered and paged; pending intents are reconciled first. */
export async function readAudit(
  identity: Identity | null | undefined,
  filters: AuditFilters,
  deps: Partial<ReadAuditDeps> = {},
): Promise<AuditView> {
  const who = authorize(identity, "audit:read", { region: filters.region, pool: filters.pool });
  const now = deps.now ?? (() => new Date());
  const store = openStore(deps);
  await reconcileQuietly(store, deps, now);
  const page = await guarded(() =>
    store.query({
      ...filters,
      scopes: scopesOf(who),
      staleBefore: new Date(now().getTime() - reconcileAfterMs()).toISOString(),
    }),
  );
  const effects = await guarded(() => store.effectsFor(page.records.map((r) => r.id)));
  return {
    records: page.records.map((r) => withEffect(present(r, now()), effects, now())),
    nextCursor: page.nextCursor,
  };
}

function withEffect<T extends AuditRecord>(
  v: T,
  effects: Map<string, ChangeEffect>,
  now: Date,
): T & { effect?: ChangeEffect } {
  const stored = effects.get(v.id);
  if (stored) return { ...v, effect: stored };
  const changed =
    v.outcome === "succeeded" && v.action !== "faults" && v.from !== null && v.to !== null && v.from !== v.to;
  return changed ? { ...v, effect: pendingEffect(v, now.getTime()) } : v;
}

/** Every record of the filtered view (not only one page), as CSV. */
export async function exportAuditCsv(
  identity: Identity | null | undefined,
  filters: AuditFilters,
  deps: Partial<ReadAuditDeps> = {},
  maxRows = 100_000,
): Promise<{ filename: string; csv: string }> {
  const who = authorize(identity, "audit:read", { region: filters.region, pool: filters.pool });
  const now = deps.now ?? (() => new Date());
  const store = openStore(deps);
  await reconcileQuietly(store, deps, now);
  const staleBefore = new Date(now().getTime() - reconcileAfterMs()).toISOString();
  const records: CsvRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await guarded(() =>
      store.query({ ...filters, limit: MAX_LIMIT, cursor, scopes: scopesOf(who), staleBefore }),
    );
    // Each change with its effect, as the log shows it (pending until judged).
    const effects = await guarded(() => store.effectsFor(page.records.map((r) => r.id)));
    records.push(...page.records.map((r) => withEffect(r, effects, now())));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && records.length < maxRows);
  const stamp = now().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  return { filename: `capstan-audit-${stamp}.csv`, csv: toCsv(records.slice(0, maxRows), now()) };
}

function present(r: AuditRecord, now: Date): AuditRecordView {
  if (isStalePending(r, now)) {
    return {
      ...r,
      outcome: "unknown",
      note:
        r.note ??
        "No outcome was recorded (the server may have stopped between intent and reply); reconciliation will settle it.",
      label: "outcome unknown",
    };
  }
  return { ...r, label: displayOutcome(r, now) };
}

/** The grants' scopes; undefined when any grant covers everything (no row filter needed). */
function scopesOf(identity: Identity): Scope[] | undefined {
  const grants = identity.grants ?? (identity.role ? [{ role: identity.role, scope: identity.scope }] : []);
  if (grants.some((g) => !g.scope)) return undefined;
  return grants.map((g) => g.scope!);
}

function openStore(deps: Partial<ReadAuditDeps>): AuditStore {
  if (deps.store) return deps.store;
  try {
    return auditStore();
  } catch (err) {
    console.error("capstan: audit store unavailable", err);
    throw new AuditUnavailableError("The audit log cannot be opened right now.");
  }
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    console.error("capstan: audit query failed", err);
    throw new AuditUnavailableError("The audit log cannot be read right now.");
  }
}

/** Reading the log must never fail because reconciliation could not run. */
async function reconcileQuietly(
  store: AuditStore,
  deps: Partial<ReadAuditDeps>,
  now: () => Date,
): Promise<void> {
  if (deps.store === undefined && deps.backend === undefined) {
    await reconcileNow(); // the process's store: under its job and pool locks, as the background does
    return;
  }
  try {
    if (deps.backend !== null) await reconcilePending(deps.backend ?? getBackend(), { store, now });
  } catch (err) {
    console.error("capstan: audit reconciliation failed", err);
  }
}
