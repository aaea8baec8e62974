export function Skeleton({ className = "h-4 w-16" }: { className?: string }) {
  return (
    <span
      aria-hidden
      className={`inline-block animate-pulse rounded bg-slate-200 dark:bg-slate-800 ${className}`}
    />
  );
}
