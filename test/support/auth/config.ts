// Test-only helper: the shipped reference fleet with a chosen `auth` block.
import type { FleetConfig } from "@/lib/config";
import { authSchema } from "@/lib/config/schema";
import { shippedConfig } from "../config";

const shipped = shippedConfig();

export function configWithAuth(auth: unknown, over: Partial<Omit<FleetConfig, "auth">> = {}): FleetConfig {
  return { ...shipped, ...over, auth: authSchema.parse(auth) };
}
