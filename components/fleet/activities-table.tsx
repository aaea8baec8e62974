import type { ScalingActivity } from "@/lib/fleet/types";
import { fmtUtc } from "@/components/ui/format";

const DONE = new Set(["Successful", "Failed", "Cancelled"]);

export function ActivitiesTable({ activities }: { activities: ScalingActivity[] }) {
  if (activities.length === 0) {
    return (
      <p className="text-sm text-slate-500 dark:text-slate-400">
        No scaling activities in the last six weeks.
      </p>
    );
  }
  return (
    <table className="w-full text-sm" data-testid="activities">
      <thead className="text-left text-xs text-slate-500 dark:text-slate-400">
        <tr>
          <th scope="col" className="py-1 pr-3 font-medium">
            Status
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Progress
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Activity
          </th>
          <th scope="col" className="py-1 pr-3 font-medium">
            Started
          </th>
          <th scope="col" className="py-1 font-medium">
            Ended
          </th>
        </tr>
      </thead>
      <tbody>
        {activities.map((a) => (
          <tr key={a.id} className="border-t border-slate-100 align-top dark:border-slate-800">
            <td className="py-1.5 pr-3">
              <span
                className={
                  a.statusCode === "Failed"
                    ? "text-red-700 dark:text-red-400"
                    : DONE.has(a.statusCode)
                      ? ""
                      : "font-medium text-sky-700 dark:text-sky-400"
                }
              >
                {a.statusCode}
              </span>
              {a.statusMessage && (
                <div className="text-xs text-red-700 dark:text-red-400">{a.statusMessage}</div>
              )}
            </td>
            <td className="py-1.5 pr-3">
              <div
                className="h-1.5 w-20 rounded bg-slate-200 dark:bg-slate-800"
                role="progressbar"
                aria-valuenow={a.progress}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-label="progress"
              >
                <div className="h-1.5 rounded bg-sky-500" style={{ width: `${a.progress}%` }} />
              </div>
              <span className="text-xs text-slate-500 dark:text-slate-400">{a.progress} %</span>
            </td>
            <td className="py-1.5 pr-3">
              <div>{a.description}</div>
              <div className="text-xs text-slate-500 dark:text-slate-400">{a.cause}</div>
            </td>
            <td className="whitespace-nowrap py-1.5 pr-3 text-xs">{fmtUtc(a.startTime, true)}</td>
            <td className="whitespace-nowrap py-1.5 text-xs">{a.endTime ? fmtUtc(a.endTime, true) : "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
