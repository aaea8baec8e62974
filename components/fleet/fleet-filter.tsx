"use client";

import { useEffect, useRef } from "react";
import { SORTS, type SortKey, type ViewState } from "./view-state";

/** Is the keyboard busy typing somewhere (so "/" is a character, not a shortcut)? */
function typing(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}

/**
 * Finding a pool: a filter box ("/" focuses it, Escape clears it), "needs attention" and the sort
 * order, on one compact line beside the title. The state lives in the board (and the URL).
 */
export function FleetFilter({
  view,
  onChange,
  shown,
  total,
  attention,
}: {
  view: ViewState;
  onChange: (next: ViewState) => void;
  shown: number;
  total: number;
  attention: number;
}) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      if (document.querySelector("[role=dialog]")) return;
      e.preventDefault();
      input.current?.focus();
      input.current?.select();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const filtered = view.q.trim() !== "" || view.status !== "all";
  const control =
    "h-7 rounded border border-slate-300 bg-white px-2 text-xs dark:border-slate-700 dark:bg-slate-900";
  return (
    <div role="search" aria-label="Find pools" className="flex flex-wrap items-center gap-2">
      <label className="relative">
        <span className="sr-only">Filter pools by id or name</span>
        <input
          ref={input}
          type="search"
          value={view.q}
          onChange={(e) => onChange({ ...view, q: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === "Escape" && view.q) {
              e.preventDefault();
              onChange({ ...view, q: "" });
            }
          }}
          placeholder="Filter pools"
          aria-keyshortcuts="/"
          maxLength={100}
          autoComplete="off"
          spellCheck={false}
          data-testid="pool-filter"
          className={`${control} w-44 pr-6 placeholder:text-slate-400`}
        />
        {!view.q && (
          <kbd
            aria-hidden
            className="pointer-events-none absolute right-1.5 top-1/2 -translate-y-1/2 rounded border border-slate-300 px-1 text-[10px] leading-4 text-slate-400 dark:border-slate-700"
          >
            /
          </kbd>
        )}
      </label>
      <button
        type="button"
        aria-pressed={view.status === "attention"}
        onClick={() => onChange({ ...view, status: view.status === "attention" ? "all" : "attention" })}
        title="Degraded, scaling, stale or error in either region"
        className={`${control} ${view.status === "attention" ? "border-amber-500 bg-amber-50 text-amber-900 dark:border-amber-600 dark:bg-amber-950 dark:text-amber-200" : "hover:bg-slate-100 dark:hover:bg-slate-800"}`}
      >
        Needs attention ({attention})
      </button>
      <label className="flex items-center gap-1 text-xs text-slate-500 dark:text-slate-400">
        Sort
        <select
          value={view.sort}
          onChange={(e) => onChange({ ...view, sort: e.target.value as SortKey })}
          className={`${control} text-slate-900 dark:text-slate-100`}
        >
          {SORTS.map((s) => (
            <option key={s.key} value={s.key}>
              {s.label}
            </option>
          ))}
        </select>
      </label>
      {filtered && (
        <span
          className="text-xs text-slate-500 dark:text-slate-400"
          aria-live="polite"
          data-testid="filter-count"
        >
          {shown} of {total} pools
        </span>
      )}
    </div>
  );
}
