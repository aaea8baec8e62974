import { currentIdentity } from "@/lib/auth/current";
import { assertSameOrigin } from "@/lib/auth/origin";
import { respond } from "@/lib/services/http";
import { readJson } from "@/lib/services/request";
import { endSurge, startSurge } from "@/lib/services/sim-surge";

export async function POST(req: Request) {
  return respond(async () => {
    assertSameOrigin(req);
    return startSurge(await currentIdentity(), await readJson(req));
  });
}

export async function DELETE(req: Request) {
  return respond(async () => {
    assertSameOrigin(req);
    return endSurge(await currentIdentity(), await readJson(req));
  });
}
