"use client";

import { useCallback, useMemo, useState } from "react";
import type { PreviewPool } from "@/lib/shared/capacity-rules";
import type { PoolSummary, RegionView } from "@/lib/fleet/views";
import { FLEET_CHANGED, FleetBoard, type PoolRef } from "./fleet-board";
import type { ViewState } from "./view-state";
import { ResizeDialog, type ResizeRequest } from "./resize-dialog";

/**
 * The overview with − / + on each pool the signed-in identity may change. Who may change what is
 * decided on the server (`changeable`); the API enforces it again on submit.
 */
export function OverviewBoard({
  catalogue,
  regions,
  initial,
  changeable,
  previewPools,
  adminOf,
  initialView,
  refreshMs,
}: {
  catalogue: PoolRef[];
  regions: { region: string; role: string }[];
  /** Each region as the page streams it; null: the board fetches GET /api/fleet itself. */
  initial: Promise<RegionView>[] | null;
  /** `${region}/${pool}` keys the identity may resize. */
  changeable: string[];
  previewPools: Record<string, PreviewPool>;
  /** `${region}/${pool}` keys where the identity may also change min/max and override guardrails. */
  adminOf: string[];
  /** ?q=, ?status=, ?sort= as the page was asked for. */
  initialView: ViewState;
  refreshMs: number;
}) {
  const [request, setRequest] = useState<ResizeRequest | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const mayChange = useMemo(() => new Set(changeable), [changeable]);
  const mayAdmin = useMemo(() => new Set(adminOf), [adminOf]);
  // Stable across the board's own refreshes, so rows that did not change are not drawn again.
  const renderControls = useCallback(
    (pool: PoolSummary, view: RegionView) => {
      const allowed = mayChange.has(`${view.region}/${pool.id}`);
      const cfg = previewPools[pool.id];
      if (!cfg || !allowed || view.status !== "ok") return null;
      const open = (desired: number) =>
        setRequest({
          region: view.region,
          pool: cfg,
          admin: mayAdmin.has(`${view.region}/${pool.id}`),
          desired,
          group: { region: view.region, desired: pool.desired, min: pool.min, max: pool.max, hasScalingPolicies: pool.hasScalingPolicies, hasScheduledActions: pool.hasScheduledActions },
        });
      const btn = "h-6 w-6 rounded border border-slate-300 text-sm leading-none hover:bg-slate-100 disabled:opacity-30 dark:border-slate-700 dark:hover:bg-slate-800";
      return (
        <span className="flex gap-1">
          <button type="button" className={btn} aria-label={`Remove one instance from ${pool.id} in ${view.region}`} disabled={pool.desired <= pool.min} onClick={() => open(pool.desired - 1)}>
            −
          </button>
          <button type="button" className={btn} aria-label={`Add one instance to ${pool.id} in ${view.region}`} disabled={pool.desired >= pool.max} onClick={() => open(pool.desired + 1)}>
            +
          </button>
        </span>
      );
    },
    [mayChange, previewPools, mayAdmin],
  );

  return (
    <>
      {notice && (
        <p role="status" className="mb-3 rounded border border-sky-300 bg-sky-50 px-3 py-2 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-200">
          {notice}
        </p>
      )}
      <FleetBoard
        catalogue={catalogue}
        regions={regions}
        initial={initial}
        renderControls={renderControls}
        initialView={initialView}
        refreshMs={refreshMs}
      />
      {request && (
        <ResizeDialog
          key={`${request.region}/${request.pool.id}`}
          request={request}
          onClose={() => setRequest(null)}
          onDone={(message) => {
            setNotice(message);
            window.dispatchEvent(new Event(FLEET_CHANGED));
          }}
        />
      )}
    </>
  );
}
