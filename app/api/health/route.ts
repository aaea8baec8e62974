import { currentIdentity } from "@/lib/auth/current";
import { publicHealth, readHealth } from "@/lib/services/health";
import { respond } from "@/lib/services/http";

// The one public route (listed in the authorization test). Signed out (a load balancer) it says
// only ok or degraded; the backend, the regions and their errors are for signed-in users.
export async function GET() {
  const identity = await currentIdentity().catch(() => null);
  return respond(async () => (identity?.role ? readHealth() : publicHealth(await readHealth())));
}
