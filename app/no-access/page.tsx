import { currentIdentity } from "@/lib/auth/current";

export const metadata = { title: "No access" };

export default async function NoAccessPage() {
  const identity = await currentIdentity();
  return (
    <div className="mx-auto mt-16 max-w-md rounded-lg border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900">
      <h1 className="text-lg font-semibold">No access to Capstan</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">
        {identity
          ? `You are signed in as ${identity.name}, but none of your groups grants a Capstan role.`
          : "You are not signed in."}{" "}
        Ask an administrator to map one of your groups to viewer, operator or admin.
      </p>
    </div>
  );
}
