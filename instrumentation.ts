// Runs once when a Next.js server starts (not during `next build`): refuse to serve with a
// broken or unsafe configuration or a store that cannot be opened (lib/startup.ts prints why and
// exits non-zero). Node runtime only: the configuration needs the file system. The positive
// NEXT_RUNTIME test lets the bundler drop the import from any edge build.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { openStoreOrExit, startOrExit } = await import("./lib/startup");
    startOrExit();
    await openStoreOrExit();
  }
}
