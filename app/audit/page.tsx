import Link from "next/link";
import { AUDIT_OUTCOMES } from "@/lib/audit";
import { pageIdentity } from "@/lib/auth/page";
import { getConfig, regionsOf } from "@/lib/config";
import { AppError, ValidationError } from "@/lib/errors";
import { parseAuditFilters, readAudit, type AuditFilters, type AuditView } from "@/lib/services/read-audit";
import { changeText, filterQuery, OUTCOME_STYLES, utcTime } from "./audit-view";

export const metadata = { title: "Audit log" };

type SearchParams = Record<string, string | string[] | undefined>;

const field = "rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const qs = new URLSearchParams(Object.entries(sp).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])));
  const back = `/audit${qs.toString() ? `?${qs}` : ""}`;
  const identity = await pageIdentity(back);
  const cfg = getConfig();

  let filters: AuditFilters | null = null;
  let view: AuditView | null = null;
  let problem: AppError | null = null;
  try {
    filters = parseAuditFilters(sp);
    view = await readAudit(identity, filters);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    problem = err;
  }
  const f: Partial<AuditFilters> = filters ?? {};
  const fieldProblems = problem instanceof ValidationError ? problem.fields : undefined;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold">Audit log</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">Every attempted change, newest first. Times are UTC.</p>
      </div>

      <form method="get" action="/audit" className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900" aria-label="Filter the audit log">
        <div className="flex flex-col gap-1">
          <label htmlFor="audit-region" className="text-xs font-medium text-slate-600 dark:text-slate-400">Region</label>
          <select id="audit-region" name="region" defaultValue={f.region ?? ""} className={field}>
            <option value="">All regions</option>
            {regionsOf(cfg).map((r) => (
              <option key={r.region} value={r.region}>{r.region} ({r.role})</option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="audit-pool" className="text-xs font-medium text-slate-600 dark:text-slate-400">Pool</label>
          <select id="audit-pool" name="pool" defaultValue={f.pool ?? ""} className={field}>
            <option value="">All pools</option>
            {cfg.pools.map((p) => (
              <option key={p.id} value={p.id}>{p.id}</option>
            ))}
          </select>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="audit-actor" className="text-xs font-medium text-slate-600 dark:text-slate-400">Actor</label>
          <input id="audit-actor" name="actor" type="text" defaultValue={f.actor ?? ""} placeholder="anyone" className={field} />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="audit-outcome" className="text-xs font-medium text-slate-600 dark:text-slate-400">Outcome</label>
          <select id="audit-outcome" name="outcome" defaultValue={f.outcome ?? ""} className={field}>
            <option value="">All outcomes</option>
            {AUDIT_OUTCOMES.map((o) => (
              <option key={o} value={o}>{o === "unknown" ? "outcome unknown" : o}</option>
            ))}
          </select>
        </div>
        {f.limit !== undefined && f.limit !== 50 && <input type="hidden" name="limit" value={f.limit} />}
        <button type="submit" className="rounded bg-sky-600 px-3 py-1 text-sm font-medium text-white hover:bg-sky-700 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-400">
          Filter
        </button>
        <Link href="/audit" className="text-sm text-slate-600 hover:underline dark:text-slate-400">Clear</Link>
        <a
          href={`/api/audit/export${filterQuery(f, {}, ["cursor", "limit"])}`}
          download
          className="ml-auto rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          data-testid="audit-csv"
        >
          Download CSV
        </a>
      </form>

      {problem && (
        <div role="alert" className="rounded border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          {problem.message}
          {fieldProblems && (
            <ul className="mt-1 list-disc pl-5">
              {Object.entries(fieldProblems).map(([k, m]) => (
                <li key={k}>{k}: {m}</li>
              ))}
            </ul>
          )}
        </div>
      )}

      {view && (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full text-sm" data-testid="audit-table">
            <caption className="sr-only">Audit log, newest first</caption>
            <thead className="border-b border-slate-200 text-left text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Time (UTC)</th>
                <th scope="col" className="px-3 py-2 font-medium">Actor</th>
                <th scope="col" className="px-3 py-2 font-medium">Pool</th>
                <th scope="col" className="px-3 py-2 font-medium">Change</th>
                <th scope="col" className="px-3 py-2 font-medium">Reason</th>
                <th scope="col" className="px-3 py-2 font-medium">Outcome</th>
                <th scope="col" className="px-3 py-2 font-medium">Request id</th>
              </tr>
            </thead>
            <tbody>
              {view.records.length === 0 && (
                <tr>
                  <td colSpan={7} className="px-3 py-6 text-center text-slate-500">No matching records.</td>
                </tr>
              )}
              {view.records.map((r) => (
                <tr key={r.id} className="border-t border-slate-100 align-top dark:border-slate-800" data-testid="audit-row" data-outcome={r.outcome}>
                  <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">
                    <time dateTime={r.time}>{utcTime(r.time)}</time>
                  </td>
                  <td className="px-3 py-2">
                    {r.actor} <span className="text-xs text-slate-500 dark:text-slate-400">{r.role ?? "no role"}</span>
                  </td>
                  <td className="px-3 py-2">
                    <span className="font-medium">{r.pool}</span> <span className="text-xs text-slate-500 dark:text-slate-400">{r.region}</span>
                    {r.group && <div className="font-mono text-xs text-slate-500 dark:text-slate-400">{r.group}</div>}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2">
                    {changeText(r)}
                    <div className="text-xs text-slate-500 dark:text-slate-400">{r.action === "bounds" ? "min/max" : r.action === "faults" ? "simulation" : "desired"}</div>
                  </td>
                  <td className="max-w-xs break-words px-3 py-2">{r.reason ?? "—"}</td>
                  <td className="px-3 py-2">
                    <span className={`inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium ${OUTCOME_STYLES[r.label]}`}>{r.label}</span>
                    {(r.errorCode || r.errorMessage) && (
                      <div className="mt-1 max-w-sm break-words text-xs text-slate-700 dark:text-slate-300">
                        {r.errorCode && <span className="font-mono">{r.errorCode}</span>}
                        {r.errorCode && r.errorMessage && ": "}
                        {r.errorMessage}
                      </div>
                    )}
                    {r.note && <div className="mt-1 max-w-sm break-words text-xs text-slate-500 dark:text-slate-400">{r.note}</div>}
                    {r.effect && (
                      <div className="mt-1 max-w-sm break-words text-xs text-slate-700 dark:text-slate-300" data-testid="audit-effect" data-verdict={r.effect.verdict}>
                        <span className="font-medium">effect:</span> {r.effect.summary}
                      </div>
                    )}
                  </td>
                  <td className="px-3 py-2 font-mono text-xs text-slate-500 dark:text-slate-400">{r.requestId ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {view && (
        <nav aria-label="Audit pages" className="flex gap-4 text-sm">
          {f.cursor && (
            <Link href={`/audit${filterQuery(f, {}, ["cursor"])}`} className="text-sky-700 hover:underline dark:text-sky-400">
              ← Newest
            </Link>
          )}
          {view.nextCursor && (
            <Link href={`/audit${filterQuery(f, { cursor: view.nextCursor })}`} className="text-sky-700 hover:underline dark:text-sky-400" rel="next">
              Older →
            </Link>
          )}
        </nav>
      )}
    </div>
  );
}
