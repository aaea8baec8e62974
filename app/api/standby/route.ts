import { currentIdentity } from "@/lib/auth/current";
import { respond } from "@/lib/services/http";
import { readStandby } from "@/lib/services/read-standby";

export async function GET() {
  return respond(async () => readStandby(await currentIdentity()));
}
