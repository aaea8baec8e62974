// The identities and actions of the role × action × scope matrix (matrix.test.ts): who asks
// (API tokens as configured, and the ways of being nobody) and what they ask for, through the
// real route handlers inside a request context. The test file holds the matrix and its checks.
import { GET as getAuditCsv } from "@/app/api/audit/export/route";
import { GET as getAudit } from "@/app/api/audit/route";
import { GET as getFaults, POST as postFaults } from "@/app/api/admin/faults/route";
import { DELETE as deleteSurge, POST as postSurge } from "@/app/api/admin/surge/route";
import { GET as getPredict } from "@/app/api/pools/[region]/[pool]/predict/route";
import { GET as getFleet } from "@/app/api/fleet/route";
import { GET as getHealth } from "@/app/api/health/route";
import { POST as postCapacity } from "@/app/api/pools/[region]/[pool]/capacity/route";
import { DELETE as cancelRevert, POST as extendRevert } from "@/app/api/pools/[region]/[pool]/revert/route";
import { GET as getPool } from "@/app/api/pools/[region]/[pool]/route";
import { GET as getNotifications } from "@/app/api/notifications/route";
import { GET as getStandbyPlan, POST as postStandbyPlan } from "@/app/api/standby/plan/route";
import { GET as getStandby } from "@/app/api/standby/route";
import { withRequest } from "./request";

export const APP = "http://localhost";
export const WEST = "us-west-2";

// ---- identities -----------------------------------------------------------------------------

const token = (who: string) => `cap_matrix_${who}_0123456789abcdefghij`;
export const CONFIGURED = [
  { name: "viewer-bot", role: "viewer", secret: token("viewer") },
  { name: "operator-bot", role: "operator", secret: token("operator") },
  { name: "admin-bot", role: "admin", secret: token("admin") },
  { name: "worker-bot", role: "operator", secret: token("worker"), scope: { pools: ["worker-*"] } },
  { name: "west-bot", role: "operator", secret: token("west"), scope: { regions: [WEST] } },
] as const;

export interface Who {
  /** The token's configured name: the actor in the audit log. Absent: nobody (401). */
  actor?: string;
  authorization?: string;
  /** Signed in at the (stand-in) ALB: an x-amzn-oidc-data token with these claims. */
  alb?: { email: string; groups: string[] };
  /** Known, but no group grants a role (403 everywhere). */
  noRole?: boolean;
}
const bearer = (name: string): Who => {
  const t = CONFIGURED.find((c) => c.name === name)!;
  return { actor: t.name, authorization: `Bearer ${t.secret}` };
};
export const IDENTITIES = {
  viewer: bearer("viewer-bot"),
  operator: bearer("operator-bot"),
  admin: bearer("admin-bot"),
  "operator worker-*": bearer("worker-bot"),
  "operator us-west-2": bearer("west-bot"),
  "unconfigured token": { authorization: `Bearer ${token("revoked")}` },
  "no credentials": {},
  "Basic scheme": { authorization: `Basic ${Buffer.from("admin-bot:secret").toString("base64")}` },
  "ALB operator": { actor: "ana@example.com", alb: { email: "ana@example.com", groups: ["ops"] } },
  "ALB no role": {
    actor: "carl@example.com",
    alb: { email: "carl@example.com", groups: ["contractors"] },
    noRole: true,
  },
} satisfies Record<string, Who>;
export type IdentityName = keyof typeof IDENTITIES;
const ADMIN_HEADERS = { authorization: IDENTITIES.admin.authorization! };

// ---- actions --------------------------------------------------------------------------------

export type Kind = "read" | "write" | "faults" | "revert" | "surge" | "plan" | "public";
export interface Action {
  kind: Kind;
  /** For writes: the group that changes, and how. */
  target?: { region: string; pool: string; bounds?: boolean };
  call(h: Record<string, string>, key: string): Promise<Response>;
}

const ctx = <T extends Record<string, string>>(params: T) => ({ params: Promise.resolve(params) });
const send = (path: string, h: Record<string, string>, init: RequestInit = {}) => {
  const req = new Request(`${APP}${path}`, {
    ...init,
    headers: { host: "localhost", ...h, ...(init.headers as Record<string, string>) },
  });
  return { req, run: <T>(fn: (r: Request) => Promise<T>) => withRequest(req, () => fn(req)) };
};
const mutating = (body: unknown) => ({
  method: "POST",
  headers: { origin: APP, "content-type": "application/json" },
  body: JSON.stringify(body),
});

type ReadGroup = (region: string, pool: string) => Promise<{ min: number; desired: number; max: number }>;

