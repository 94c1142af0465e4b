import { describe, expect, it } from 'vitest';
import { CoveError } from '../errors';
import { parsePushEvent, signGitHubPayload, verifyGitHubSignature } from './github';

const headSha = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const beforeSha = 'a10867b14bb761a232cd80139fbd4c0d33264240';

/** Shaped like a real delivery of GitHub's `push` event (fields trimmed only where repetitive). */
function githubPushEvent(overrides: Record<string, unknown> = {}) {
  const author = { name: 'Ada Lovelace', email: 'ada@example.com', username: 'ada' };
  return {
    ref: 'refs/heads/main',
    before: beforeSha,
    after: headSha,
    repository: {
      id: 186853002,
      node_id: 'MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=',
      name: 'hello-streamlit',
      full_name: 'ada/hello-streamlit',
      private: false,
      owner: { name: 'ada', email: 'ada@example.com', login: 'ada', id: 21031067, type: 'User' },
      html_url: 'https://github.com/ada/hello-streamlit',
      url: 'https://github.com/ada/hello-streamlit',
      clone_url: 'https://github.com/ada/hello-streamlit.git',
      git_url: 'git://github.com/ada/hello-streamlit.git',
      ssh_url: 'git@github.com:ada/hello-streamlit.git',
      default_branch: 'main',
      master_branch: 'main',
      created_at: 1557933565,
      pushed_at: 1557933657,
    },
    pusher: { name: 'ada', email: 'ada@example.com' },
    sender: { login: 'ada', id: 21031067, type: 'User', site_admin: false },
    created: false,
    deleted: false,
    forced: false,
    base_ref: null,
    compare: `https://github.com/ada/hello-streamlit/compare/${beforeSha.slice(0, 12)}...${headSha.slice(0, 12)}`,
    commits: [
      {
        id: headSha,
        tree_id: 'f9d2a07e9488b91af2641b26b9407fe22a451433',
        distinct: true,
        message: 'Change the greeting\n\nSay hello to everyone.',
        timestamp: '2019-05-15T15:20:30-07:00',
        url: `https://github.com/ada/hello-streamlit/commit/${headSha}`,
        author,
        committer: author,
        added: [],
        removed: [],
        modified: ['streamlit_app.py'],
      },
    ],
    head_commit: {
      id: headSha,
      tree_id: 'f9d2a07e9488b91af2641b26b9407fe22a451433',
      distinct: true,
      message: 'Change the greeting\n\nSay hello to everyone.',
      timestamp: '2019-05-15T15:20:30-07:00',
      url: `https://github.com/ada/hello-streamlit/commit/${headSha}`,
      author,
      committer: author,
      added: [],
      removed: [],
      modified: ['streamlit_app.py'],
    },
    ...overrides,
  };
}

function captureError(run: () => unknown): CoveError {
  try {
    run();
  } catch (error) {
    if (error instanceof CoveError) return error;
    throw error;
  }
  throw new Error('expected a CoveError');
}

describe('verifyGitHubSignature', () => {
  const secret = "It's a Secret to Everybody";
  const body = 'Hello, World!';

  it('accepts the signature from GitHub’s documentation example', () => {
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(verifyGitHubSignature(secret, body, header)).toBe(true);
    expect(verifyGitHubSignature(secret, Buffer.from(body), header)).toBe(true);
  });

  it('accepts what signGitHubPayload produces, for strings and buffers', () => {
    const raw = Buffer.from(JSON.stringify(githubPushEvent()));
    expect(verifyGitHubSignature('s3cret', raw, signGitHubPayload('s3cret', raw))).toBe(true);
    expect(verifyGitHubSignature('s3cret', raw.toString(), signGitHubPayload('s3cret', raw))).toBe(true);
  });

  it('refuses another secret, a changed body, and missing or malformed headers', () => {
    const signature = signGitHubPayload(secret, body);
    expect(verifyGitHubSignature('another secret', body, signature)).toBe(false);
    expect(verifyGitHubSignature(secret, `${body} `, signature)).toBe(false);
    expect(verifyGitHubSignature(secret, body, null)).toBe(false);
    expect(verifyGitHubSignature(secret, body, '')).toBe(false);
    expect(verifyGitHubSignature(secret, body, signature.replace('sha256=', 'sha1='))).toBe(false);
    expect(verifyGitHubSignature(secret, body, signature.slice(0, -2))).toBe(false);
    expect(verifyGitHubSignature(secret, body, `${signature}00`)).toBe(false);
    expect(verifyGitHubSignature(secret, body, `sha256=${'zz'.repeat(32)}`)).toBe(false);
    expect(verifyGitHubSignature('', body, signGitHubPayload('', body))).toBe(false);
  });
});

describe('parsePushEvent', () => {
  it('reads the branch, commit, message and author of a push', () => {
    const event = parsePushEvent(Buffer.from(JSON.stringify(githubPushEvent())));
    expect(event).toEqual({
      branch: 'main',
      commitSha: headSha,
      message: 'Change the greeting\n\nSay hello to everyone.',
      author: { name: 'Ada Lovelace', email: 'ada@example.com' },
      isBranchDeletion: false,
    });
  });

  it('keeps slashes in branch names', () => {
    const event = parsePushEvent(JSON.stringify(githubPushEvent({ ref: 'refs/heads/feature/new-chart' })));
    expect(event.branch).toBe('feature/new-chart');
  });

  it('reads a form-encoded delivery (payload=<json>)', () => {
    const form = new URLSearchParams({ payload: JSON.stringify(githubPushEvent()) }).toString();
    expect(parsePushEvent(form).commitSha).toBe(headSha);
  });

  it('marks a branch deletion, which has no head commit', () => {
    const event = parsePushEvent(
      JSON.stringify(
        githubPushEvent({ after: '0'.repeat(40), deleted: true, head_commit: null, commits: [] }),
      ),
    );
    expect(event).toMatchObject({ branch: 'main', isBranchDeletion: true, message: null, author: null });
  });

  it('refuses a push to a tag with a plain message', () => {
    const error = captureError(() =>
      parsePushEvent(JSON.stringify(githubPushEvent({ ref: 'refs/tags/v1.0' }))),
    );
    expect(error.code).toBe('invalid_input');
    expect(error.httpStatus).toBe(400);
    expect(error.message).toContain('refs/tags/v1.0');
    expect(error.message).toContain('not a branch');
  });

  it('refuses a body that is not JSON or not a push event', () => {
    expect(captureError(() => parsePushEvent('not json')).message).toContain('not valid JSON');
    const ping = { zen: 'Keep it logically awesome.', hook_id: 1 };
    expect(captureError(() => parsePushEvent(JSON.stringify(ping))).message).toContain(
      'not a GitHub push event',
    );
    const shortSha = captureError(() => parsePushEvent(JSON.stringify(githubPushEvent({ after: 'abc123' }))));
    expect(shortSha.code).toBe('invalid_input');
    expect(shortSha.message).toContain('after');
  });
});
