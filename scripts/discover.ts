// npm run discover -- --primary us-east-1 --standby us-west-2 [--tag capstan:pool] [--out fleet.config.yaml] [--accept] [--dry-run]
// Reads the AWS account (read-only: describes only) and writes or updates the fleet configuration.
// Credentials: the SDK's default chain (AWS_PROFILE, SSO, environment, instance role);
// AWS_ENDPOINT_URL points it at an emulator. The work is in lib/services/discover.ts.
import { parseArgs } from "node:util";
import { runDiscover } from "@/lib/services/discover";

const USAGE =
  "usage: npm run discover -- --primary <region> --standby <region> [--tag capstan:pool] [--out fleet.config.yaml] [--accept] [--dry-run]";

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        primary: { type: "string" },
        standby: { type: "string" },
        tag: { type: "string", default: "capstan:pool" },
        out: { type: "string", default: "fleet.config.yaml" },
        accept: { type: "boolean", default: false },
        "dry-run": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const region = /^[a-z]{2}(-[a-z]+)+-\d$/;
  if (
    !values.primary ||
    !values.standby ||
    !region.test(values.primary) ||
    !region.test(values.standby) ||
    values.primary === values.standby
  ) {
    process.stderr.write(
      `--primary and --standby must be two different AWS regions, such as us-east-1 and us-west-2\n${USAGE}\n`,
    );
    return 2;
  }
  const report = await runDiscover({
    primary: values.primary,
    standby: values.standby,
    tagKey: values.tag,
    out: values.out,
    accept: values.accept,
    dryRun: values["dry-run"],
  });
  process.stdout.write(`${report.lines.join("\n")}\n`);
  return report.exitCode;
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`discover failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
