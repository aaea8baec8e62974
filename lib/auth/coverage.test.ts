import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkAuthorizationCoverage, PUBLIC_HANDLERS } from "./coverage";

// Every route handler and server action authorizes (through authorize(), with the request's
// identity); every mutating route handler checks Origin. The rule is documented in coverage.ts.

describe("authorization coverage of this repository", () => {
  const { checked, findings } = checkAuthorizationCoverage(process.cwd());

  it("every route handler and server action calls authorize() with currentIdentity()", () => {
    const authz = findings.filter((f) => !f.problem.includes("assertSameOrigin"));
    expect(authz.map((f) => `${f.file} ${f.name}: ${f.problem}`)).toEqual([]);
  });

  it("every mutating route handler calls assertSameOrigin()", () => {
    const csrf = findings.filter((f) => f.problem.includes("assertSameOrigin"));
    expect(csrf.map((f) => `${f.file} ${f.name}: ${f.problem}`)).toEqual([]);
  });

  it("exempts only the listed public handlers, each with a reason", () => {
    expect(Object.keys(PUBLIC_HANDLERS).sort()).toEqual([
      "app/api/health/route.ts",
      "app/api/session/route.ts",
    ]);
    for (const entry of Object.values(PUBLIC_HANDLERS)) expect(entry.why.length).toBeGreaterThan(20);
    // Whatever is in the tree now was looked at (the list grows as routes are added).
    expect(checked.every((c) => /^(app|components|lib)\//.test(c))).toBe(true);
    // The scaling loop's routes are among them (admin surge: POST and DELETE; predict: GET).
    expect(checked.filter((c) => /admin\/surge|predict/.test(c)).sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^app\/api\/admin\/surge\/route\.ts/),
        expect.stringMatching(/^app\/api\/pools\/\[region\]\/\[pool\]\/predict\/route\.ts/),
      ]),
    );
  });
});

