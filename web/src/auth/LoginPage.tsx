import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/errors.ts';
import { login } from '../api/session.ts';
import { text } from './text.ts';

/** E-mail or phone and password; the auth service's own refusals shown as it words them. */
export function LoginPage({ reason }: { reason?: string | undefined }) {
  const [loginName, setLoginName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(reason ?? null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(loginName.trim(), password);
    } catch (caught) {
      // The auth service words its refusals (wrong password, throttled with the wait) itself.
      setError(caught instanceof ApiError ? caught.messageRu : String(caught));
      setBusy(false);
    }
  }

  return (
    <main className="login" id="main">
      <form className="login__form card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{text.title}</h1>
        <label className="field">
          <span>{text.login}</span>
          <input
            name="login"
            autoComplete="username"
            value={loginName}
            onChange={(e) => setLoginName(e.target.value)}
            required
            autoFocus
          />
        </label>
        <label className="field">
          <span>{text.password}</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button className="button button--primary" type="submit" disabled={busy}>
          {busy ? text.submitting : text.submit}
        </button>
      </form>
    </main>
  );
}
