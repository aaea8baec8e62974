"use client";

import { CONTROL, Field } from "@/components/ui/field";

// "Then back to N after": the time box of a capacity change, offered in the resize dialog when the
// change sets desired only. None, a preset, or a custom number of minutes.

/** "then back to N after": none, or minutes. Custom opens a minutes field. */
const REVERT_CHOICES: { value: string; label: string }[] = [
  { value: "", label: "no, keep it" },
  { value: "30", label: "30 min" },
  { value: "60", label: "1 h" },
  { value: "120", label: "2 h" },
  { value: "240", label: "4 h" },
  { value: "480", label: "8 h" },
  { value: "1440", label: "24 h" },
  { value: "custom", label: "custom…" },
];

/** The minutes to send, or undefined for "no, keep it". */
export function revertMinutes(choice: string, custom: string): number | undefined {
  return choice ? Number(choice === "custom" ? custom : choice) : undefined;
}

export function RevertAfter({
  expected,
  choice,
  custom,
  onChoice,
  onCustom,
  error,
}: {
  /** The desired value the change goes back to. */
  expected: number;
  choice: string;
  custom: string;
  onChoice: (v: string) => void;
  onCustom: (v: string) => void;
  error: string | undefined;
}) {
  return (
    <div className="flex flex-wrap items-start gap-4">
      <Field
        id="revert"
        label={`Then back to ${expected} after`}
        error={choice === "custom" ? undefined : error}
      >
        <select
          id="revert"
          className={`${CONTROL} w-40`}
          value={choice}
          onChange={(e) => onChoice(e.target.value)}
          aria-describedby="revert-error"
          data-testid="revert-after"
        >
          {REVERT_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </select>
      </Field>
      {choice === "custom" && (
        <Field id="revert-minutes" label="Minutes (1–10080)" error={error}>
          <input
            id="revert-minutes"
            inputMode="numeric"
            className={`${CONTROL} w-24 text-right tabular-nums`}
            value={custom}
            onChange={(e) => onCustom(e.target.value)}
            aria-invalid={!!error}
            aria-describedby="revert-minutes-error"
          />
        </Field>
      )}
    </div>
  );
}