describe("the coverage checker itself", () => {
  const root = mkdtempSync(path.join(tmpdir(), "capstan-coverage-"));
  const put = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  put("lib/auth/roles.ts", "export function authorize(i: unknown, a: string) { return i; }\n");
  put("lib/auth/current.ts", "export async function currentIdentity() { return null; }\n");
  put("lib/auth/origin.ts", "export function assertSameOrigin(r: Request) {}\n");
  put(
    "lib/auth/index.ts",
    'export { authorize } from "./roles";\nexport { currentIdentity } from "./current";\nexport * from "./origin";\n',
  );
  put(
    "lib/services/read-fleet.ts",
    'import { authorize } from "@/lib/auth";\nexport async function readFleet(id: unknown) {\n  authorize(id, "fleet:read");\n  return 1;\n}\n',
  );
  put("lib/services/leaky.ts", "export const leaky = async (id: unknown) => 1;\n");
  put("lib/services/index.ts", 'export { readFleet } from "./read-fleet";\nexport * from "./leaky";\n');
  put(
    "app/api/good/route.ts",
    `import { currentIdentity, authorize, assertSameOrigin } from "@/lib/auth";
import { readFleet } from "@/lib/services";
import * as auth from "@/lib/auth/roles";
export async function GET() { return Response.json(await readFleet(await currentIdentity())); }
export async function POST(req: Request) {
  assertSameOrigin(req);
  const id = auth.authorize(await currentIdentity(), "capacity:change");
  return Response.json(id);
}
export const PUT = withIdentity(async (req: Request, id: unknown) => { assertSameOrigin(req); return readFleet(id); });
function withIdentity(fn: (r: Request, id: unknown) => Promise<unknown>) {
  return async (r: Request) => Response.json(await fn(r, await currentIdentity()));
}
`,
  );
  put(
    "app/api/bad/route.ts",
    `import { currentIdentity, authorize } from "@/lib/auth";
import { leaky } from "@/lib/services";
export async function GET() { return Response.json(await leaky(await currentIdentity())); }
export async function POST() { return Response.json(authorize(await currentIdentity(), "capacity:change")); }
export async function DELETE() { return Response.json(authorize({ name: "forged" }, "capacity:change")); }
`,
  );
  put(
    "app/api/shadow/route.ts",
    `import { currentIdentity } from "@/lib/auth";
function authorize(i: unknown) { return i; }
export async function GET() { return Response.json(authorize(await currentIdentity())); }
`,
  );
  put("app/api/health/route.ts", "export async function GET() { return Response.json({ ok: true }); }\n");
  put("app/api/reexport/route.ts", 'export { GET } from "../bad/route";\n');
  // Blind spots of the first version: a destructured export and `export *` were not seen at all.
  put(
    "app/api/destructured/route.ts",
    'import { handlers } from "@/lib/services";\nexport const { GET, POST } = handlers;\n',
  );
  put("app/api/starred/route.ts", 'export * from "../bad/route";\n');
  put("app/api/starred-good/route.ts", 'export * from "../good/route";\n');
  put("app/api/package-star/route.ts", 'export * from "some-package/handlers";\n');
  put("app/api/uninit/route.ts", "export let PATCH: unknown;\nPATCH = async () => new Response();\n");
  put("app/api/ns-star/route.ts", 'export * as GET from "../good/route";\n');
  put(
    "app/pools/actions.ts",
    `"use server";
import { currentIdentity } from "@/lib/auth";
import { readFleet, leaky } from "@/lib/services";
export async function fine() { return readFleet(await currentIdentity()); }
export async function unchecked() { return leaky(await currentIdentity()); }
`,
  );
  put(
    "app/pools/page.tsx",
    `export default function Page() {
  async function resize() {
    "use server";
    return 1;
  }
  return <form action={resize} />;
}
`,
  );

  const result = checkAuthorizationCoverage(root);
  const problems = result.findings.map((f) => `${f.file} ${f.name}: ${f.problem}`).sort();

  it("passes handlers that authorize directly, through a service, a re-export or a wrapper", () => {
    for (const ok of [
      "app/api/good/route.ts GET",
      "app/api/good/route.ts POST",
      "app/api/good/route.ts PUT",
      "app/pools/actions.ts fine",
      "app/api/health/route.ts GET",
      "app/api/starred-good/route.ts GET",
    ]) {
      expect(result.checked).toContain(ok);
      expect(problems.filter((p) => p.startsWith(ok))).toEqual([]);
    }
  });

  it("flags what skips the check, fakes it, or forgets Origin", () => {
    expect(problems).toEqual([
      "app/api/bad/route.ts DELETE: does not take the identity from currentIdentity()",
      "app/api/bad/route.ts DELETE: mutates but does not call assertSameOrigin(req)",
      "app/api/bad/route.ts GET: does not call authorize() (directly or through lib/services)",
      "app/api/bad/route.ts POST: mutates but does not call assertSameOrigin(req)",
      "app/api/destructured/route.ts GET: cannot be analysed (a destructured export (export const { … } = …)): declare it as a function, e.g. export async function GET(…)",
      "app/api/destructured/route.ts POST: cannot be analysed (a destructured export (export const { … } = …)): declare it as a function, e.g. export async function POST(…)",
      "app/api/ns-star/route.ts GET: cannot be analysed (a namespace re-export (export * as …)): declare it as a function, e.g. export async function GET(…)",
      "app/api/package-star/route.ts export *: re-exports everything from a module outside the project, which cannot be analysed",
      "app/api/reexport/route.ts GET: does not call authorize() (directly or through lib/services)",
      "app/api/shadow/route.ts GET: does not call authorize() (directly or through lib/services)",
      "app/api/starred/route.ts DELETE: does not take the identity from currentIdentity()",
      "app/api/starred/route.ts DELETE: mutates but does not call assertSameOrigin(req)",
      "app/api/starred/route.ts GET: does not call authorize() (directly or through lib/services)",
      "app/api/starred/route.ts POST: mutates but does not call assertSameOrigin(req)",
      "app/api/uninit/route.ts PATCH: cannot be analysed (an exported variable without an initializer): declare it as a function, e.g. export async function PATCH(…)",
      "app/pools/actions.ts unchecked: does not call authorize() (directly or through lib/services)",
      "app/pools/page.tsx resize (line 2): does not call authorize() (directly or through lib/services)",
      "app/pools/page.tsx resize (line 2): does not take the identity from currentIdentity()",
    ]);
  });
});
