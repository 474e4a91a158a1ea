import { describe, expect, it } from 'vitest';
import { approvalUrl, lineNames, linkReply, linkStateText, tileLinkMarker } from './approvalLink.ts';

describe('approval link (advisor)', () => {
  it('puts the token in the fragment of /approve', () => {
    expect(approvalUrl('https://shop.example', 'abc_-1')).toBe('https://shop.example/approve#abc_-1');
  });

  it('reads the reply given once, and nothing else', () => {
    expect(linkReply({ link_id: 'l', token: 't', expires_at: '2026-12-08T10:00:00Z' })).toEqual({
      linkId: 'l',
      token: 't',
      expiresAt: '2026-12-08T10:00:00Z',
    });
    expect(linkReply(undefined)).toBeNull();
    expect(linkReply(null)).toBeNull();
    expect(linkReply({ link_id: 'l' })).toBeNull();
  });

  it('tells each state in words', () => {
    expect(linkStateText({ state: 'live' })).toBe('отправлена');
    expect(linkStateText({ state: 'live', openedAt: '2026-12-05T10:00:00Z' })).toMatch(/^открыта клиентом \d\d\.12\.2026 \d\d:00$/);
    expect(linkStateText({ state: 'answered', answer: { at: '2026-12-05T10:00:00Z' } })).toMatch(/^клиент ответил /);
    expect(linkStateText({ state: 'revoked' })).toBe('отозвана');
    expect(linkStateText({ state: 'voided' })).toBe('устарела: смета изменилась');
    expect(linkStateText({ state: 'expired' })).toBe('истекла');
  });

  it("marks a tile by the latest link only", () => {
    expect(tileLinkMarker([])).toBeNull();
    expect(tileLinkMarker(null)).toBeNull();
    expect(tileLinkMarker([{ state: 'live' }])).toBeNull();
    expect(tileLinkMarker([{ state: 'live', openedAt: 'x' }])).toBe('opened');
    expect(tileLinkMarker([{ state: 'answered', openedAt: 'x', answer: { at: 'y' } }])).toBe('answered');
    expect(tileLinkMarker([{ state: 'answered', answer: { at: 'y' } }, { state: 'live' }])).toBeNull();
    expect(tileLinkMarker([{ state: 'voided', openedAt: 'x' }])).toBeNull();
  });

  it('names the lines of an answer', () => {
    expect(lineNames(['a', 'z'], [{ id: 'a', description: 'Замена масла' }])).toEqual(['Замена масла', 'z']);
  });
});
