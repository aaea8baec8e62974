import "server-only";
import type { FleetConfig } from "@/lib/config";

/**
 * Start-up check: every variable `notify` names must be set (values are never printed). Returns
 * the problems, each naming the field: `notify[1].secretEnv: CAPSTAN_WEBHOOK_SECRET is not set`.
 */
export function notifyEnvProblems(
  cfg: Pick<FleetConfig, "notify">,
  env: Record<string, string | undefined>,
): string[] {
  const problems: string[] = [];
  (cfg.notify ?? []).forEach((t, i) => {
    const url = env[t.urlEnv];
    if (!url) problems.push(`notify[${i}].urlEnv: ${t.urlEnv} is not set`);
    else if (!/^https?:\/\/[^\s]+$/.test(url))
      problems.push(`notify[${i}].urlEnv: ${t.urlEnv} is not an http(s) URL`);
    if (t.kind === "webhook" && !env[t.secretEnv])
      problems.push(`notify[${i}].secretEnv: ${t.secretEnv} is not set`);
    else if (t.kind === "webhook" && env[t.secretEnv]!.length < 16)
      problems.push(`notify[${i}].secretEnv: ${t.secretEnv} is shorter than 16 characters`);
  });
  return problems;
}
