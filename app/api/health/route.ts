import { readHealth } from "@/lib/services/health";
import { respond } from "@/lib/services/http";

// The one public route (listed in the authorization test): no fleet data, only reachability.
export async function GET() {
  return respond(() => readHealth());
}
