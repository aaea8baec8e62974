import type { Instance, Point } from "@/lib/fleet/types";
import { fmtUtc } from "@/components/ui/format";
import { toWire } from "@/lib/shared/wire";
import { Sparkline } from "./sparkline";

const LIFECYCLE: Record<string, string> = {
  InService: "text-emerald-700 dark:text-emerald-400",
  Pending: "text-sky-700 dark:text-sky-400",
  Terminating: "text-slate-500 dark:text-slate-400",
};

export function InstancesTable({
  instances,
  cpu = {},
}: {
  instances: Instance[];
  cpu?: Record<string, Point[]>;
}) {
  if (instances.length === 0)
    return <p className="text-sm text-slate-500 dark:text-slate-400">No instances.</p>;
  return (
    <table className="w-full text-sm" data-testid="instances">
      <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
        <tr>
          <th scope="col" className="py-1 pr-3 font-medium">
            Instance
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            AZ
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Lifecycle
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Health
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Type
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Launched
          </th>
          <th scope="col" className="py-1 font-medium">
            CPU, last hour
          </th>
        </tr>
      </thead>
      <tbody>
        {instances.map((i) => (
          <tr
            key={i.id}
            data-testid={`instance-${i.id}`}
            className="border-t border-slate-100 dark:border-slate-800"
          >
            <td className="py-1 pr-3 font-mono text-xs">{i.id}</td>
            <td className="py-1 pr-3 text-xs">{i.availabilityZone}</td>
            <td className={`py-1 pr-3 text-xs font-medium ${LIFECYCLE[i.lifecycleState] ?? ""}`}>
              {i.lifecycleState}
            </td>
            <td
              className={`py-1 pr-3 text-xs ${i.health === "Unhealthy" ? "font-medium text-red-700 dark:text-red-400" : ""}`}
            >
              {i.health}
            </td>
            <td className="py-1 pr-3 text-xs">{i.instanceType}</td>
            <td className="whitespace-nowrap py-1 pr-3 text-xs" data-testid="launch-time">
              {i.launchTime ? fmtUtc(i.launchTime, true) : "unknown"}
            </td>
            <td className="py-1 text-xs">
              <Sparkline series={toWire(cpu[i.id] ?? [])} max={100} label={`CPU of ${i.id}`} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
