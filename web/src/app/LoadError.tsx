/**
 * A read that failed, on any screen: the server's words (its Russian message) or, when no answer
 * came, a plain Russian one, and a way to try again.
 */
import { ApiError } from '../api/errors.ts';
import { text } from './text.ts';

export function LoadError({ error, retry }: { error: Error; retry: () => void }) {
  return (
    <div className="row">
      <p className="error" role="alert">
        {error instanceof ApiError ? error.messageRu : text.loadFailed}
      </p>
      <button type="button" className="button" onClick={retry}>
        {text.retry}
      </button>
    </div>
  );
}
