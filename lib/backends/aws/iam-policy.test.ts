import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// deploy/iam-policy.json against the code: every AWS operation lib/backends/aws sends is allowed,
// and the read actions beyond Auto Scaling and CloudWatch are exactly the ones some code sends.

const DIR = path.join(process.cwd(), "lib/backends/aws");
const PREFIX: Record<string, string> = {
  "auto-scaling": "autoscaling",
  cloudwatch: "cloudwatch",
  ec2: "ec2",
  "elastic-load-balancing-v2": "elasticloadbalancing",
  sqs: "sqs",
};

/** `import { DescribeInstancesCommand } from "@aws-sdk/client-ec2"` → ec2:DescribeInstances. */
function actionsSent(): Set<string> {
  const out = new Set<string>();
  const files = readdirSync(DIR).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  for (const f of files) {
    const text = readFileSync(path.join(DIR, f), "utf8");
    for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-([a-z0-9-]+)"/g)) {
      const prefix = PREFIX[m[2]!];
      if (!prefix) throw new Error(`${f}: no IAM prefix known for @aws-sdk/client-${m[2]}`);
      for (const name of m[1]!.split(",").map((s) => s.trim().replace(/^type\s+/, ""))) {
        if (/^[A-Z]\w+Command$/.test(name) && text.includes(`new ${name}(`))
          out.add(`${prefix}:${name.replace(/Command$/, "")}`);
      }
    }
  }
  return out;
}

const policy = JSON.parse(readFileSync(path.join(process.cwd(), "deploy/iam-policy.json"), "utf8")) as {
  Statement: { Sid: string; Effect: string; Action: string[] }[];
};
const allowed = policy.Statement.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action);
const allows = (action: string) =>
  allowed.some((a) => (a.endsWith("*") ? action.startsWith(a.slice(0, -1)) : a === action));

describe("deploy/iam-policy.json", () => {
  const sent = actionsSent();

  it("allows every operation the AWS backend and discover send", () => {
    expect(sent.size).toBeGreaterThan(5);
    expect([...sent].filter((a) => !allows(a))).toEqual([]);
  });

  it("grants no EC2, Elastic Load Balancing or SQS action that nothing sends, and no write on them", () => {
    const read = policy.Statement.find((s) => s.Sid === "ReadFleetAndMetrics")!.Action;
    const extra = read.filter((a) => /^(ec2|elasticloadbalancing|sqs):/.test(a));
    expect(extra.every((a) => !a.includes("*"))).toBe(true);
    expect(extra.sort()).toEqual([...sent].filter((a) => /^(ec2|elasticloadbalancing|sqs):/.test(a)).sort());
    expect(
      allowed.filter((a) => /^(ec2|elasticloadbalancing|sqs):/.test(a) && !/:(Describe|Get)/.test(a)),
    ).toEqual([]);
  });
});
