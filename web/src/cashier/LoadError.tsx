/** A read that failed: the server's words and a way to try again. */
import { ApiError } from '../api/errors.ts';
import { text } from './text.ts';

export function LoadError({ error, retry }: { error: Error; retry: () => void }) {
  return (
    <div className="row">
      <p className="error" role="alert">
        {error instanceof ApiError ? error.messageRu : String(error)}
      </p>
      <button type="button" className="button" onClick={retry}>
        {text.cashier.retry}
      </button>
    </div>
  );
}
