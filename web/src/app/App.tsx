/**
 * The app's frame: the session decides between the login screen and the shop; the shop is a
 * header with the sections the user's role can use, and the routed screen.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { BrowserRouter, NavLink, Navigate, Route, Routes } from 'react-router';
import { logout, refresh } from '../api/session.ts';
import { LoginPage } from '../auth/LoginPage.tsx';
import { can, useMe } from '../auth/me.ts';
import { useSession } from '../auth/useSession.ts';
import { screens } from './screens.tsx';
import { text } from './text.ts';

export function App() {
  const session = useSession();
  const client = useQueryClient();

  // A reload has no token in memory: the refresh cookie, if any, brings the session back.
  useEffect(() => {
    if (session.status === 'unknown') void refresh().catch(() => undefined);
  }, [session.status]);

  // Nothing of one user's data stays cached for the next one.
  useEffect(() => {
    if (session.status === 'signed_out') client.clear();
  }, [session.status, client]);

  if (session.status === 'unknown') {
    return (
      <p className="page-status" role="status">
        {text.loading}
      </p>
    );
  }
  if (session.status === 'signed_out') return <LoginPage reason={session.reason} />;
  return (
    // The screens keep their filters in the URL and draw their inputs from it: outside a transition,
    // so a ticked box or a typed letter shows at once instead of springing back until a deferred
    // render of the whole screen commits (and a fast typist's letters are never dropped).
    <BrowserRouter useTransitions={false}>
      <Shop />
    </BrowserRouter>
  );
}

function Shop() {
  const me = useMe();
  if (me.isPending) {
    return (
      <p className="page-status" role="status">
        {text.loading}
      </p>
    );
  }
  const visible = screens.filter((screen) => screen.permissions.some((p) => can(me.data?.me, p)));
  const home = visible[0]?.path ?? '/board';
  return (
    <>
      <a className="skip-link" href="#main">
        {text.skip}
      </a>
      <header className="topbar">
        <span className="topbar__brand">{text.brand}</span>
        <nav aria-label={text.nav.label} className="topbar__nav">
          {visible
            .filter((screen) => screen.nav)
            .map((screen) => (
              <NavLink key={screen.path} to={screen.path} className="topbar__link" end={!screen.section}>
                {screen.nav}
              </NavLink>
            ))}
        </nav>
        <span className="topbar__user">
          {(me.data?.me.roles ?? []).map((role) => text.roles[role] ?? role).join(', ')}
        </span>
        <button type="button" className="button button--ghost" onClick={() => void logout()}>
          {text.logout}
        </button>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Routes>
          {screens.map((screen) => (
            <Route
              key={screen.path}
              path={screen.path}
              element={
                visible.includes(screen) ? (
                  <screen.Component />
                ) : (
                  <p className="page-status" role="alert">
                    {text.forbidden}
                  </p>
                )
              }
            />
          ))}
          <Route path="/" element={<Navigate to={home} replace />} />
          <Route path="*" element={<p className="page-status">{text.notFound}</p>} />
        </Routes>
      </main>
    </>
  );
}
