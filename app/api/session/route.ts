import { NextResponse } from "next/server";
import { assertSameOrigin } from "@/lib/auth/origin";
import { cookieOptions, SESSION_COOKIE } from "@/lib/auth/session";
import { devSignIn } from "@/lib/services/sessions";
import { errorResponse } from "@/lib/services/http";
import { readJson } from "@/lib/services/request";

/** POST {"name","role"}: dev sign-in for scripts and tests (the /login page uses it too). */
export async function POST(req: Request) {
  try {
    assertSameOrigin(req);
    const { identity, token } = await devSignIn(await readJson(req));
    const res = NextResponse.json({ name: identity.name, role: identity.role });
    res.cookies.set(SESSION_COOKIE, token, cookieOptions(req.url));
    return res;
  } catch (err) {
    return errorResponse(err);
  }
}

/** Sign out: no identity needed, only a same-origin request. */
export async function DELETE(req: Request) {
  try {
    assertSameOrigin(req);
    const res = NextResponse.json({ signedOut: true });
    res.cookies.set(SESSION_COOKIE, "", { ...cookieOptions(req.url), maxAge: 0 });
    return res;
  } catch (err) {
    return errorResponse(err);
  }
}
