/**
 * The approval link on the advisor's side, its pure parts: the link the client gets, what the
 * send command answered (once), and each link's state in the shop's words.
 */
import { formatDateTime } from '../format/dates.ts';

/** The link the client opens: the token rides in the fragment, which no browser sends anywhere. */
export function approvalUrl(origin: string, token: string): string {
  return `${origin}/approve#${token}`;
}

export interface LinkReply {
  linkId: string;
  token: string;
  expiresAt: string;
}

/** `send_approval_link`'s reply (given once: a retried request answers without it). */
export function linkReply(reply: unknown): LinkReply | null {
  if (typeof reply !== 'object' || reply === null) return null;
  const r = reply as Record<string, unknown>;
  if (typeof r.token !== 'string' || typeof r.link_id !== 'string' || typeof r.expires_at !== 'string') return null;
  return { linkId: r.link_id, token: r.token, expiresAt: r.expires_at };
}

export interface LinkShape {
  state: string;
  openedAt?: string | null;
  answer?: { at: string } | null;
}

/** A link's state in words: «отправлена», «открыта клиентом 05.12.2026 14:30», … */
export function linkStateText(link: LinkShape): string {
  switch (link.state) {
    case 'answered':
      return link.answer ? `клиент ответил ${formatDateTime(link.answer.at)}` : 'клиент ответил';
    case 'revoked':
      return 'отозвана';
    case 'voided':
      return 'устарела: смета изменилась';
    case 'expired':
      return 'истекла';
    case 'live':
      return link.openedAt ? `открыта клиентом ${formatDateTime(link.openedAt)}` : 'отправлена';
    default:
      return link.state;
  }
}

/** The badge's tone for a state. */
export function linkTone(state: string): 'ok' | 'warning' | 'danger' | 'plain' {
  if (state === 'answered') return 'ok';
  if (state === 'live') return 'warning';
  if (state === 'voided' || state === 'expired') return 'danger';
  return 'plain';
}

/** What the board's tile says about an order's latest link: opened or answered, else nothing. */
export function tileLinkMarker(links: readonly LinkShape[] | null | undefined): 'answered' | 'opened' | null {
  const latest = links && links.length > 0 ? links[links.length - 1] : undefined;
  if (!latest) return null;
  if (latest.state === 'answered' || latest.answer) return 'answered';
  if (latest.state === 'live' && latest.openedAt) return 'opened';
  return null;
}

/** The tile's marker in words. */
export const TILE_MARKER_TEXT = {
  opened: 'Клиент открыл ссылку',
  answered: 'Клиент ответил по ссылке',
} as const;

/** The lines an answer names, by their descriptions (a line since removed is shown by its id). */
export function lineNames(ids: readonly string[], lines: readonly { id: string; description: string }[]): string[] {
  return ids.map((id) => lines.find((line) => line.id === id)?.description ?? id);
}
