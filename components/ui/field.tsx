import type { ReactNode } from "react";

/** The control look shared by inputs and selects; red border when aria-invalid. */
export const CONTROL =
  "rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-950 aria-[invalid=true]:border-red-500";

/**
 * A labelled control with room for its error below. The control inside must carry `id={id}`,
 * `aria-invalid` and `aria-describedby={`${id}-error`}` (see fieldProps): the label names it and
 * the message is read with it.
 */
export function Field({
  id,
  label,
  error,
  className = "min-w-0 flex-1",
  labelClassName = "mb-1 block text-xs font-medium text-slate-600 dark:text-slate-300",
  children,
}: {
  id: string;
  label: ReactNode;
  error?: string;
  className?: string;
  labelClassName?: string;
  children: ReactNode;
}) {
  return (
    <div className={className}>
      <label htmlFor={id} className={labelClassName}>
        {label}
      </label>
      {children}
      <p id={`${id}-error`} aria-live="polite" className="mt-0.5 text-xs text-red-700 dark:text-red-400">
        {error}
      </p>
    </div>
  );
}

/** The attributes that tie a control to its Field. */
export function fieldProps(id: string, error?: string) {
  return { id, "aria-invalid": !!error, "aria-describedby": `${id}-error` };
}
