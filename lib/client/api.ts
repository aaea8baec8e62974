// The browser's one way to the JSON API: every client-side fetch of /api/* goes through here, so
// each call has a typed answer and every failure one shape: the server's error body
// (lib/services/http.ts: `{ error, kind, fields?, …extra }`), or one made up here for a network
// failure (kind "network", status 0) or an answer that is not JSON.
// Types only from the server side (erased at build): nothing server-only reaches the bundle.
import type { FleetView, PoolDetail, PredictionView, StandbyView } from "@/lib/fleet/views";
import type { ChangeResult } from "@/lib/services/capacity/change-capacity";
import type { RevertActionResult } from "@/lib/services/revert-actions";
import type { PlanApplyResult, StandbyPlan } from "@/lib/services/standby-plan";

/** What the server sends with a non-2xx status; `kind` names the error class. */
export interface ApiErrorBody {
  /** The human sentence to show. */
  error: string;
  kind?: string;
  /** Field name → message, for forms (a ValidationError). */
  fields?: Record<string, string>;
  /** Upstream (502): the backend's error code, and "unknown" when the change may have happened. */
  code?: string;
  outcome?: string;
  /** Conflict (409): the pool as it is now. */
  current?: { desired: number; inService: number } & Record<string, unknown>;
  /** Conflict (409 outcome_pending): the audit row of the first attempt, whose outcome is not known yet. */
  auditId?: string;
}

export type ApiResult<T> =
  | { ok: true; status: number; data: T; headers: Headers }
  /** 304 to a conditional GET: nothing changed since the ETag sent. */
  | { ok: true; status: 304; data: null; headers: Headers }
  | { ok: false; status: number; error: ApiErrorBody; headers: Headers };

export interface RequestOptions {
  method?: "GET" | "POST" | "DELETE";
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** A request already on its way (the page's early fetch): its answer is used; if it failed, ask again. */
  early?: Promise<Response>;
}

/** Any /api/* path: the answer as data, or the one error shape. Never throws except on abort. */
export async function request<T>(path: string, opts: RequestOptions = {}): Promise<ApiResult<T>> {
  const method = opts.method ?? "GET";
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const ask = () =>
    fetch(path, {
      method,
      cache: "no-store",
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  let res: Response;
  try {
    res = await (opts.early ? opts.early.catch(ask) : ask());
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    return {
      ok: false,
      status: 0,
      error: { error: `Network error: ${(e as Error).message}`, kind: "network" },
      headers: new Headers(),
    };
  }
  if (res.status === 304) return { ok: true, status: 304, data: null, headers: res.headers };
  const json: unknown = await res.json().catch(() => undefined);
  if (res.ok) return { ok: true, status: res.status, data: json as T, headers: res.headers };
  return { ok: false, status: res.status, error: toErrorBody(json, res.status), headers: res.headers };
}

function toErrorBody(json: unknown, status: number): ApiErrorBody {
  if (json && typeof json === "object" && typeof (json as { error?: unknown }).error === "string")
    return json as ApiErrorBody;
  return { error: `HTTP ${status}`, kind: "http" };
}

const pool = (region: string, id: string) =>
  `/api/pools/${encodeURIComponent(region)}/${encodeURIComponent(id)}`;

/** The overview's data; also asked by the page's early inline fetch (components/fleet/early-fetch.ts). */
export const FLEET_URL = "/api/fleet?range=1h";

export interface CapacityChange {
  desired: number;
  expectedDesired: number;
  reason: string;
  idempotencyKey: string;
  min?: number;
  max?: number;
  override?: { confirm: string };
  revertAfterMinutes?: number;
}

/** The endpoints the pages use, typed. */
export const api = {
  fleet: (opts: { etag?: string | null; early?: Promise<Response> } = {}) =>
    request<FleetView>(FLEET_URL, {
      headers: opts.etag ? { "If-None-Match": opts.etag } : {},
      early: opts.early,
    }),
  pool: (region: string, id: string, range: string) =>
    request<PoolDetail>(`${pool(region, id)}?range=${encodeURIComponent(range)}`),
  predict: (region: string, id: string, desired: number, signal?: AbortSignal) =>
    request<PredictionView>(`${pool(region, id)}/predict?desired=${desired}`, { signal }),
  changeCapacity: (region: string, id: string, body: CapacityChange) =>
    request<ChangeResult>(`${pool(region, id)}/capacity`, { method: "POST", body }),
  extendRevert: (region: string, id: string, revertAfterMinutes: number) =>
    request<RevertActionResult>(`${pool(region, id)}/revert`, {
      method: "POST",
      body: { revertAfterMinutes },
    }),
  cancelRevert: (region: string, id: string) =>
    request<RevertActionResult>(`${pool(region, id)}/revert`, { method: "DELETE" }),
  standby: () => request<StandbyView>("/api/standby"),
  standbyPlan: () => request<StandbyPlan>("/api/standby/plan"),
  applyStandbyPlan: (body: { planId: string; reason: string; revertAfterMinutes?: number }) =>
    request<PlanApplyResult>("/api/standby/plan", { method: "POST", body }),
  signIn: (name: string, role: string) =>
    request<unknown>("/api/session", { method: "POST", body: { name, role } }),
  signOut: () => request<unknown>("/api/session", { method: "DELETE" }),
};
