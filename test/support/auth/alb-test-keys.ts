// Test-only (matrix.test.ts): a local stand-in for an ALB's public key endpoint and its signer.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";

export const ALB_ARN =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/capstan-matrix/50dc6c495c0c9188";
export const ALB_ISSUER = "https://idp.matrix.example";
export const ALB_CLIENT = "capstan-matrix";

export async function startAlbKeys(): Promise<{
  base: string;
  sign(claims: { email: string; groups: string[] }): Promise<string>;
  close(): Promise<void>;
}> {
  const key = await generateKeyPair("ES256", { extractable: true });
  const kid = randomUUID();
  const pem = await exportSPKI(key.publicKey);
  const server = createServer((req, res) => {
    const ok = req.url === `/keys/us-east-1/${kid}`;
    res.writeHead(ok ? 200 : 404, { "content-type": "text/plain" }).end(ok ? pem : "not found");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
  return {
    base,
    sign: ({ email, groups }) => {
      const exp = Math.floor(Date.now() / 1000) + 120;
      return new SignJWT({ sub: email, email, groups, iss: ALB_ISSUER, exp })
        .setProtectedHeader({
          alg: "ES256",
          typ: "JWT",
          kid,
          signer: ALB_ARN,
          iss: ALB_ISSUER,
          client: ALB_CLIENT,
          exp,
        })
        .sign(key.privateKey);
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
