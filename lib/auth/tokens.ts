import { createHash, timingSafeEqual } from "node:crypto";
import type { FleetConfig } from "@/lib/config";
import type { Identity } from "./roles";

export function sha256Hex(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/**
 * `Authorization: Bearer <token>` → the configured token's identity, or null. Only hashes are
 * stored; every configured hash is compared in constant time so timing reveals nothing.
 */
export function identityFromBearer(header: string | null, cfg: FleetConfig): Identity | null {
  if (!header) return null;
  // The scheme is case-insensitive (RFC 9110); anything but "Bearer <token>" is no identity.
  const m = /^Bearer +([A-Za-z0-9._~+/=-]{16,512})$/i.exec(header.trim());
  if (!m) return null;
  const presented = Buffer.from(sha256Hex(m[1]!), "hex");
  let found: Identity | null = null;
  for (const t of cfg.auth.tokens) {
    const stored = Buffer.from(t.sha256, "hex");
    if (stored.length === presented.length && timingSafeEqual(stored, presented) && !found) {
      found = { name: t.name, role: t.role, source: "token", scope: t.scope };
    }
  }
  return found;
}
