// Adds up vitest's and Playwright's JSON reports, the benchmark's targets (and failed non-test
// steps such as lint or the build) into the one line CI reads: "N passed, N failed". Exits
// non-zero when anything failed.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

const [dir, failedStepsArg] = process.argv.slice(2);
let passed = 0;
let failed = Number(failedStepsArg ?? 0);

const vitest = path.join(dir, "vitest.json");
if (existsSync(vitest)) {
  const r = JSON.parse(readFileSync(vitest, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A file that failed to load has no tests in it but is a failure all the same.
  failed += (r.testResults ?? []).filter(
    (f) => f.status === "failed" && (f.assertionResults ?? []).length === 0,
  ).length;
} else {
  console.error("no vitest report");
  failed += 1;
}

const pw = path.join(dir, "playwright.json");
if (existsSync(pw)) {
  const r = JSON.parse(readFileSync(pw, "utf8"));
  passed += r.stats.expected + r.stats.flaky;
  failed += r.stats.unexpected;
  if ((r.errors ?? []).length > 0) failed += r.errors.length;
} else {
  console.error("no Playwright report");
  failed += 1;
}

// The benchmark's targets (npm run bench, copied here by scripts/test.sh), one result each.
const bench = path.join(dir, "bench.json");
if (existsSync(bench)) {
  const checks = JSON.parse(readFileSync(bench, "utf8")).checks ?? [];
  passed += checks.filter((c) => c.ok).length;
  failed += checks.filter((c) => !c.ok).length;
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
