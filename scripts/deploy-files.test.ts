import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// Docker is not available where the tests run, so the image and the compose file are checked as
// text: what a reviewer would look for first, nothing more.

const root = path.resolve(__dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");

/** The Dockerfile's last stage, continuation lines joined, comments dropped. */
function finalStage(): string[] {
  const lines = read("Dockerfile")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const from = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0);
  expect(from.length).toBeGreaterThan(1);
  return lines.slice(from.at(-1));
}

describe("Dockerfile", () => {
  const stage = finalStage();
  const instr = (name: string) => stage.filter((l) => l.toUpperCase().startsWith(`${name} `));

  it("runs as a non-root user", () => {
    const users = instr("USER");
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.split(/\s+/)[1]!.split(":")[0]!;
    expect(["root", "0"]).not.toContain(user);
  });

  it("ships only the standalone server and starts server.js", () => {
    const copies = instr("COPY").filter((l) => l.includes("--from="));
    expect(copies.some((l) => l.includes(".next/standalone"))).toBe(true);
    expect(copies.some((l) => /node_modules|\s\.\s/.test(l.replace(".next/standalone", "")))).toBe(false);
    expect(JSON.parse(instr("CMD").at(-1)!.slice(4))).toEqual(["node", "server.js"]);
  });

  it("has a health check on /api/health", () => {
    expect(instr("HEALTHCHECK").at(-1)).toMatch(/\/api\/health/);
  });
});

describe("deploy/compose.yaml", () => {
  type Service = {
    build?: unknown;
    image?: string;
    environment?: Record<string, string>;
    healthcheck?: { test: unknown };
    depends_on?: Record<string, { condition: string }>;
  };
  const compose = parse(read("deploy/compose.yaml"), { merge: true }) as {
    services: Record<string, Service>;
  };
  const services = Object.entries(compose.services);
  const replicas = services.filter(([, s]) => s.build !== undefined);

  it("runs two Capstan replicas on PostgreSQL with one shared session secret", () => {
    expect(replicas).toHaveLength(2);
    const secrets = new Set(replicas.map(([, s]) => s.environment?.CAPSTAN_SESSION_SECRET));
    expect(secrets.size).toBe(1);
    expect([...secrets][0]).toBeTruthy();
    for (const [, s] of replicas) {
      expect(s.environment?.CAPSTAN_DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
      expect(s.depends_on?.postgres?.condition).toBe("service_healthy");
      // The simulated backend: no AWS credentials anywhere.
      expect(Object.keys(s.environment ?? {}).filter((k) => k.startsWith("AWS_"))).toEqual([]);
    }
  });

  it("has PostgreSQL with a health check and a load balancer", () => {
    expect(compose.services.postgres?.image).toMatch(/^postgres:15/);
    expect(JSON.stringify(compose.services.postgres?.healthcheck?.test)).toMatch(/pg_isready/);
    const lb = services.filter(([, s]) => /nginx|caddy|haproxy|traefik/.test(s.image ?? ""));
    expect(lb).toHaveLength(1);
    const upstream = read("deploy/nginx.conf");
    for (const [name] of replicas) expect(upstream).toMatch(new RegExp(`server ${name}:3000`));
  });

  it("uses the simulated backend from the image's configuration", () => {
    // The replicas carry no CAPSTAN_CONFIG of their own: the image's fleet.config.yaml applies.
    for (const [, s] of replicas) expect(s.environment?.CAPSTAN_CONFIG).toBeUndefined();
    expect((parse(read("fleet.config.yaml")) as { backend?: string }).backend ?? "simulated").toBe(
      "simulated",
    );
  });
});
