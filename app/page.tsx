import { pageIdentity } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { getConfig } from "@/lib/config";
import { readOverview } from "@/lib/services/read-fleet";
import { OverviewBoard } from "@/components/fleet/overview-board";
import { parseView } from "@/components/fleet/view-state";
import { EARLY_FLEET_FETCH } from "@/components/fleet/early-fetch";
import { headers } from "next/headers";

/**
 * The board's refresh interval: 15 s; CAPSTAN_OVERVIEW_REFRESH_MS (≥ 500) shortens it for the
 * benchmark, which watches the browser's memory over many refreshes.
 */
function refreshMs(): number {
  const v = Number(process.env.CAPSTAN_OVERVIEW_REFRESH_MS);
  return Number.isInteger(v) && v >= 500 ? v : 15_000;
}

/**
 * Up to this many pools the page streams each region into its HTML as it arrives (a slow region
 * never blanks the fast one): the board reads them with `use()` inside `<Suspense>`, so the server
 * HTML carries the pools' figures rather than skeletons. Beyond it the inlined data alone would be most of a megabyte of
 * HTML to parse before anything draws: an inline script asks GET /api/fleet (compressed, the same
 * lean shape) while the page's scripts load, and the board draws from its answer; the reads
 * started here have already warmed the cache it reads.
 */
const STREAM_UP_TO = 80;

export default async function OverviewPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const identity = await pageIdentity("/");
  const { catalogue, regions, arrivals } = readOverview(identity, "1h");
  const cfg = getConfig();
  const params = await searchParams;
  const initialView = parseView({ get: (k) => (typeof params[k] === "string" ? params[k] : null) });
  // What this identity may do where, decided here; the API enforces it again on submit.
  const keys = (action: "capacity:change" | "bounds:change") =>
    regions.flatMap((r) =>
      catalogue
        .filter((p) => can(identity, action, { region: r.region, pool: p.id }))
        .map((p) => `${r.region}/${p.id}`),
    );
  const changeable = keys("capacity:change");
  const changeablePools = new Set(changeable.map((k) => k.split("/")[1]));
  // Only the pools this identity may change: their guardrails and prices are no one else's business.
  const previewPools = Object.fromEntries(
    cfg.pools
      .filter((p) => changeablePools.has(p.id))
      .map((p) => [
        p.id,
        { id: p.id, guardrails: p.guardrails, instance: { hourlyPrice: p.instance.hourlyPrice } },
      ]),
  );
  const big = catalogue.length >= STREAM_UP_TO;
  const nonce = big ? ((await headers()).get("x-nonce") ?? undefined) : undefined;
  return (
    <>
      {big && <script nonce={nonce} dangerouslySetInnerHTML={{ __html: EARLY_FLEET_FETCH }} />}
      <OverviewBoard
        catalogue={catalogue}
        regions={regions}
        initial={big ? null : arrivals}
        changeable={changeable}
        adminOf={keys("bounds:change")}
        previewPools={previewPools}
        initialView={initialView}
        refreshMs={refreshMs()}
      />
    </>
  );
}
