import type { ReactNode } from "react";

const TONES = {
  error: "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200",
  warning:
    "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200",
  info: "border-sky-300 bg-sky-50 text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-200",
} as const;

export type AlertTone = keyof typeof TONES;

/**
 * The boxed message: an error, a warning or a notice, with colours that pass WCAG AA contrast in
 * both themes. `role` defaults to "alert" (read out when it appears); pass "status" for a polite
 * notice, or null for a standing note that is part of the page rather than news.
 */
export function Alert({
  tone,
  role = "alert",
  className = "",
  testId,
  children,
}: {
  tone: AlertTone;
  role?: "alert" | "status" | null;
  className?: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <div
      role={role ?? undefined}
      data-testid={testId}
      className={`rounded border px-3 py-2 text-sm ${TONES[tone]} ${className}`}
    >
      {children}
    </div>
  );
}

/** The same message inline (beside a control, in a header): text only, no box. */
export function InlineAlert({
  tone,
  className = "",
  testId,
  children,
}: {
  tone: Exclude<AlertTone, "info">;
  className?: string;
  testId?: string;
  children: ReactNode;
}) {
  const color = tone === "error" ? "text-red-700 dark:text-red-400" : "text-amber-800 dark:text-amber-300";
  return (
    <span role="alert" data-testid={testId} className={`${color} ${className}`}>
      {children}
    </span>
  );
}
