"use client";

import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string };
  reset: () => void;
}) {
  return (
    <Alert tone="error" className="mx-auto mt-10 max-w-lg p-4">
      <h1 className="text-base font-semibold">This page could not be shown</h1>
      <p className="mt-1">
        {error.message || "An unexpected error occurred."}
        {error.digest ? ` (ref ${error.digest})` : ""}
      </p>
      <Button variant="primary" onClick={reset} className="mt-3">
        Try again
      </Button>
    </Alert>
  );
}
