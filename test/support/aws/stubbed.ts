import type { z } from "zod";
import { configSchema, type FleetConfig, type poolSchema } from "@/lib/config/schema";

// The configuration the unit tests against a stubbed SDK (aws-sdk-client-mock) or a stub endpoint
// use: one `app` pool found by its tag in us-east-1 and us-west-2, API-token sign-in.

/** That configuration, with `more` pools after `app`. */
export function stubbedConfig(...more: z.input<typeof poolSchema>[]): FleetConfig {
  return configSchema.parse({
    backend: "aws",
    regions: { primary: "us-east-1", standby: "us-west-2" },
    pools: [
      { id: "app", name: "App", tier: "web", instance: { type: "c5.large", hourlyPrice: 0.1 } },
      ...more,
    ],
    auth: { mode: "tokens" },
  });
}
