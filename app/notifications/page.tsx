import { pageIdentity } from "@/lib/auth/page";
import { AppError } from "@/lib/errors";
import { readNotifications, type NotificationsView } from "@/lib/services/read-notifications";
import { fmtUtc } from "@/components/ui/format";
import { Alert } from "@/components/ui/alert";

export const metadata = { title: "Notifications" };
export const dynamic = "force-dynamic";

const STATE_STYLES: Record<string, string> = {
  delivered: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  pending: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  failed: "bg-red-100 text-red-900 dark:bg-red-950 dark:text-red-200",
};

/** Admins: where events go, and every delivery with its attempts and last error (never a URL or secret). */
export default async function NotificationsPage() {
  const identity = await pageIdentity("/notifications");
  let view: NotificationsView | null = null;
  let problem: string | null = null;
  try {
    view = await readNotifications(identity);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    problem = err.message;
  }
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold">Notifications</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          What Capstan told the team, and where. Times are UTC.
        </p>
      </div>
      {problem && <Alert tone="warning">{problem}</Alert>}
      {view && (
        <>
          <section
            aria-labelledby="targets-title"
            className="rounded-lg border border-slate-200 bg-white p-3 text-sm dark:border-slate-800 dark:bg-slate-900"
          >
            <h2 id="targets-title" className="mb-1 font-medium">
              Targets
            </h2>
            {view.targets.length === 0 ? (
              <p className="text-slate-600 dark:text-slate-400">
                None configured: add <code>notify</code> to fleet.config.yaml (see the README).
              </p>
            ) : (
              <ul className="space-y-0.5" data-testid="notify-targets">
                {view.targets.map((t, i) => (
                  <li key={i}>
                    <span className="font-medium">{t.kind}</span> via <code>{t.urlEnv}</code> ·{" "}
                    {t.events.join(", ")}
                  </li>
                ))}
              </ul>
            )}
            <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
              {view.counts.delivered} delivered · {view.counts.pending} pending · {view.counts.failed} failed
              (of the latest {view.deliveries.length})
            </p>
          </section>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <table className="w-full text-sm" data-testid="deliveries">
              <thead className="border-b border-slate-200 text-left text-xs text-slate-500 dark:text-slate-400 dark:border-slate-800 dark:text-slate-400">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Event
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Target
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    State
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Attempts
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Last error
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Queued
                  </th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    Delivered
                  </th>
                </tr>
              </thead>
              <tbody>
                {view.deliveries.length === 0 && (
                  <tr>
                    <td colSpan={7} className="px-3 py-4 text-center text-slate-500 dark:text-slate-400">
                      No notifications yet.
                    </td>
                  </tr>
                )}
                {view.deliveries.map((d) => (
                  <tr
                    key={d.id}
                    className="border-t border-slate-100 dark:border-slate-800"
                    data-testid="delivery-row"
                    data-state={d.state}
                  >
                    <td className="px-3 py-2">
                      <div className="font-medium">{d.type}</div>
                      <div className="text-xs text-slate-500 dark:text-slate-400">{d.summary}</div>
                    </td>
                    <td className="px-3 py-2">
                      {d.target.kind}{" "}
                      <span className="text-xs text-slate-500 dark:text-slate-400">({d.target.urlEnv})</span>
                    </td>
                    <td className="px-3 py-2">
                      <span
                        className={`rounded px-1.5 py-0.5 text-xs font-medium ${STATE_STYLES[d.state] ?? ""}`}
                      >
                        {d.state}
                      </span>
                      {d.nextAttemptAt && (
                        <div className="text-xs text-slate-500 dark:text-slate-400">
                          next {fmtUtc(d.nextAttemptAt)}
                        </div>
                      )}
                    </td>
                    <td className="px-3 py-2 tabular-nums">{d.attempts}</td>
                    <td className="px-3 py-2 text-xs">{d.lastError ?? "—"}</td>
                    <td className="px-3 py-2 text-xs">{fmtUtc(d.createdAt)}</td>
                    <td className="px-3 py-2 text-xs">{d.deliveredAt ? fmtUtc(d.deliveredAt) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
