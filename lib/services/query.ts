import "server-only";
import { isRangeKey, type RangeKey } from "@/lib/metrics/period";
import { ValidationError } from "@/lib/errors";

export function rangeParam(value: string | null | undefined, fallback: RangeKey): RangeKey {
  if (value === null || value === undefined || value === "") return fallback;
  if (!isRangeKey(value))
    throw new ValidationError("Unknown range.", { range: "expected one of 1h, 6h, 24h, 7d" });
  return value;
}
