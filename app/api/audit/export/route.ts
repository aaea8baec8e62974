import { currentIdentity } from "@/lib/auth/current";
import { errorResponse } from "@/lib/services/http";
import { exportAuditCsv, parseAuditFilters } from "@/lib/services/read-audit";

/** The filtered audit log (every page) as a CSV download. Same filters as GET /api/audit. */
export async function GET(req: Request) {
  try {
    const { filename, csv } = await exportAuditCsv(
      await currentIdentity(),
      parseAuditFilters(new URL(req.url).searchParams),
    );
    return new Response(csv, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${filename}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (err) {
    return errorResponse(err);
  }
}
