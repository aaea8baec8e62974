import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { pageIdentity } from "@/lib/auth/page";
import { can } from "@/lib/auth/roles";
import { findPool, getConfig, regionsOf } from "@/lib/config";
import { RANGE_KEYS } from "@/lib/metrics/period";
import { rangeParam } from "@/lib/services/query";
import { isDiscoveredPool, readPool } from "@/lib/services/read-pool";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { PoolLive } from "@/components/fleet/pool-live";
import { Skeleton } from "@/components/ui/skeleton";

type Props = { params: Promise<{ region: string; pool: string }>; searchParams: Promise<{ range?: string }> };

export async function generateMetadata({ params }: Props) {
  const { region, pool } = await params;
  return { title: `${pool} · ${region}` };
}

export default async function PoolPage({ params, searchParams }: Props) {
  const { region, pool } = await params;
  const sp = await searchParams;
  const identity = await pageIdentity(`/pools/${region}/${pool}`);
  const cfg = getConfig();
  const regions = regionsOf(cfg);
  if (!regions.some((r) => r.region === region)) notFound();
  let range;
  try {
    range = rangeParam(sp.range, "6h");
  } catch (e) {
    if (e instanceof ValidationError) range = "6h" as const;
    else throw e;
  }
  const other = regions.find((r) => r.region !== region)!;
  const role = regions.find((r) => r.region === region)!.role;
  const conf = findPool(cfg, pool);
  // Decide 404 before streaming starts: once the shell is sent the status can no longer change.
  if (!conf && !(await isDiscoveredPool(region, pool))) notFound();
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-4">
        <div>
          <nav aria-label="Breadcrumb" className="text-xs text-slate-500 dark:text-slate-400">
            <Link href="/" className="hover:underline">
              Overview
            </Link>{" "}
            / {region}
          </nav>
          <h1 className="text-xl font-semibold">
            {pool}{" "}
            <span className="text-base font-normal text-slate-500 dark:text-slate-400">
              · {conf?.name ?? "discovered pool"} · {region} ({role})
            </span>
          </h1>
        </div>
        <Link
          href={`/pools/${other.region}/${pool}?range=${range}`}
          className="text-sm text-sky-700 hover:underline dark:text-sky-400"
          data-testid="other-region"
        >
          Same pool in {other.region} ({other.role}) →
        </Link>
        <nav
          aria-label="Time range"
          className="ml-auto flex overflow-hidden rounded border border-slate-300 text-sm dark:border-slate-700"
        >
          {RANGE_KEYS.map((r) => (
            <Link
              key={r}
              href={`/pools/${region}/${pool}?range=${r}`}
              aria-current={r === range ? "page" : undefined}
              className={`px-3 py-1 ${r === range ? "bg-sky-700 text-white" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}
            >
              {r}
            </Link>
          ))}
        </nav>
      </div>
      <Suspense key={range} fallback={<PoolSkeleton />}>
        <PoolBody identity={identity} region={region} pool={pool} range={range} />
      </Suspense>
    </div>
  );
}

async function PoolBody({
  identity,
  region,
  pool,
  range,
}: {
  identity: Awaited<ReturnType<typeof pageIdentity>>;
  region: string;
  pool: string;
  range: (typeof RANGE_KEYS)[number];
}) {
  const detail = await readPool(identity, region, pool, range).catch((e: unknown) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  {
    const conf = findPool(getConfig(), pool);
    const resize =
      conf && can(identity, "capacity:change", { region, pool })
        ? {
            config: {
              id: conf.id,
              guardrails: conf.guardrails,
              instance: { hourlyPrice: conf.instance.hourlyPrice },
            },
            admin: can(identity, "bounds:change", { region, pool }),
          }
        : null;
    return <PoolLive initial={detail} resize={resize} />;
  }
}

function PoolSkeleton() {
  return (
    <div className="space-y-4" aria-busy="true" aria-label="Loading pool">
      <Skeleton className="h-12 w-full" />
      <Skeleton className="h-48 w-full" />
      <Skeleton className="h-48 w-full" />
      <Skeleton className="h-48 w-full" />
    </div>
  );
}
