import { currentIdentity } from "@/lib/auth/current";
import { respond } from "@/lib/services/http";
import { parseAuditFilters, readAudit } from "@/lib/services/read-audit";

/** `?region=&pool=&actor=&outcome=&limit=&cursor=` → `{ records, nextCursor }`, newest first. */
export async function GET(req: Request) {
  return respond(async () =>
    readAudit(await currentIdentity(), parseAuditFilters(new URL(req.url).searchParams)),
  );
}
