import { z } from "zod";

// The fleet configuration contract (fleet.config.yaml). Unknown keys are errors so a typo
// stops start-up instead of being silently ignored.

const regionName = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected an AWS region such as us-east-1");
const poolId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, "expected lower-case letters, digits and dashes, starting with a letter");
const count = z.number().int().min(0);

/** A dimension value is one string for every region, or one per region. `{group}` is the group name. */
const dimensionValue = z.union([z.string().min(1), z.record(regionName, z.string().min(1))]);

export const statisticSchema = z.union([
  z.enum(["Average", "Maximum", "Minimum", "Sum", "SampleCount"]),
  z
    .string()
    .regex(
      /^p\d{1,2}(\.\d+)?$/,
      "expected Average, Maximum, Minimum, Sum, SampleCount or pNN",
    ) as z.ZodType<`p${number}`>,
]);

export const metricSchema = z.strictObject({
  namespace: z.string().min(1),
  metric: z.string().min(1),
  dimensions: z.record(z.string().min(1), dimensionValue),
  statistic: statisticSchema,
  unit: z.enum(["Seconds", "Milliseconds", "Percent", "Count"]),
  /**
   * The metric's own resolution in seconds: 60 with detailed monitoring, 300 with basic. Series
   * are never asked for finer than this, and refresh at this period (CloudWatch bills per request).
   */
  period: z.union([z.literal(60), z.literal(300)]).default(60),
});

const perRegionCount = z.record(regionName, count);

const simCapacity = z
  .strictObject({ min: count, max: count, desired: count })
  .refine((c) => c.min <= c.desired && c.desired <= c.max, {
    message: "expected min <= desired <= max",
  });

export const poolSchema = z.strictObject({
  id: poolId,
  name: z.string().min(1),
  tier: z.enum(["web", "worker", "infra"]),
  groups: z.record(regionName, z.string().min(1).max(255)).optional(),
  metrics: z
    .strictObject({
      cpu: metricSchema.optional(),
      pageLoad: metricSchema.optional(),
      /** Companion statistic for the pool page (p50 next to p90). */
      pageLoadMedian: metricSchema.optional(),
      backlog: metricSchema.optional(),
      /**
       * Arrivals per period (web: ALB RequestCount per target group, Sum; workers: the queue's
       * messages sent). The advisor's measured λ; counts toward the CloudWatch cost.
       */
      requestCount: metricSchema.optional(),
    })
    .default({}),
  guardrails: z
    .strictObject({
      floor: perRegionCount.default({}),
      maxStep: z.number().int().min(1).optional(),
    })
    .default({ floor: {} }),
  instance: z.strictObject({
    type: z.string().min(1),
    hourlyPrice: z.number().min(0),
  }),
  /** What "healthy" means for this pool; drives status, the standby verdict and advice. */
  targets: z
    .strictObject({
      pageLoadP90Ms: z.number().positive().optional(),
      cpuPercent: z.number().min(1).max(100).default(70),
      backlog: z.number().min(0).optional(),
    })
    .default({ cpuPercent: 70 }),
  /** Only read by the simulated backend: sizes and load of the pretend fleet. */
  simulation: z
    .strictObject({
      capacity: z.record(regionName, simCapacity),
      /** Requests (web) or jobs (workers) per second one instance serves at 100 % CPU. */
      throughputPerInstance: z.number().positive(),
      /** Primary-region arrivals per second at the weekday afternoon peak. */
      peakRate: z.number().min(0),
      /** Sequential requests a page load makes (web). */
      requestsPerPage: z.number().int().min(1).default(1),
      /** Bursts: "hourly" spikes on the hour (calendar fetchers), "marketing" rare long spikes. */
      bursts: z.enum(["none", "hourly", "marketing"]).default("none"),
      /** Pools whose traffic this pool also carries (the proxy sees every web pool behind it). */
      fronts: z.array(poolId).default([]),
      hasScalingPolicies: z.boolean().default(false),
      hasScheduledActions: z.boolean().default(false),
    })
    .optional(),
});

/** Who may do what (lib/auth/roles.ts): here because grants and tokens name them. */
export const ROLE_NAMES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLE_NAMES)[number];

const tokenSchema = z.strictObject({
  name: z.string().min(1),
  role: z.enum(ROLE_NAMES),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "expected a hex SHA-256 of the token"),
  scope: z
    .strictObject({ regions: z.array(regionName).optional(), pools: z.array(z.string()).optional() })
    .optional(),
});

