// Test-only helper: the shipped reference fleet with a chosen `auth` block.
import { readFileSync } from "node:fs";
import { parseConfig, type FleetConfig } from "@/lib/config";
import { authSchema } from "@/lib/config/schema";

const shipped = parseConfig(readFileSync("fleet.config.yaml", "utf8"), "fleet.config.yaml");

export function configWithAuth(auth: unknown, over: Partial<Omit<FleetConfig, "auth">> = {}): FleetConfig {
  return { ...shipped, ...over, auth: authSchema.parse(auth) };
}
