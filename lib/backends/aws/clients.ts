import "server-only";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { addCallCounter, type AwsService } from "./calls";

// One client per (service, region), created on first use and reused for the life of the backend.
// Credentials come from the SDK's default chain (environment, shared profile / SSO, container and
// instance roles). Endpoints: the SDK itself honours AWS_ENDPOINT_URL and the per-service
// AWS_ENDPOINT_URL_AUTO_SCALING / AWS_ENDPOINT_URL_CLOUDWATCH (and `endpoint_url` in the shared
// config); Capstan adds only a per-region override, CAPSTAN_AWS_ENDPOINT_URL_<REGION>, which the
// tests use to point one region at a dead port.

export const MAX_ATTEMPTS = 3;

export interface ClientSettings {
  /** Upper bound for one HTTP attempt; connection setup gets at most a third of it (≥ 1 s). */
  requestTimeoutMs: number;
  /** Per-region endpoint overrides, e.g. { "us-west-2": "http://127.0.0.1:5000" }. */
  endpoints: Record<string, string>;
}

interface Client {
  destroy(): void;
  middlewareStack: unknown;
}

export class AwsClients {
  private readonly clients = new Map<string, Client>();

  constructor(private readonly settings: ClientSettings) {}

  autoscaling(region: string): AutoScalingClient {
    return this.get("autoscaling", region, (c) => new AutoScalingClient(c));
  }

  cloudwatch(region: string): CloudWatchClient {
    return this.get("cloudwatch", region, (c) => new CloudWatchClient(c));
  }

  /** DescribeInstances (pool page) and DescribeLaunchTemplateVersions (discover). */
  ec2(region: string): EC2Client {
    return this.get("ec2", region, (c) => new EC2Client(c));
  }

  /** DescribeTargetGroups / DescribeLoadBalancers: a group's load balancer, for its page load. */
  elbv2(region: string): ElasticLoadBalancingV2Client {
    return this.get("elasticloadbalancing", region, (c) => new ElasticLoadBalancingV2Client(c));
  }

  /** Closes every client's sockets. */
  destroy(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }

  private get<T extends Client>(
    service: AwsService,
    region: string,
    make: (config: ReturnType<AwsClients["config"]>) => T,
  ): T {
    const key = `${service}|${region}`;
    let client = this.clients.get(key) as T | undefined;
    if (!client) {
      client = make(this.config(region));
      addCallCounter(client, service, region);
      this.clients.set(key, client);
    }
    return client;
  }

  private config(region: string) {
    const { requestTimeoutMs } = this.settings;
    const endpoint = this.settings.endpoints[region];
    return {
      region,
      // Standard mode retries throttling, 5xx and network errors with jittered backoff and a
      // retry-token bucket; three attempts bound the worst case.
      retryMode: "standard",
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: {
        connectionTimeout: Math.max(1000, Math.floor(requestTimeoutMs / 3)),
        requestTimeout: requestTimeoutMs,
        throwOnRequestTimeout: true,
      },
      ...(endpoint ? { endpoint } : {}),
    };
  }
}

/** CAPSTAN_AWS_ENDPOINT_URL_US_WEST_2=http://… → { "us-west-2": "http://…" } for the given regions. */
export function regionEndpoints(
  regions: string[],
  env: Record<string, string | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const region of regions) {
    const value = env[`CAPSTAN_AWS_ENDPOINT_URL_${region.toUpperCase().replaceAll("-", "_")}`];
    if (value) out[region] = value;
  }
  return out;
}
