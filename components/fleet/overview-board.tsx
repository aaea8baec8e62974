"use client";

import { useCallback, useMemo, useState } from "react";
import type { PreviewPool } from "@/lib/shared/capacity-rules";
import type { PoolSummary, RegionView } from "@/lib/fleet/views";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { Arrivals } from "./fleet-refresh";
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
  /** The regions as the page streams them; null: the board fetches GET /api/fleet itself. */
  initial: Arrivals | null;
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
          group: {
            region: view.region,
            desired: pool.desired,
            min: pool.min,
            max: pool.max,
            hasScalingPolicies: pool.hasScalingPolicies,
            hasScheduledActions: pool.hasScheduledActions,
          },
        });
      return (
        <span className="flex gap-1">
          <Button
            variant="outline"
            size="icon"
            aria-label={`Remove one instance from ${pool.id} in ${view.region}`}
            disabled={pool.desired <= pool.min}
            onClick={() => open(pool.desired - 1)}
          >
            −
          </Button>
          <Button
            variant="outline"
            size="icon"
            aria-label={`Add one instance to ${pool.id} in ${view.region}`}
            disabled={pool.desired >= pool.max}
            onClick={() => open(pool.desired + 1)}
          >
            +
          </Button>
        </span>
      );
    },
    [mayChange, previewPools, mayAdmin],
  );

  return (
    <>
      {notice && (
        <Alert tone="info" role="status" className="mb-3">
          {notice}
        </Alert>
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
