import { describe, expect, test } from 'vitest';
import { errorFromResponse, fillPath, findRoute } from './client';
import { exitCodes } from './exit-codes';

describe('fillPath', () => {
  test('puts encoded parameters into the template', () => {
    expect(fillPath('/apps/{name}/deployments/{id}', { name: 'a b/c', id: '1' })).toBe(
      '/apps/a%20b%2Fc/deployments/1',
    );
  });
  test('a missing parameter is a programming error', () => {
    expect(() => fillPath('/apps/{name}', {})).toThrow(/name missing/);
  });
});

describe('findRoute', () => {
  test('takes the method, path and answer from the shared route table', () => {
    expect(findRoute('rollbackDeployment')).toMatchObject({
      method: 'post',
      path: '/apps/{name}/deployments/{id}/rollback',
      answer: { schema: 'DeploymentResponse' },
    });
    expect(findRoute('replaceSecrets')).toMatchObject({ method: 'put', requestContentType: 'text/plain' });
  });
});

describe('errorFromResponse', () => {
  test("keeps the API's message and field messages, with the status's exit code", async () => {
    const body = {
      error: { code: 'invalid_input', message: 'name: Too short.', fields: { name: 'Too short.' } },
    };
    const error = await errorFromResponse('http://cove', Response.json(body, { status: 400 }));
    expect(error).toMatchObject({
      message: 'name: Too short.',
      fields: { name: 'Too short.' },
      exitCode: exitCodes.usage,
      body,
    });
  });

  test('a 401 adds how to sign in again', async () => {
    const body = { error: { code: 'unauthenticated', message: 'That API token is not valid.' } };
    const error = await errorFromResponse('http://cove', Response.json(body, { status: 401 }));
    expect(error.exitCode).toBe(exitCodes.notSignedIn);
    expect(error.message).toBe('That API token is not valid.\nRun `cove login` with a valid token.');
  });

  test("an answer without Cove's error shape asks whether the address is right", async () => {
    const error = await errorFromResponse(
      'http://elsewhere',
      new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    expect(error.exitCode).toBe(exitCodes.serverOrNetwork);
    expect(error.message).toBe(
      "http://elsewhere answered 502 Bad Gateway without Cove's error shape: is it the dashboard's address?",
    );
  });
});
