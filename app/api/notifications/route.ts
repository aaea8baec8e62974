import { currentIdentity } from "@/lib/auth/current";
import { respond } from "@/lib/services/http";
import { readNotifications } from "@/lib/services/read-notifications";

/** Admins: the notification targets (by variable name) and recent deliveries, newest first. */
export async function GET() {
  return respond(async () => readNotifications(await currentIdentity()));
}