/** POST …/capacity: desired + 1 (within max and every guardrail), or max + 1 for `bounds`. */
function capacity(group: ReadGroup, region: string, pool: string, bounds = false): Action {
  return {
    kind: "write",
    target: { region, pool, bounds },
    async call(h, key) {
      const g = await group(region, pool);
      const body = bounds
        ? {
            desired: g.desired,
            expectedDesired: g.desired,
            min: g.min,
            max: g.max + 1,
            reason: "matrix: raise the ceiling",
            idempotencyKey: key,
          }
        : {
            desired: g.desired + 1,
            expectedDesired: g.desired,
            reason: "matrix: one more instance",
            idempotencyKey: key,
          };
      const { run } = send(`/api/pools/${region}/${pool}/capacity`, h, mutating(body));
      return run((r) => postCapacity(r, ctx({ region, pool })));
    },
  };
}

/** Every column of the matrix; `group` reads a group's current state (capacity bodies are built from it). */
export function matrixActions(group: ReadGroup) {
  return {
    "GET /api/fleet": { kind: "read", call: (h) => send("/api/fleet", h).run((r) => getFleet(r)) },
    "GET /api/pools/us-east-1/app": {
      kind: "read",
      call: (h) =>
        send("/api/pools/us-east-1/app", h).run((r) => getPool(r, ctx({ region: "us-east-1", pool: "app" }))),
    },
    "GET /api/pools/us-west-2/worker-email": {
      kind: "read",
      call: (h) =>
        send("/api/pools/us-west-2/worker-email", h).run((r) =>
          getPool(r, ctx({ region: WEST, pool: "worker-email" })),
        ),
    },
    "GET /api/standby": { kind: "read", call: (h) => send("/api/standby", h).run(() => getStandby()) },
    "GET /api/audit": { kind: "read", call: (h) => send("/api/audit", h).run((r) => getAudit(r)) },
    "desired us-east-1/app": capacity(group, "us-east-1", "app"),
    "desired us-east-1/worker-email": capacity(group, "us-east-1", "worker-email"),
    "desired us-west-2/app": capacity(group, WEST, "app"),
    "min/max us-west-2/worker-email": capacity(group, WEST, "worker-email", true),
    "DELETE revert us-east-1/app": {
      kind: "revert",
      target: { region: "us-east-1", pool: "app" },
      call: (h) =>
        send("/api/pools/us-east-1/app/revert", h, { method: "DELETE", headers: { origin: APP } }).run((r) =>
          cancelRevert(r, ctx({ region: "us-east-1", pool: "app" })),
        ),
    },
    "POST /api/admin/faults": {
      kind: "faults",
      call: (h) =>
        send("/api/admin/faults", h, mutating({ region: WEST, fault: "throttled" })).run((r) =>
          postFaults(r),
        ),
    },
    "GET /api/standby/plan": {
      kind: "read",
      call: (h) => send("/api/standby/plan", h).run(() => getStandbyPlan()),
    },
    "GET /api/notifications": {
      kind: "read",
      call: (h) => send("/api/notifications", h).run(() => getNotifications()),
    },
    "GET /api/pools/us-east-1/app/predict": {
      kind: "read",
      call: (h) =>
        send("/api/pools/us-east-1/app/predict?desired=16", h).run((r) =>
          getPredict(r, ctx({ region: "us-east-1", pool: "app" })),
        ),
    },
    "POST /api/admin/surge": {
      kind: "surge",
      call: (h) =>
        send("/api/admin/surge", h, mutating({ region: WEST, pool: "app", factor: 2, minutes: 10 })).run(
          (r) => postSurge(r),
        ),
    },
    "DELETE /api/admin/surge": {
      kind: "surge",
      call: (h) =>
        send("/api/admin/surge", h, { ...mutating({ region: WEST, pool: "app" }), method: "DELETE" }).run(
          (r) => deleteSurge(r),
        ),
    },
    "GET /api/health": { kind: "public", call: (h) => send("/api/health", h).run(() => getHealth()) },
    "GET /api/admin/faults": {
      kind: "read",
      call: (h) => send("/api/admin/faults", h).run(() => getFaults()),
    },
    "GET /api/audit/export": {
      kind: "read",
      call: (h) => send("/api/audit/export", h).run((r) => getAuditCsv(r)),
    },
    "POST revert us-east-1/app": {
      kind: "revert",
      target: { region: "us-east-1", pool: "app" },
      call: (h) =>
        send("/api/pools/us-east-1/app/revert", h, mutating({ revertAfterMinutes: 30 })).run((r) =>
          extendRevert(r, ctx({ region: "us-east-1", pool: "app" })),
        ),
    },
    "POST /api/standby/plan": {
      kind: "plan",
      // The plan to apply is the one an admin is shown (GET), so every identity applies the same.
      async call(h) {
        const shown = await send("/api/standby/plan", ADMIN_HEADERS).run(() => getStandbyPlan());
        const { planId } = (await shown.json()) as { planId: string };
        return send(
          "/api/standby/plan",
          h,
          mutating({ planId, reason: "matrix: apply the standby plan" }),
        ).run((r) => postStandbyPlan(r));
      },
    },
  } satisfies Record<string, Action>;
}
export type ActionName = keyof ReturnType<typeof matrixActions>;
