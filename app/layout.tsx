import type { Metadata } from "next";
import { cookies } from "next/headers";
import Link from "next/link";
import { currentIdentity } from "@/lib/auth/current";
import { getConfig } from "@/lib/config";
import { SignOutButton } from "@/components/ui/sign-out-button";
import { ThemeToggle } from "@/components/ui/theme-toggle";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Capstan", template: "%s · Capstan" },
  description: "Manual horizontal scaling and fleet visibility for EC2 Auto Scaling groups",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const cfg = getConfig();
  const [identity, jar] = await Promise.all([currentIdentity(), cookies()]);
  const theme = jar.get("theme")?.value;
  return (
    <html lang="en" className={theme === "dark" || theme === "light" ? theme : undefined}>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-sky-700 focus:px-3 focus:py-1 focus:text-white"
        >
          Skip to content
        </a>
        {cfg.auth.mode === "dev" && (
          <div role="note" className="bg-amber-300 px-4 py-1 text-center text-xs font-medium text-amber-950">
            Development sign-in is active: anyone can pick any role. Simulated fleet only, never production.
          </div>
        )}
        <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <div className="mx-auto flex max-w-[1600px] items-center gap-6 px-4 py-2">
            <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
              <svg aria-hidden viewBox="0 0 32 32" className="h-6 w-6">
                <rect width="32" height="32" rx="7" fill="#0ea5e9" />
                <rect x="9" y="7" width="14" height="4" rx="1.5" fill="#fff" />
                <rect x="11" y="11" width="10" height="10" fill="#e0f2fe" />
                <rect x="9" y="21" width="14" height="4" rx="1.5" fill="#fff" />
              </svg>
              Capstan
            </Link>
            {identity && (
              <nav aria-label="Main" className="flex gap-4 text-sm">
                <Link className="hover:text-sky-700 dark:hover:text-sky-400" href="/">
                  Overview
                </Link>
                <Link className="hover:text-sky-700 dark:hover:text-sky-400" href="/standby">
                  Standby
                </Link>
                <Link className="hover:text-sky-700 dark:hover:text-sky-400" href="/audit">
                  Audit
                </Link>
                {identity.role === "admin" && (
                  <Link className="hover:text-sky-700 dark:hover:text-sky-400" href="/notifications">
                    Notifications
                  </Link>
                )}
              </nav>
            )}
            <span className="ml-auto rounded bg-slate-100 px-2 py-0.5 text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300">
              {cfg.backend === "simulated" ? "simulated fleet" : "AWS"} · {cfg.regions.primary} /{" "}
              {cfg.regions.standby}
            </span>
            <ThemeToggle initial={theme === "dark" || theme === "light" ? theme : "system"} />
            {identity && (
              <span className="flex items-center gap-2 text-sm">
                <span data-testid="identity">
                  {identity.name}{" "}
                  <span className="text-slate-500 dark:text-slate-400">· {identity.role ?? "no role"}</span>
                </span>
                {identity.source !== "alb" && identity.source !== "token" && <SignOutButton />}
              </span>
            )}
          </div>
        </header>
        <main id="main" className="mx-auto max-w-[1600px] px-4 py-4">
          {children}
        </main>
      </body>
    </html>
  );
}
