import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  detectForge,
  forgeDeliveryId,
  forgeEvent,
  parseForgePush,
  signGiteaPayload,
  verifyForgeDelivery,
  verifyGiteaSignature,
  verifyGitLabToken,
} from './forges';
import { signGitHubPayload } from './github';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const gitlabPush = fixture('gitlab-push.json');
const giteaPush = fixture('gitea-push.json');
const secret = 'the app webhook secret';

describe('detectForge', () => {
  test("tells the forges apart by their own headers (Gitea's, which also sends GitHub's, first)", () => {
    expect(detectForge(new Headers({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': secret }))).toBe(
      'gitlab',
    );
    const gitea = new Headers({
      'x-gitea-event': 'push',
      'x-gitea-signature': 'ab',
      'x-github-event': 'push',
      'x-hub-signature-256': 'sha256=ab',
    });
    expect(detectForge(gitea)).toBe('gitea');
    expect(detectForge(new Headers({ 'x-forgejo-event': 'push' }))).toBe('gitea');
    expect(detectForge(new Headers({ 'x-github-event': 'push' }))).toBe('github');
    expect(detectForge(new Headers())).toBe('github');
  });
});

describe('secrets', () => {
  test("GitLab's token must be the secret itself", () => {
    expect(verifyGitLabToken(secret, secret)).toBe(true);
    expect(verifyGitLabToken(secret, `${secret} `)).toBe(false);
    expect(verifyGitLabToken(secret, 'short')).toBe(false);
    expect(verifyGitLabToken(secret, null)).toBe(false);
    expect(verifyGitLabToken('', '')).toBe(false);
  });

  test("Gitea's signature is the hex HMAC-SHA256 of the exact body", () => {
    const signature = signGiteaPayload(secret, giteaPush);
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyGiteaSignature(secret, giteaPush, signature)).toBe(true);
    expect(verifyGiteaSignature(secret, giteaPush, signature.toUpperCase())).toBe(true);
    expect(verifyGiteaSignature(secret, Buffer.concat([giteaPush, Buffer.from(' ')]), signature)).toBe(false);
    expect(verifyGiteaSignature('another secret', giteaPush, signature)).toBe(false);
    expect(verifyGiteaSignature(secret, giteaPush, `sha256=${signature}`)).toBe(false);
    expect(verifyGiteaSignature(secret, giteaPush, null)).toBe(false);
  });

  test("each forge's delivery is checked its own way; GitHub's signature does not pass for Gitea", () => {
    const asGitea = new Headers({
      'x-gitea-event': 'push',
      'x-hub-signature-256': signGitHubPayload(secret, giteaPush),
    });
    expect(verifyForgeDelivery('gitea', secret, giteaPush, asGitea)).toBe(false);
    asGitea.set('x-gitea-signature', signGiteaPayload(secret, giteaPush));
    expect(verifyForgeDelivery('gitea', secret, giteaPush, asGitea)).toBe(true);
    const forgejo = new Headers({ 'x-forgejo-signature': signGiteaPayload(secret, giteaPush) });
    expect(verifyForgeDelivery('gitea', secret, giteaPush, forgejo)).toBe(true);
    expect(verifyForgeDelivery('gitlab', secret, gitlabPush, new Headers({ 'x-gitlab-token': secret }))).toBe(
      true,
    );
  });
});

describe('events and deliveries', () => {
  test('names the event and the delivery id the replay check keeps', () => {
    expect(forgeEvent('gitlab', new Headers({ 'x-gitlab-event': 'Push Hook' }))).toBe('push');
    expect(forgeEvent('gitlab', new Headers({ 'x-gitlab-event': 'Merge Request Hook' }))).toBe(
      'Merge Request Hook',
    );
    expect(forgeEvent('gitea', new Headers({ 'x-gitea-event': 'push' }))).toBe('push');
    expect(forgeDeliveryId('gitlab', new Headers({ 'x-gitlab-event-uuid': 'u-1' }))).toEqual({
      id: 'gitlab:u-1',
      header: 'x-gitlab-event-uuid',
    });
    expect(
      forgeDeliveryId('gitlab', new Headers({ 'x-gitlab-event-uuid': 'u-1', 'idempotency-key': 'k-1' }))?.id,
    ).toBe('gitlab:k-1');
    expect(forgeDeliveryId('gitea', new Headers({ 'x-gitea-delivery': 'f6266f16' }))?.id).toBe(
      'gitea:f6266f16',
    );
    expect(forgeDeliveryId('github', new Headers({ 'x-github-delivery': 'g-1' }))?.id).toBe('g-1');
    expect(forgeDeliveryId('gitea', new Headers())).toBeNull();
  });
});

describe('parseForgePush', () => {
  test("reads GitLab's documented push: the branch, the head commit among those listed", () => {
    expect(parseForgePush('gitlab', gitlabPush)).toEqual({
      branch: 'master',
      commitSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      message: 'fixed readme',
      author: { name: 'GitLab dev user', email: 'gitlabdev@dv6700.(none)' },
      isBranchDeletion: false,
    });
  });

  test("reads Gitea's documented push, which has no head_commit", () => {
    expect(parseForgePush('gitea', giteaPush)).toEqual({
      branch: 'develop',
      commitSha: 'bffeb74224043ba2feb48d137756c8a9331c449a',
      message: 'Webhooks Yay!',
      author: { name: 'Gitea', email: 'someone@gitea.io' },
      isBranchDeletion: false,
    });
  });

  test('a deleted branch, a tag and a body that is no push are told apart', () => {
    const json = JSON.parse(gitlabPush.toString('utf8'));
    const deleted = Buffer.from(
      JSON.stringify({ ...json, after: '0'.repeat(40), checkout_sha: null, commits: [] }),
    );
    expect(parseForgePush('gitlab', deleted)).toMatchObject({ isBranchDeletion: true, message: null });
    const tag = Buffer.from(JSON.stringify({ ...json, ref: 'refs/tags/v1.0.0' }));
    expect(() => parseForgePush('gitlab', tag)).toThrow(
      'The push is for refs/tags/v1.0.0, which is not a branch',
    );
    expect(() => parseForgePush('gitea', Buffer.from('{"ref":"refs/heads/main"}'))).toThrow(
      /^The webhook body is not a Gitea push event \(after: /,
    );
    expect(() => parseForgePush('gitlab', Buffer.from('not json'))).toThrow(/as GitLab delivers it/);
  });
});
