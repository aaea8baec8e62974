import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import boundaries from "eslint-plugin-boundaries";

// The layers of the house (docs: house-style.md), highest first. A layer imports its own kind and
// anything below it, never above:
//
//   app → components → services → backends · store (lib/store, lib/audit) · auth · notify · cache · metrics
//       → config → fleet, with lib/shared and lib/errors.ts at the bottom for everyone
//
// lib/backends/aws is reachable only from lib/backends (the factory picks it), and the AWS SDK
// only from there. Components are bundled for the browser: they reach lib/shared and lib/fleet
// (plain types and pure functions), never a server module. Tests and test support (test/,
// *.test.ts, e2e/, bench/, scripts/) are outside the layers: they may reach into any of them.
const ELEMENTS = [
  { type: "entry", mode: "full", pattern: ["proxy.ts", "instrumentation.ts"] },
  { type: "app", mode: "full", pattern: "app/**/*" },
  { type: "components", mode: "full", pattern: "components/**/*" },
  { type: "services", mode: "full", pattern: ["lib/services/**/*", "lib/startup.ts"] },
  { type: "aws", mode: "full", pattern: "lib/backends/aws/**/*" },
  { type: "backends", mode: "full", pattern: "lib/backends/**/*" },
  { type: "store", mode: "full", pattern: ["lib/store/**/*", "lib/audit/**/*"] },
  { type: "auth", mode: "full", pattern: "lib/auth/**/*" },
  { type: "notify", mode: "full", pattern: "lib/notify/**/*" },
  { type: "cache", mode: "full", pattern: "lib/cache/**/*" },
  { type: "metrics", mode: "full", pattern: "lib/metrics/**/*" },
  { type: "config", mode: "full", pattern: ["lib/config/**/*", "lib/validation.ts"] },
  { type: "fleet", mode: "full", pattern: "lib/fleet/**/*" },
  { type: "shared", mode: "full", pattern: ["lib/shared/**/*", "lib/errors.ts"] },
];

const BOTTOM = ["fleet", "shared"];
const CONFIG = ["config", ...BOTTOM];
const MIDDLE = ["backends", "store", "auth", "notify", "cache", "metrics", ...CONFIG];
const SERVER = ["services", ...MIDDLE];

/** `from` may import `to` (value and type imports alike). */
const may = (from, to) => ({ from: { element: { type: from } }, allow: { to: { element: { type: to } } } });

const layers = {
  plugins: { boundaries },
  files: [
    "app/**/*.{ts,tsx}",
    "components/**/*.{ts,tsx}",
    "lib/**/*.{ts,tsx}",
    "proxy.ts",
    "instrumentation.ts",
  ],
  ignores: ["**/*.test.ts", "**/*.test.tsx", "test/**", "lib/auth/coverage.ts"],
  settings: {
    "boundaries/elements": ELEMENTS,
    // `mode: "full"` (deprecated in 7, not yet replaced for single files such as lib/errors.ts:
    // `partialMatch: false` matches folders only) without a warning on every run.
    "boundaries/legacy-warnings": false,
    "boundaries/dependency-nodes": ["import", "export", "dynamic-import"],
    "boundaries/include": [
      "app/**/*",
      "components/**/*",
      "lib/**/*",
      "test/**/*",
      "proxy.ts",
      "instrumentation.ts",
    ],
  },
  rules: {
    "boundaries/dependencies": [
      "error",
      {
        default: "disallow",
        policies: [
          // Packages and node: built-ins: no-restricted-imports below says who may not.
          { allow: { to: { module: { origin: ["external", "core"] } } } },
          may("entry", ["entry", ...SERVER]),
          may("app", [
            "app",
            "components",
            "services",
            "store",
            "auth",
            "cache",
            "metrics",
            "notify",
            ...CONFIG,
          ]),
          may("components", ["components", ...BOTTOM]),
          may("services", SERVER),
          may("backends", ["aws", ...MIDDLE]),
          may("aws", ["aws", ...MIDDLE]),
          may("store", MIDDLE),
          may("auth", MIDDLE),
          may("notify", MIDDLE),
          may("cache", MIDDLE),
          may("metrics", MIDDLE),
          may("config", CONFIG),
          may("fleet", ["fleet"]),
          may("shared", BOTTOM),
        ],
      },
    ],
  },
};

// Only lib/backends/aws speaks AWS (tests and test support seed the emulator with the SDK).
const awsOnlyInAws = {
  files: ["**/*.{ts,tsx}"],
  ignores: ["lib/backends/aws/**", "**/*.test.ts", "test/**", "e2e/**", "bench/**", "scripts/**"],
  rules: {
    "no-restricted-imports": [
      "error",
      { patterns: [{ group: ["@aws-sdk/*"], message: "AWS is spoken in lib/backends/aws only." }] },
    ],
  },
};

// A client bundle gets no node: built-ins, drivers or server-side packages.
const NOT_IN_THE_BROWSER = [
  "node:*",
  "server-only",
  "pg",
  "better-sqlite3",
  "@aws-sdk/*",
  "jose",
  "aws-jwt-verify",
  "yaml",
  "zod",
];
const componentsStayClientSafe = {
  files: ["components/**/*.{ts,tsx}"],
  ignores: ["**/*.test.ts", "**/*.test.tsx"],
  rules: {
    "no-restricted-imports": [
      "error",
      {
        patterns: [
          {
            group: NOT_IN_THE_BROWSER,
            message: "components are bundled for the browser: no server packages.",
          },
        ],
      },
    ],
  },
};

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  layers,
  awsOnlyInAws,
  componentsStayClientSafe,
  globalIgnores([
    ".next/**",
    "node_modules/**",
    "next-env.d.ts",
    "test-results/**",
    "playwright-report/**",
    "data/**",
  ]),
]);
