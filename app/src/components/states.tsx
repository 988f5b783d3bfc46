/** Loading, empty and error states, and a wrapper that picks one for a query. */
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { describeError } from "../ticket/errors.ts";

/** A loading line. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status">
      Loading {what}…
    </p>
  );
}

/** An empty state. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

/** An error box with the readable message. */
export function ErrorBox({ error, testId }: { error: unknown; testId?: string }) {
  return (
    <p className="state error" role="alert" data-testid={testId}>
      {describeError(error)}
    </p>
  );
}

/** Renders a query: loading, error (stale data kept when there is some) or the data. */
export function QueryView<T>({ query, what, children }: { query: UseQueryResult<T>; what: string; children: (data: T) => ReactNode }) {
  if (query.data !== undefined) {
    return (
      <>
        {query.isError ? <ErrorBox error={query.error} /> : null}
        {children(query.data)}
      </>
    );
  }
  if (query.isError) return <ErrorBox error={query.error} />;
  return <Loading what={what} />;
}
