import "server-only";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ensurePrivateDir, PRIVATE_FILE_MODE } from "@/lib/store/private-files";

// The simulation's only memory: each group's bounds, its instances (with the instants they
// launched, entered service, turned unhealthy, started terminating) and its activities. Metrics
// are recomputed from these and the seed, so the file stays small however long the server runs.
// Times are epoch ms.

const instanceSchema = z.strictObject({
  id: z.string(),
  az: z.string(),
  type: z.string(),
  launchedAt: z.number(),
  inServiceAt: z.number(),
  unhealthyAt: z.number().optional(),
  terminatingAt: z.number().optional(),
  terminatedAt: z.number().optional(),
});

const activitySchema = z.strictObject({
  id: z.string(),
  /** Creation order within the group: ties on start time sort newest first by it. */
  n: z.number().int(),
  kind: z.enum(["launch", "terminate"]),
  instanceId: z.string(),
  start: z.number(),
  /** When the activity reaches Successful; its status before that is derived from the clock. */
  end: z.number(),
  cause: z.string(),
});

/** One change of bounds or desired, so capacity history can be drawn. */
const capacityEventSchema = z.strictObject({
  t: z.number(),
  min: z.number(),
  max: z.number(),
  desired: z.number(),
});

const groupSchema = z
  .strictObject({
    region: z.string(),
    poolId: z.string(),
    min: z.number().int().min(0),
    max: z.number().int().min(0),
    desired: z.number().int().min(0),
    /** Next instance / activity sequence number (ids are hashes of it). */
    seq: z.number().int(),
    instances: z.array(instanceSchema),
    activities: z.array(activitySchema),
    capacity: z.array(capacityEventSchema),
    /** Health events are processed up to this instant. */
    healthCursor: z.number(),
  })
  .check((ctx) => {
    // What AWS would never hold: a hand-edited or damaged file must not become the fleet.
    const g = ctx.value;
    if (g.min > g.max)
      ctx.issues.push({
        code: "custom",
        input: g,
        path: ["min"],
        message: `min ${g.min} is greater than max ${g.max}`,
      });
    else if (g.desired < g.min || g.desired > g.max)
      ctx.issues.push({
        code: "custom",
        input: g,
        path: ["desired"],
        message: `desired ${g.desired} is outside min ${g.min}..max ${g.max}`,
      });
  });

/**
 * An admin's load surge: the pool's own arrivals times `factor` over [start, end). Kept after it
 * ends (until it leaves the 8-day history), so graphs of the past still show it.
 */
const surgeSchema = z.strictObject({
  region: z.string(),
  poolId: z.string(),
  factor: z.number().positive(),
  start: z.number(),
  end: z.number(),
});

const stateSchema = z.strictObject({
  version: z.literal(1),
  seed: z.number().int(),
  /** Keyed "<region>/<pool id>". */
  groups: z.record(z.string(), groupSchema),
  /** Optional, so state saved before surges existed still loads. */
  surges: z.array(surgeSchema).optional(),
  /**
   * When this fleet started (epoch ms): its traffic grows week over week from here. Saved, so a
   * restart keeps the same traffic; optional, so state saved before growth existed still loads
   * (its epoch becomes the first start that reads it).
   */
  growthEpoch: z.number().optional(),
});

export type SimInstance = z.infer<typeof instanceSchema>;
export type SimActivity = z.infer<typeof activitySchema>;
export type CapacityEvent = z.infer<typeof capacityEventSchema>;
export type SimGroup = z.infer<typeof groupSchema>;
export type SimState = z.infer<typeof stateSchema>;
export type SimSurge = z.infer<typeof surgeSchema>;

export const STATE_FILE = "simulated-fleet.json";

export class StateStore {
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, STATE_FILE);
  }

  /** The saved state, or null when there is none yet. A damaged file is an error, never a reset. */
  load(): SimState | null {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new Error(`${this.file}: cannot read the simulated fleet state (${(e as Error).message})`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(
        `${this.file}: the simulated fleet state is corrupt (not valid JSON: ${(e as Error).message}); delete the file to start a fresh simulated fleet`,
      );
    }
    const parsed = stateSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "unexpected shape";
      throw new Error(
        `${this.file}: the simulated fleet state is corrupt (${where}); delete the file to start a fresh simulated fleet`,
      );
    }
    return parsed.data;
  }

  /** Write to a temporary file and rename over the old one, so a crash never leaves half a file. */
  save(state: SimState): void {
    ensurePrivateDir(path.dirname(this.file));
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state), { mode: PRIVATE_FILE_MODE, flush: true });
    renameSync(tmp, this.file);
  }
}
