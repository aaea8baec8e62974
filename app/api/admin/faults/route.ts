import { currentIdentity } from "@/lib/auth/current";
import { assertSameOrigin } from "@/lib/auth/origin";
import { respond } from "@/lib/services/http";
import { readJson } from "@/lib/services/request";
import { readFaults, setFault } from "@/lib/services/sim-faults";

export async function GET() {
  return respond(async () => readFaults(await currentIdentity()));
}

export async function POST(req: Request) {
  return respond(async () => {
    assertSameOrigin(req);
    return setFault(await currentIdentity(), await readJson(req));
  });
}
