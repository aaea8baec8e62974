import Link from "next/link";
import { AUDIT_OUTCOMES } from "@/lib/audit";
import { pageIdentity } from "@/lib/auth/page";
import { getConfig, regionsOf } from "@/lib/config";
import { AppError, ValidationError } from "@/lib/errors";
import { parseAuditFilters, readAudit, type AuditFilters, type AuditView } from "@/lib/services/read-audit";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CONTROL, Field } from "@/components/ui/field";
import { changeText, filterQuery, OUTCOME_STYLES, utcTime } from "./audit-view";

export const metadata = { title: "Audit log" };

type SearchParams = Record<string, string | string[] | undefined>;

const field = `${CONTROL} text-sm`;
const label = "mb-1 block text-xs font-medium text-slate-600 dark:text-slate-400";
/** The filters with a control of their own: their problems show beside them, the rest in the box. */
const SHOWN_FIELDS = ["region", "pool", "actor", "outcome"];

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const sp = await searchParams;
  const qs = new URLSearchParams(
    Object.entries(sp).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])),
  );
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
  const hiddenProblems = Object.entries(fieldProblems ?? {}).filter(([k]) => !SHOWN_FIELDS.includes(k));

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-xl font-semibold">Audit log</h1>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Every attempted change, newest first. Times are UTC.
        </p>
      </div>

      <form
        method="get"
        action="/audit"
        className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900"
        aria-label="Filter the audit log"
      >
        <Field
          id="audit-region"
          label="Region"
          error={fieldProblems?.region}
          className=""
          labelClassName={label}
        >
          <select
            id="audit-region"
            aria-invalid={!!fieldProblems?.region}
            aria-describedby="audit-region-error"
            name="region"
            defaultValue={f.region ?? ""}
            className={field}
          >
            <option value="">All regions</option>
            {regionsOf(cfg).map((r) => (
              <option key={r.region} value={r.region}>
                {r.region} ({r.role})
              </option>
            ))}
          </select>
        </Field>
        <Field id="audit-pool" label="Pool" error={fieldProblems?.pool} className="" labelClassName={label}>
          <select
            id="audit-pool"
            aria-invalid={!!fieldProblems?.pool}
            aria-describedby="audit-pool-error"
            name="pool"
            defaultValue={f.pool ?? ""}
            className={field}
          >
            <option value="">All pools</option>
            {cfg.pools.map((p) => (
              <option key={p.id} value={p.id}>
                {p.id}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="audit-actor"
          label="Actor"
          error={fieldProblems?.actor}
          className=""
          labelClassName={label}
        >
          <input
            id="audit-actor"
            aria-invalid={!!fieldProblems?.actor}
            aria-describedby="audit-actor-error"
            name="actor"
            type="text"
            defaultValue={f.actor ?? ""}
            placeholder="anyone"
            className={field}
          />
        </Field>
        <Field
          id="audit-outcome"
          label="Outcome"
          error={fieldProblems?.outcome}
          className=""
          labelClassName={label}
        >
          <select
            id="audit-outcome"
            aria-invalid={!!fieldProblems?.outcome}
            aria-describedby="audit-outcome-error"
            name="outcome"
            defaultValue={f.outcome ?? ""}
            className={field}
          >
            <option value="">All outcomes</option>
            {AUDIT_OUTCOMES.map((o) => (
              <option key={o} value={o}>
                {o === "unknown" ? "outcome unknown" : o}
              </option>
            ))}
          </select>
        </Field>
        {f.limit !== undefined && f.limit !== 50 && <input type="hidden" name="limit" value={f.limit} />}
        <Button variant="primary" type="submit">
          Filter
        </Button>
        <Link href="/audit" className="text-sm text-slate-600 hover:underline dark:text-slate-400">
          Clear
        </Link>
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
        <Alert tone="error">
          {problem.message}
          {hiddenProblems.length > 0 && (
            <ul className="mt-1 list-disc pl-5">
              {hiddenProblems.map(([k, m]) => (
                <li key={k}>
                  {k}: {m}
                </li>
              ))}
            </ul>
          )}
        </Alert>
      )}

      {view && (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <table className="w-full text-sm" data-testid="audit-table">
            <caption className="sr-only">Audit log, newest first</caption>
            <thead className="border-b border-slate-200 text-left text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  Time (UTC)
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Actor
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Pool
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Change
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Reason
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Outcome
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Request id
                </th>
              </tr>
            </thead>
            <tbody>
              {view.records.length === 0 && (
                <tr>
                  <td colSpan={7} className="px-3 py-6 text-center text-slate-500 dark:text-slate-400">
                    No matching records.
                  </td>
                </tr>
              )}
              {view.records.map((r) => (
                <tr
                  key={r.id}
                  className="border-t border-slate-100 align-top dark:border-slate-800"
                  data-testid="audit-row"
                  data-outcome={r.outcome}
                >
                  <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">
                    <time dateTime={r.time}>{utcTime(r.time)}</time>
                  </td>
                  <td className="px-3 py-2">
                    {r.actor}{" "}
                    <span className="text-xs text-slate-500 dark:text-slate-400">{r.role ?? "no role"}</span>
                  </td>
                  <td className="px-3 py-2">
                    <span className="font-medium">{r.pool}</span>{" "}
                    <span className="text-xs text-slate-500 dark:text-slate-400">{r.region}</span>
                    {r.group && (
                      <div className="font-mono text-xs text-slate-500 dark:text-slate-400">{r.group}</div>
                    )}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2">
                    {changeText(r)}
                    <div className="text-xs text-slate-500 dark:text-slate-400">
                      {r.action === "bounds" ? "min/max" : r.action === "faults" ? "simulation" : "desired"}
                    </div>
                  </td>
                  <td className="max-w-xs break-words px-3 py-2">{r.reason ?? "—"}</td>
                  <td className="px-3 py-2">
                    <span
                      className={`inline-block whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium ${OUTCOME_STYLES[r.label]}`}
                    >
                      {r.label}
                    </span>
                    {(r.errorCode || r.errorMessage) && (
                      <div className="mt-1 max-w-sm break-words text-xs text-slate-700 dark:text-slate-300">
                        {r.errorCode && <span className="font-mono">{r.errorCode}</span>}
                        {r.errorCode && r.errorMessage && ": "}
                        {r.errorMessage}
                      </div>
                    )}
                    {r.note && (
                      <div className="mt-1 max-w-sm break-words text-xs text-slate-500 dark:text-slate-400">
                        {r.note}
                      </div>
                    )}
                    {r.effect && (
                      <div
                        className="mt-1 max-w-sm break-words text-xs text-slate-700 dark:text-slate-300"
                        data-testid="audit-effect"
                        data-verdict={r.effect.verdict}
                      >
                        <span className="font-medium">effect:</span> {r.effect.summary}
                      </div>
                    )}
                  </td>
                  <td className="px-3 py-2 font-mono text-xs text-slate-500 dark:text-slate-400">
                    {r.requestId ?? "—"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {view && (
        <nav aria-label="Audit pages" className="flex gap-4 text-sm">
          {f.cursor && (
            <Link
              href={`/audit${filterQuery(f, {}, ["cursor"])}`}
              className="text-sky-700 hover:underline dark:text-sky-400"
            >
              ← Newest
            </Link>
          )}
          {view.nextCursor && (
            <Link
              href={`/audit${filterQuery(f, { cursor: view.nextCursor })}`}
              className="text-sky-700 hover:underline dark:text-sky-400"
              rel="next"
            >
              Older →
            </Link>
          )}
        </nav>
      )}
    </div>
  );
}
