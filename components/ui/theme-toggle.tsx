"use client";

import { useState } from "react";
import { Button } from "./button";

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
    document.cookie =
      next === "system"
        ? "theme=; Max-Age=0; Path=/; SameSite=Lax"
        : `theme=${next}; Max-Age=31536000; Path=/; SameSite=Lax`;
  }
  return (
    <Button
      variant="outline"
      size="xs"
      onClick={cycle}
      className="text-slate-600 dark:text-slate-300"
      aria-label={`Theme: ${theme}. Switch to ${NEXT[theme]}`}
    >
      Theme: {theme}
    </Button>
  );
}
