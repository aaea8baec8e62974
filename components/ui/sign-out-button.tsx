"use client";

import { useRouter } from "next/navigation";
import { api } from "@/lib/client/api";
import { Button } from "./button";

export function SignOutButton() {
  const router = useRouter();
  async function signOut() {
    await api.signOut();
    router.push("/login");
    router.refresh();
  }
  return (
    <Button variant="secondary" size="xs" onClick={signOut} className="text-slate-600 dark:text-slate-300">
      Sign out
    </Button>
  );
}
