"use client";

import { useState } from "react";
import { api } from "@/lib/client/api";
import { Button } from "@/components/ui/button";
import { CONTROL, Field } from "@/components/ui/field";

export function LoginForm({ next }: { next: string }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState("operator");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    const res = await api.signIn(name, role);
    if (res.ok) {
      window.location.assign(next);
      return;
    }
    setErrors({ _: res.error.error, ...(res.error.fields ?? {}) });
    setBusy(false);
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <Field
        id="name"
        label="Name"
        error={errors.name}
        className=""
        labelClassName="mb-1 block text-sm font-medium"
      >
        <input
          id="name"
          name="name"
          autoFocus
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={!!errors.name}
          aria-describedby="name-error"
          className={`${CONTROL} w-full`}
        />
      </Field>
      <fieldset>
        <legend className="mb-1 text-sm font-medium">Role</legend>
        <div className="flex gap-4 text-sm">
          {["viewer", "operator", "admin"].map((r) => (
            <label key={r} className="flex items-center gap-1">
              <input type="radio" name="role" value={r} checked={role === r} onChange={() => setRole(r)} />
              {r}
            </label>
          ))}
        </div>
      </fieldset>
      <p aria-live="polite" className="text-sm text-red-700 dark:text-red-400">
        {errors._}
      </p>
      <Button variant="primary" type="submit" disabled={busy} className="w-full">
        {busy ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
