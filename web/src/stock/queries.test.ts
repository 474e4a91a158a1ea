import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { login, resetForTests } from '../api/session.ts';
import { marginReportPage } from './queries.ts';

interface Sent {
  query: string;
  variables: Record<string, unknown>;
}

/** Answers the login and every GraphQL request with `data`; returns the GraphQL bodies sent. */
function serve(data: unknown): Sent[] {
  const sent: Sent[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    if (url.startsWith('/api/auth')) {
      return new Response(JSON.stringify({ access_token: 't', token_type: 'Bearer', expires_in: 600 }), { status: 200 });
    }
    sent.push(JSON.parse(init.body as string) as Sent);
    return new Response(JSON.stringify({ data }), { status: 200 });
  });
  return sent;
}

const period = { from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' };
const leaks = { nodes: [], endCursor: 'c1', hasNextPage: true };

beforeEach(() => resetForTests());
afterEach(() => vi.unstubAllGlobals());

describe('the margin report pages', () => {
  it('asks for the totals and the first leaks in one request', async () => {
    const summary = { bought: '1000.00', issuedCost: '0.00', billedAmount: '0.00', margin: '0.00', lines: 0, issuedNotBilled: 0, billedNotIssued: 0, belowCost: 0 };
    const sent = serve({ marginSummary: summary, marginLeaks: leaks });
    await login('a', 'b');
    const page = await marginReportPage(period, [], 50)(null);
    expect(page.marginSummary).toEqual(summary);
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request?.query).toMatch(/marginSummary\(from: \$from, to: \$to\)/);
    expect(request?.query).toMatch(/marginLeaks\(from: \$from, to: \$to, kinds: \$kinds, first: \$first\)/);
    expect(request?.variables).toEqual({ ...period, kinds: null, first: 50 });
  });

  it('asks «Показать ещё» for leaks only, after the cursor, of the chosen kinds', async () => {
    const sent = serve({ marginLeaks: leaks });
    await login('a', 'b');
    await marginReportPage(period, ['BELOW_COST'], 50)('c1');
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request?.query).not.toContain('marginSummary');
    expect(request?.query).toMatch(/marginLeaks\(from: \$from, to: \$to, kinds: \$kinds, first: \$first, after: \$after\)/);
    expect(request?.variables).toEqual({ ...period, kinds: ['BELOW_COST'], first: 50, after: 'c1' });
  });
});
