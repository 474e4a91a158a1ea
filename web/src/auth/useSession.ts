import { useSyncExternalStore } from 'react';
import { sessionState, subscribe, type SessionState } from '../api/session.ts';

/** The tab's session, re-rendering on login, refresh failure and logout. */
export function useSession(): SessionState {
  return useSyncExternalStore(subscribe, sessionState, sessionState);
}
