import "server-only";
import { z } from "zod";
import { getConfig } from "@/lib/config";
import type { AuthorizedIdentity } from "@/lib/auth/roles";
import { createSessionToken } from "@/lib/auth/session";
import { fieldErrors } from "@/lib/validation";
import { ForbiddenError, ValidationError } from "@/lib/errors";

export const devSignInSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[\p{L}\p{N} ._@-]+$/u, "letters, digits, spaces and . _ @ - only"),
  role: z.enum(["viewer", "operator", "admin"]),
});

/**
 * Development sign-in: anyone can be anyone, so it exists only with `auth.mode: dev`, which
 * start-up allows only with the simulated backend. Sign-in itself needs no prior identity.
 */
export async function devSignIn(input: unknown): Promise<{ identity: AuthorizedIdentity; token: string }> {
  if (getConfig().auth.mode !== "dev")
    throw new ForbiddenError("Development sign-in is disabled (auth.mode is not dev).");
  const parsed = devSignInSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError("Check the highlighted fields.", fieldErrors(parsed.error));
  const identity: AuthorizedIdentity = { name: parsed.data.name, role: parsed.data.role, source: "dev" };
  return { identity, token: await createSessionToken(identity) };
}
