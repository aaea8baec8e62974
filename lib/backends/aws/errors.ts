import "server-only";
import { BackendError } from "@/lib/fleet/types";

// Every failure on the way to AWS becomes a BackendError. AWS's own code, message and request id
// pass through unchanged (the operator and the audit log see exactly what AWS said); conditions
// of the region rather than of the request (throttling, timeouts, an unreachable endpoint, AWS's
// own 5xx) are flagged `regional` so the page keeps that region's last good data, marked stale.

const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "PriorRequestNotComplete",
]);

const TIMEOUTS = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
]);

const NETWORK = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/** How messages name a service. */
export const SERVICE_LABEL = {
  autoscaling: "Auto Scaling",
  cloudwatch: "CloudWatch",
  ec2: "EC2",
  elasticloadbalancing: "Elastic Load Balancing",
  sqs: "SQS",
} as const;

interface Where {
  service: keyof typeof SERVICE_LABEL;
  region: string;
}

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  Code?: string;
  $metadata?: { requestId?: string; httpStatusCode?: number };
  $response?: { statusCode?: number; headers?: Record<string, string> };
  errors?: unknown[];
}

export function toBackendError(err: unknown, where: Where): BackendError {
  if (err instanceof BackendError) return err;
  const e = (typeof err === "object" && err !== null ? err : { message: String(err) }) as SdkErrorShape;
  // awsQuery errors carry the wire code in `Code` (ScalingActivityInProgress) while `name` is the
  // SDK class (ScalingActivityInProgressFault); JSON errors only have `name`.
  const code = e.Code ?? e.code ?? firstSystemCode(e) ?? e.name?.replace(/(.)Fault$/, "$1") ?? "UnknownError";
  const requestId = e.$metadata?.requestId ?? e.$response?.headers?.["x-amzn-requestid"];
  const httpStatus = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const label = `${SERVICE_LABEL[where.service]} in ${where.region}`;

  // Codes for conditions AWS itself never answered: the SDK's / DOM's error names, the same the
  // simulated backend uses, so both read alike on screen and in the audit log.
  if (e.name === "AbortError" || code === "AbortError") {
    return new BackendError("AbortError", `${label}: the request was cancelled (${e.message || "aborted"})`, {
      requestId,
      regional: true,
      answered: false,
    });
  }
  if (TIMEOUTS.has(code) || TIMEOUTS.has(e.name ?? "")) {
    return new BackendError("TimeoutError", `${label} did not answer in time (${e.message || code})`, {
      requestId,
      httpStatus,
      regional: true,
      answered: false,
    });
  }
  if (NETWORK.has(code)) {
    return new BackendError("NetworkingError", `${label} is unreachable (${e.message || code})`, {
      regional: true,
      answered: false,
    });
  }
  // A 5xx (but ResourceContention, which AWS documents as "not applied") does not say whether
  // the request was applied; neither does an error that came without any HTTP status.
  const serverSide = httpStatus !== undefined && httpStatus >= 500 && code !== "ResourceContention";
  const regional = THROTTLING.has(code) || serverSide;
  return new BackendError(code, e.message || code, {
    requestId,
    httpStatus,
    regional,
    answered: !serverSide && !(regional && httpStatus === undefined),
  });
}

/** Node's system errors may arrive wrapped (AggregateError from happy-eyeballs connects). */
function firstSystemCode(e: SdkErrorShape): string | undefined {
  for (const inner of e.errors ?? []) {
    const c = (inner as { code?: unknown }).code;
    if (typeof c === "string") return c;
  }
  return undefined;
}

const DENIED = new Set([
  "AccessDenied",
  "AccessDeniedException",
  "UnauthorizedOperation",
  "UnauthorizedAccess",
]);

/** True when IAM refused the call (each service spells it its own way). */
export function isAccessDenied(err: unknown): boolean {
  return err instanceof BackendError && (DENIED.has(err.code) || err.httpStatus === 403);
}

/** Run one SDK call, mapping whatever it throws. */
export async function mapped<T>(where: Where, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw toBackendError(err, where);
  }
}
