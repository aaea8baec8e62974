// Shared by the overview page (a server component) and the board (a client one): no "use client"
// here, so the page gets the string itself rather than a client reference. The one fetch of
// /api/* in the browser not made through lib/client/api.ts: an inline script cannot import it
// (the board hands its answer to api.fleet).

import { FLEET_URL } from "@/lib/client/api";

export const EARLY_FLEET_GLOBAL = "__capstanFleet";

/**
 * For a big fleet the page sends no data in its HTML; this inline script (with the page's CSP
 * nonce) asks for it while the page's own scripts are still loading, and the board picks the
 * answer up instead of asking again after hydration.
 */
export const EARLY_FLEET_FETCH = `window.${EARLY_FLEET_GLOBAL}=fetch(${JSON.stringify(FLEET_URL)},{cache:"no-store"});`;
