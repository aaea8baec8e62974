import Link from "next/link";

export default function NotFound() {
  return (
    <div className="mx-auto mt-10 max-w-lg text-center">
      <h1 className="text-lg font-semibold">Not found</h1>
      <p className="mt-1 text-sm text-slate-500 dark:text-slate-400">No such region or pool in this fleet.</p>
      <Link href="/" className="mt-3 inline-block text-sky-700 underline dark:text-sky-400">
        Back to the overview
      </Link>
    </div>
  );
}
