import { pageIdentity } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { getConfig } from "@/lib/config";
import { streamFleet } from "@/lib/services/read-fleet";
import { OverviewBoard } from "@/components/fleet/overview-board";

export default async function OverviewPage() {
  const identity = await pageIdentity("/");
  const { catalogue, regions, promises } = streamFleet(identity, "1h");
  const cfg = getConfig();
  const changeable = regions.flatMap((r) => catalogue.filter((p) => can(identity, "capacity:change", { region: r.region, pool: p.id })).map((p) => `${r.region}/${p.id}`));
  const previewPools = Object.fromEntries(
    cfg.pools.map((p) => [p.id, { id: p.id, guardrails: p.guardrails, instance: { hourlyPrice: p.instance.hourlyPrice } }]),
  );
  return (
    <OverviewBoard
      catalogue={catalogue}
      regions={regions}
      initial={promises}
      changeable={changeable}
      previewPools={changeable.length ? previewPools : {}}
      admin={can(identity, "bounds:change")}
    />
  );
}
