import { pageIdentity } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { getConfig } from "@/lib/config";
import { streamFleet } from "@/lib/services/read-fleet";
import { OverviewBoard } from "@/components/fleet/overview-board";

export default async function OverviewPage() {
  const identity = await pageIdentity("/");
  const { catalogue, regions, promises } = streamFleet(identity, "1h");
  const cfg = getConfig();
  // What this identity may do where, decided here; the API enforces it again on submit.
  const keys = (action: "capacity:change" | "bounds:change") =>
    regions.flatMap((r) => catalogue.filter((p) => can(identity, action, { region: r.region, pool: p.id })).map((p) => `${r.region}/${p.id}`));
  const changeable = keys("capacity:change");
  const changeablePools = new Set(changeable.map((k) => k.split("/")[1]));
  // Only the pools this identity may change: their guardrails and prices are no one else's business.
  const previewPools = Object.fromEntries(
    cfg.pools
      .filter((p) => changeablePools.has(p.id))
      .map((p) => [p.id, { id: p.id, guardrails: p.guardrails, instance: { hourlyPrice: p.instance.hourlyPrice } }]),
  );
  return (
    <OverviewBoard
      catalogue={catalogue}
      regions={regions}
      initial={promises}
      changeable={changeable}
      adminOf={keys("bounds:change")}
      previewPools={previewPools}
    />
  );
}