const roleGrant = z.union([
  z.enum(ROLE_NAMES),
  z.strictObject({
    role: z.enum(ROLE_NAMES),
    regions: z.array(regionName).optional(),
    /** Pool ids or globs such as `worker-*`. */
    pools: z.array(z.string()).optional(),
  }),
]);

export const authSchema = z.strictObject({
  mode: z.enum(["dev", "alb", "tokens"]),
  sessionHours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  tokens: z.array(tokenSchema).default([]),
  alb: z
    .strictObject({
      arns: z
        .array(
          z
            .string()
            .regex(
              /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/.+/,
              "expected an ALB ARN",
            ),
        )
        .min(1),
      nameClaim: z.string().default("email"),
      groupsClaim: z.string().default("groups"),
      roles: z.record(z.string(), roleGrant),
      /**
       * Expected `iss` of the user claims (the IdP's issuer). Required: without it a token from
       * another IdP configured on the same ALB would be accepted.
       */
      issuer: z.string().url(),
      /**
       * Expected `client` (OIDC client id) in the token header. Required: without it a token from
       * another listener rule (another OIDC client) on the same ALB would be accepted.
       */
      clientId: z.string().min(1),
      /**
       * Test only: fetch ALB public keys from `<testKeyBaseUrl>/<region of the ARN>/<kid>`.
       * Start-up refuses it when NODE_ENV=production unless CAPSTAN_ALLOW_TEST_KEYS=1.
       */
      testKeyBaseUrl: z.string().url().optional(),
    })
    .optional(),
});

/** Environment variable names only: URLs and secrets never sit in the file. */
const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, "expected the name of an environment variable (A-Z, 0-9, _)");
/** An event type glob: `capacity.*`, `pool.degraded`, `*`. */
const eventGlob = z
  .string()
  .regex(/^(\*|[a-z-]+(\.(\*|[a-z-]+))?)$/, 'expected an event type or a glob such as "capacity.*" or "*"');

export const notifySchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("slack"), urlEnv: envName, events: z.array(eventGlob).min(1) }),
  z.strictObject({
    kind: z.literal("webhook"),
    urlEnv: envName,
    secretEnv: envName,
    events: z.array(eventGlob).min(1),
  }),
]);

export const configSchema = z
  .strictObject({
    backend: z.enum(["simulated", "aws"]),
    regions: z.strictObject({ primary: regionName, standby: regionName }),
    discovery: z
      .strictObject({ tagKey: z.string().min(1).default("capstan:pool") })
      .default({ tagKey: "capstan:pool" }),
    refresh: z
      .strictObject({
        /** Seconds between capacity refreshes (Auto Scaling describes are free). */
        capacitySeconds: z.number().int().min(5).default(15),
        /** Per-region upstream timeout. */
        timeoutMs: z.number().int().min(100).default(5000),
      })
      .default({ capacitySeconds: 15, timeoutMs: 5000 }),
    pools: z.array(poolSchema).min(1),
    simulation: z
      .strictObject({
        seed: z.number().int(),
        warmupSeconds: z.number().int().min(0).default(90),
        /** Traffic growth a week, compounding from when the simulated fleet started: 0 keeps it flat. */
        weeklyGrowthPercent: z.number().min(0).max(20).default(2),
      })
      .default({ seed: 42, warmupSeconds: 90, weeklyGrowthPercent: 2 }),
    auth: authSchema,
    /** Where events go (Slack incoming webhooks, signed generic webhooks). */
    notify: z.array(notifySchema).default([]),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.regions.primary === cfg.regions.standby) {
      ctx.addIssue({
        code: "custom",
        path: ["regions", "standby"],
        message: "must differ from regions.primary",
      });
    }
    const seen = new Set<string>();
    cfg.pools.forEach((p, i) => {
      if (seen.has(p.id))
        ctx.addIssue({ code: "custom", path: ["pools", i, "id"], message: `duplicate pool id "${p.id}"` });
      seen.add(p.id);
      if (cfg.backend === "simulated" && !p.simulation) {
        ctx.addIssue({
          code: "custom",
          path: ["pools", i, "simulation"],
          message: "required with backend: simulated",
        });
      }
      for (const f of p.simulation?.fronts ?? []) {
        if (!cfg.pools.some((q) => q.id === f)) {
          ctx.addIssue({
            code: "custom",
            path: ["pools", i, "simulation", "fronts"],
            message: `unknown pool "${f}"`,
          });
        }
      }
    });
  });

export type FleetConfig = z.infer<typeof configSchema>;
export type PoolConfig = z.infer<typeof poolSchema>;
export type MetricConfig = z.infer<typeof metricSchema>;
export type AuthConfig = z.infer<typeof authSchema>;
export type NotifyTarget = z.infer<typeof notifySchema>;
