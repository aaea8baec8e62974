import "server-only";
import { redirect } from "next/navigation";
import { currentIdentity } from "./current";
import type { AuthorizedIdentity } from "./roles";

/**
 * Pages: a signed-out visitor goes to /login and comes back afterwards; a verified person that
 * no configured group grants a role sees /no-access. Authorization itself stays in the services.
 */
export async function pageIdentity(back: string): Promise<AuthorizedIdentity> {
  const identity = await currentIdentity();
  if (!identity) redirect(`/login?next=${encodeURIComponent(back)}`);
  if (identity.role === null) redirect("/no-access");
  return identity as AuthorizedIdentity;
}
