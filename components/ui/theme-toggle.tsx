"use client";

import { useState } from "react";

type Theme = "system" | "light" | "dark";
const NEXT: Record<Theme, Theme> = { system: "dark", dark: "light", light: "system" };

/** Cycles system → dark → light; remembered in a cookie so the server renders the right class. */
export function ThemeToggle({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  function cycle() {
    const next = NEXT[theme];
    setTheme(next);
    const html = document.documentElement;
    html.classList.remove("light", "dark");
    if (next !== "system") html.classList.add(next);
    document.cookie = next === "system" ? "theme=; Max-Age=0; Path=/; SameSite=Lax" : `theme=${next}; Max-Age=31536000; Path=/; SameSite=Lax`;
  }
  return (
    <button
      type="button"
      onClick={cycle}
      className="rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-600 hover:bg-slate-100 dark:border-slate-700 dark:text-slate-300 dark:hover:bg-slate-800"
      aria-label={`Theme: ${theme}. Switch to ${NEXT[theme]}`}
    >
      Theme: {theme}
    </button>
  );
}
