import type { z } from "zod";

// One place that turns zod issues into operator-readable text, for configuration errors
// (`pools[2].tier: expected one of web, worker, infra`) and for API 400 field errors alike.

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

export function issueMessage(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_value":
      return `expected one of ${issue.values.map(String).join(", ")}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}`;
    case "invalid_type":
      if (issue.expected === "int") return "expected a whole number";
      // zod 4 leaves `input` off issues unless asked (reportInput), so fall back to its message.
      return ("input" in issue ? issue.input === undefined : / received undefined$/.test(issue.message))
        ? "required"
        : `expected ${issue.expected}`;
    case "too_small":
      if (issue.origin === "string") return `must be at least ${issue.minimum} characters`;
      if (issue.origin === "array") return `must have at least ${issue.minimum} item(s)`;
      return `must be ${issue.inclusive ? "at least" : "more than"} ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "string") return `must be at most ${issue.maximum} characters`;
      return `must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}`;
    default:
      return issue.message;
  }
}

/** Field path → first message, for forms and 400 responses. Unknown keys are reported on the key itself. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out[formatPath([...issue.path, key])] ??= "unknown field";
      continue;
    }
    const key = formatPath(issue.path) || "_";
    out[key] ??= issueMessage(issue);
  }
  return out;
}

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${formatPath(i.path) || "(root)"}: ${issueMessage(i)}`);
}
