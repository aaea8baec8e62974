// Where an ALB's public keys live. Pure, no network: start-up checks and tests use it directly.

const ARN_RE =
  /^arn:(aws|aws-us-gov|aws-cn):elasticloadbalancing:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:loadbalancer\/app\/[^/]+\/[^/]+$/;

export function parseAlbArn(arn: string): { partition: string; region: string } {
  const m = ARN_RE.exec(arn);
  if (!m) throw new Error(`not an Application Load Balancer ARN: ${arn}`);
  return { partition: m[1]!, region: m[2]! };
}

/**
 * Where the ALB's public keys live, from the configured ARN only (never from the token). With
 * `testKeyBaseUrl` (tests; production start-up refuses it) keys come from `<base>/<region>/<kid>`.
 */
export function albKeyBaseUrl(arn: string, testKeyBaseUrl?: string): string {
  const { partition, region } = parseAlbArn(arn);
  if (testKeyBaseUrl) return `${testKeyBaseUrl.replace(/\/+$/, "")}/${region}`;
  if (partition === "aws") return `https://public-keys.auth.elb.${region}.amazonaws.com`;
  if (partition === "aws-us-gov")
    return `https://s3-${region}.amazonaws.com/aws-elb-public-keys-prod-${region}`;
  throw new Error(`ALB sign-in is not supported in the ${partition} partition (${arn})`);
}

/** The URL the key for `kid` is fetched from (the library appends `/<kid>` the same way). */
export function albKeyUrl(arn: string, kid: string, testKeyBaseUrl?: string): string {
  return `${albKeyBaseUrl(arn, testKeyBaseUrl)}/${encodeURIComponent(kid)}`;
}
