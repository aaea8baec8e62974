"use client";

import { useRouter } from "next/navigation";

export function SignOutButton() {
  const router = useRouter();
  async function signOut() {
    await fetch("/api/session", { method: "DELETE" });
    router.push("/login");
    router.refresh();
  }
  return (
    <button type="button" onClick={signOut} className="rounded px-2 py-0.5 text-xs text-slate-500 underline-offset-2 hover:underline dark:text-slate-400">
      Sign out
    </button>
  );
}
