/** A button that runs a wallet action: pending state, the decoded error, and a refresh of every read after. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { ErrorBox } from "./states.tsx";

export function ActionButton({ run, children, disabled, testId }: { run: () => Promise<unknown>; children: ReactNode; disabled?: boolean; testId?: string }) {
  const queryClient = useQueryClient();
  const mutation = useMutation({ mutationFn: run, onSettled: () => queryClient.invalidateQueries() });
  return (
    <span className="action">
      <button type="button" onClick={() => mutation.mutate()} disabled={disabled === true || mutation.isPending} data-testid={testId}>
        {mutation.isPending ? "Confirming…" : children}
      </button>
      {mutation.isError ? <ErrorBox error={mutation.error} {...(testId === undefined ? {} : { testId: `${testId}-error` })} /> : null}
      {mutation.isSuccess ? (
        <span className="ok" data-testid={testId === undefined ? undefined : `${testId}-done`}>
          Done
        </span>
      ) : null}
    </span>
  );
}
