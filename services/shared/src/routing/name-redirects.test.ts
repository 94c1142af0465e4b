import { describe, expect, it } from 'vitest';
import { type NameRedirect, planNameRedirects } from './name-redirects';

const now = new Date('2026-05-01T12:00:00.000Z');
const later = '2026-05-08T12:00:00.000Z';
const earlier = '2026-04-30T12:00:00.000Z';
const appId = '6f1c2b8e-4d3a-4f5e-9a7b-1c2d3e4f5a6b';
const otherAppId = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

function redirect(oldName: string, overrides: Partial<NameRedirect> = {}): NameRedirect {
  return { appId, oldName, toName: 'current', expiresAt: later, ...overrides };
}

describe('planNameRedirects', () => {
  it('writes every redirect still in its grace period when Redis lost them all', () => {
    const desired = [redirect('first'), redirect('second')];
    expect(planNameRedirects(desired, new Map(), now)).toEqual({ write: desired, remove: [] });
  });

  it('changes nothing when Redis already matches Postgres', () => {
    const entry = redirect('first');
    expect(planNameRedirects([entry], new Map([['first', { ...entry }]]), now)).toEqual({
      write: [],
      remove: [],
    });
  });

  it('treats the same instant written differently as equal', () => {
    const entry = redirect('first', { expiresAt: '2026-05-08T12:00:00Z' });
    const observed = new Map([['first', redirect('first', { expiresAt: '2026-05-08T12:00:00.000Z' })]]);
    expect(planNameRedirects([entry], observed, now).write).toEqual([]);
  });

  it.each([
    ['another current name', { toName: 'renamed-again' }],
    ['another app', { appId: otherAppId }],
    ['another end of the grace period', { expiresAt: '2026-05-09T12:00:00.000Z' }],
  ])('rewrites an entry that points to %s', (_label, difference) => {
    const entry = redirect('first');
    const observed = new Map([['first', redirect('first', difference)]]);
    expect(planNameRedirects([entry], observed, now)).toEqual({ write: [entry], remove: [] });
  });

  it('rewrites an entry Redis holds but that does not parse', () => {
    const entry = redirect('first');
    expect(planNameRedirects([entry], new Map([['first', null]]), now)).toEqual({
      write: [entry],
      remove: [],
    });
  });

  it('drops entries whose grace period ended, in Postgres or only in Redis', () => {
    const expired = redirect('expired', { expiresAt: earlier });
    const atTheInstant = redirect('ending-now', { expiresAt: now.toISOString() });
    const observed = new Map<string, NameRedirect | null>([
      ['expired', expired],
      ['ending-now', atTheInstant],
    ]);
    expect(planNameRedirects([expired, atTheInstant], observed, now)).toEqual({
      write: [],
      remove: ['expired', 'ending-now'],
    });
  });

  it('drops entries Postgres no longer has (a deleted app, a name taken back) and unreadable ones', () => {
    const observed = new Map<string, NameRedirect | null>([
      ['of-a-deleted-app', redirect('of-a-deleted-app')],
      ['garbled', null],
      ['kept', redirect('kept')],
    ]);
    expect(planNameRedirects([redirect('kept')], observed, now)).toEqual({
      write: [],
      remove: ['of-a-deleted-app', 'garbled'],
    });
  });
});
