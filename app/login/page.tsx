import type { Metadata } from "next";
import { getConfig } from "@/lib/config";
import { safeNext } from "@/lib/auth/safe-next";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[] }>;
}) {
  const { next } = await searchParams;
  const mode = getConfig().auth.mode;
  const back = safeNext(next);
  return (
    <div className="mx-auto mt-16 max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
      <h1 className="mb-1 text-lg font-semibold">Sign in to Capstan</h1>
      {mode === "dev" ? (
        <>
          <p className="mb-4 text-sm text-slate-500 dark:text-slate-400">
            Development sign-in: type a name and pick a role.
          </p>
          <LoginForm next={back} />
        </>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-300">
          {mode === "alb"
            ? "Sign-in happens at the load balancer. Reload the page; if this persists, your identity maps to no Capstan role."
            : "This deployment accepts API tokens only (Authorization: Bearer …)."}
        </p>
      )}
    </div>
  );
}
