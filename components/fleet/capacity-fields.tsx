"use client";

import { CONTROL, Field } from "@/components/ui/field";

// The numbers of a resize: desired for everyone, min and max for admins. Kept as typed (strings);
// the dialog parses them and previews the change.

const input = `${CONTROL} w-24 text-right tabular-nums`;

function NumberField({
  id,
  label,
  value,
  onChange,
  error,
  autoFocus,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  error: string | undefined;
  autoFocus?: boolean;
}) {
  return (
    <Field id={id} label={label} error={error}>
      <input
        id={id}
        inputMode="numeric"
        className={input}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={!!error}
        aria-describedby={`${id}-error`}
        autoFocus={autoFocus}
      />
    </Field>
  );
}

export function CapacityFields({
  admin,
  values,
  onChange,
  errors,
}: {
  admin: boolean;
  values: { desired: string; min: string; max: string };
  onChange: { desired: (v: string) => void; min: (v: string) => void; max: (v: string) => void };
  errors: Record<string, string>;
}) {
  return (
    <div className="flex flex-wrap gap-4">
      <NumberField
        id="desired"
        label="Desired"
        value={values.desired}
        onChange={onChange.desired}
        error={errors.desired}
        autoFocus
      />
      {admin && (
        <>
          <NumberField id="min" label="Min" value={values.min} onChange={onChange.min} error={errors.min} />
          <NumberField id="max" label="Max" value={values.max} onChange={onChange.max} error={errors.max} />
        </>
      )}
    </div>
  );
}
