"use client";

import { useState } from "react";

export function LoginForm({ next }: { next: string }) {
  const [name, setName] = useState("");
  const [role, setRole] = useState("operator");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    const res = await fetch("/api/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name, role }),
    });
    if (res.ok) {
      window.location.assign(next);
      return;
    }
    const body = await res.json().catch(() => ({ error: `HTTP ${res.status}` }));
    setErrors({ _: body.error, ...(body.fields ?? {}) });
    setBusy(false);
  }

  return (
    <form onSubmit={submit} className="space-y-4" noValidate>
      <div>
        <label htmlFor="name" className="mb-1 block text-sm font-medium">Name</label>
        <input
          id="name"
          name="name"
          autoFocus
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          aria-invalid={!!errors.name}
          aria-describedby="name-error"
          className="w-full rounded border border-slate-300 bg-white px-2 py-1.5 dark:border-slate-700 dark:bg-slate-950"
        />
        <p id="name-error" aria-live="polite" className="mt-1 text-sm text-red-600 dark:text-red-400">{errors.name}</p>
      </div>
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
      <p aria-live="polite" className="text-sm text-red-600 dark:text-red-400">{errors._}</p>
      <button type="submit" disabled={busy} className="w-full rounded bg-sky-700 px-3 py-1.5 font-medium text-white hover:bg-sky-800 disabled:opacity-60">
        {busy ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
