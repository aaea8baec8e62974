import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseConfig } from "@/lib/config/load";
import type { FleetConfig } from "@/lib/config/schema";

// The one way tests load the shipped configuration (fleet.config.yaml at the repository root),
// whatever the working directory: as text (to test the parser on variations of it) or parsed,
// a fresh copy per call so a test may change it.

export const SHIPPED_CONFIG_FILE = fileURLToPath(new URL("../../fleet.config.yaml", import.meta.url));

export function shippedConfigText(): string {
  return readFileSync(SHIPPED_CONFIG_FILE, "utf8");
}

export function shippedConfig(): FleetConfig {
  return parseConfig(shippedConfigText(), "fleet.config.yaml");
}
