#!/usr/bin/env node
// Self-test for provider.mjs: node tests/oidc/selftest.mjs   (exit 0 = all good)
// Starts the provider in every OIDC_MODE and drives a real authorization code flow with
// PKCE by hand (no cookies carried between requests), then checks what each mode promises.
import { spawn } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLIENT_ID = 'selftest-client';
const CLIENT_SECRET = 'selftest-secret:with/odd+chars';
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
let passed = 0;
let failed = 0;

async function startProvider(mode) {
  const child = spawn(process.execPath, [path.join(here, 'provider.mjs')], {
    env: {
      ...process.env, OIDC_PORT: '0', OIDC_MODE: mode, OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET, OIDC_REDIRECT_URI: REDIRECT_URI,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const t0 = Date.now();
  const issuer = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^READY (\S+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`provider exited ${code}: ${stderr}`)));
  });
  return { child, issuer, startupMs: Date.now() - t0, stderr: () => stderr };
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const decode = (jwt) => {
  const [h, p, s] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url')),
    payload: JSON.parse(Buffer.from(p, 'base64url')),
    signingInput: Buffer.from(`${h}.${p}`),
    signature: Buffer.from(s, 'base64url'),
  };
};

async function codeFlow(issuer, {
  email, auth = 'basic', pkce = true, replay = false,
}) {
  const disco = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const authz = new URL(disco.authorization_endpoint);
  const q = {
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI,
    scope: 'openid email profile', state, nonce,
  };
  if (pkce) Object.assign(q, { code_challenge: b64url(createHash('sha256').update(verifier).digest()), code_challenge_method: 'S256' });
  if (email) q.login_hint = email;
  for (const [k, v] of Object.entries(q)) authz.searchParams.set(k, v);
  // Follow redirects by hand, GET only, sending no cookies at all.
  let url = authz.href;
  let hops = 0;
  let res;
  for (;;) {
    res = await fetch(url, { redirect: 'manual' });
    const loc = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !loc) break;
    url = new URL(loc, url).href;
    hops += 1;
    if (url.startsWith(REDIRECT_URI)) break;
    assert.ok(hops < 10, 'too many redirects');
  }
  if (!url.startsWith(REDIRECT_URI)) return { disco, endedAt: url, status: res.status, body: await res.text() };
  const cb = new URL(url);
  if (cb.searchParams.get('error')) return { disco, error: Object.fromEntries(cb.searchParams), hops };
  assert.equal(cb.searchParams.get('state'), state, 'state round-trips');
  assert.equal(cb.searchParams.get('iss'), issuer, 'iss response parameter');
  const code = cb.searchParams.get('code');
  const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth === 'basic') {
    // RFC 6749 2.3.1: form-urlencode id and secret before base64 (what the oauth2 crate does)
    const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${enc(CLIENT_ID)}:${enc(CLIENT_SECRET)}`).toString('base64')}`;
  } else {
    body.set('client_id', CLIENT_ID);
    body.set('client_secret', CLIENT_SECRET);
  }
  const tokenRes = await fetch(disco.token_endpoint, { method: 'POST', headers, body });
  const tokens = await tokenRes.json();
  assert.equal(tokenRes.status, 200, `token endpoint: ${JSON.stringify(tokens)}`);
  const jwks = await (await fetch(disco.jwks_uri)).json();
  const id = decode(tokens.id_token);
  const jwk = jwks.keys.find((k) => k.kid === id.header.kid);
  const sigOk = jwk ? verify('RSA-SHA256', id.signingInput, createPublicKey({ key: jwk, format: 'jwk' }), id.signature) : null;
  // Redeeming the same code twice must fail (and makes the provider revoke the grant's tokens).
  const replayStatus = replay ? (await fetch(disco.token_endpoint, { method: 'POST', headers, body })).status : undefined;
  return { disco, hops, nonce, tokens, id, jwks, jwk, sigOk, replayStatus };
}

async function check(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${name}\n     ${err.stack.split('\n').slice(0, 3).join('\n     ')}`);
  }
}

const now = () => Math.floor(Date.now() / 1000);
const results = {};
for (const mode of ['normal', 'expired', 'forged', 'rotated']) {
  const p = await startProvider(mode);
  console.log(`# mode ${mode}: ${p.issuer} (ready after ${p.startupMs} ms)`);
  try {
    const r = await codeFlow(p.issuer, { email: 'jane.doe@example.com', replay: true });
    results[mode] = r;
    await check(`${mode}: discovery endpoints all on the issuer`, () => {
      assert.equal(r.disco.issuer, p.issuer);
      assert.match(p.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
      for (const [k, v] of Object.entries(r.disco)) {
        if (k.endsWith('_endpoint') || k === 'jwks_uri') assert.ok(v.startsWith(`${p.issuer}/`), `${k}=${v}`);
      }
      assert.deepEqual(r.disco.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(r.disco.response_types_supported, ['code']);
      assert.deepEqual(r.disco.token_endpoint_auth_methods_supported.sort(), ['client_secret_basic', 'client_secret_post']);
    });
    await check(`${mode}: /auth answers one 303 straight to the redirect_uri`, () => {
      assert.equal(r.hops, 1);
    });
    await check(`${mode}: ID token claims`, () => {
      const c = r.id.payload;
      assert.equal(c.iss, p.issuer);
      assert.equal(c.aud, CLIENT_ID);
      assert.equal(c.nonce, r.nonce);
      assert.equal(c.email, 'jane.doe@example.com');
      assert.equal(c.email_verified, true);
      assert.equal(c.name, 'Jane Doe');
      assert.match(c.sub, /^u_[\w-]{22}$/);
      assert.equal(r.id.header.alg, 'RS256');
      assert.equal(r.replayStatus, 400, 'code reuse rejected');
    });
  } catch (err) {
    failed += 1;
    console.log(`FAIL ${mode}: flow: ${err.stack}\n${p.stderr()}`);
  }
  if (mode === 'normal') {
    await check('normal: signature verifies against published JWKS; kid devpulse-test-normal-1', () => {
      assert.equal(results.normal.sigOk, true);
      assert.equal(results.normal.id.header.kid, 'devpulse-test-normal-1');
      const c = results.normal.id.payload;
      assert.ok(c.exp > now() + 3000 && c.iat <= now() + 1, `exp ${c.exp} iat ${c.iat}`);
    });
    await check('normal: client_secret_post works, sub stable per email, unverified* -> email_verified false', async () => {
      const again = await codeFlow(p.issuer, { email: 'jane.doe@example.com', auth: 'post' });
      assert.equal(again.id.payload.sub, results.normal.id.payload.sub);
      const other = await codeFlow(p.issuer, { email: 'unverified.bob@example.com', auth: 'post' });
      assert.equal(other.id.payload.email_verified, false);
      assert.notEqual(other.id.payload.sub, results.normal.id.payload.sub);
    });
    await check('normal: userinfo returns the same claims; tokens of a replayed code are revoked', async () => {
      const userinfo = async (at) => fetch(results.normal.disco.userinfo_endpoint, { headers: { authorization: `Bearer ${at}` } });
      const fresh = await codeFlow(p.issuer, { email: 'jane.doe@example.com' });
      const res = await userinfo(fresh.tokens.access_token);
      const ui = await res.json();
      assert.equal(res.status, 200, JSON.stringify(ui));
      assert.deepEqual(ui, {
        sub: results.normal.id.payload.sub, email: 'jane.doe@example.com', email_verified: true, name: 'Jane Doe',
      });
      assert.equal((await userinfo(results.normal.tokens.access_token)).status, 401);
    });
    await check('normal: PKCE is required (no code_challenge -> error redirect)', async () => {
      const r = await codeFlow(p.issuer, { email: 'jane.doe@example.com', pkce: false });
      assert.equal(r.error?.error, 'invalid_request', JSON.stringify(r.error));
    });
    await check('normal: wrong code_verifier -> invalid_grant', async () => {
      const disco = results.normal.disco;
      const verifier = b64url(randomBytes(32));
      const u = new URL(disco.authorization_endpoint);
      Object.entries({
        response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, scope: 'openid email',
        state: 's', nonce: 'n', login_hint: 'a@b.c', code_challenge_method: 'S256',
        code_challenge: b64url(createHash('sha256').update(verifier).digest()),
      }).forEach(([k, v]) => u.searchParams.set(k, v));
      const code = new URL((await fetch(u, { redirect: 'manual' })).headers.get('location')).searchParams.get('code');
      const res = await fetch(disco.token_endpoint, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: b64url(randomBytes(32)),
          client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
        }),
      });
      assert.equal(res.status, 400);
      assert.equal((await res.json()).error, 'invalid_grant');
    });
    await check('normal: no login_hint -> stops at /interaction/<uid> with 400', async () => {
      const r = await codeFlow(p.issuer, {});
      assert.match(r.endedAt, /\/interaction\/[\w-]+$/);
      assert.equal(r.status, 400);
    });
  }
  if (mode === 'expired') {
    await check('expired: exp is more than 5 minutes in the past, signature still valid', () => {
      const c = results.expired.id.payload;
      assert.ok(c.exp < now() - 300, `exp ${c.exp} vs now ${now()}`);
      assert.equal(results.expired.sigOk, true);
      console.log(`     exp = now - ${now() - c.exp} s, iat = now - ${now() - c.iat} s`);
    });
  }
  if (mode === 'forged') {
    await check('forged: same kid as normal, published key is normal\'s, signature fails', () => {
      const f = results.forged;
      assert.equal(f.id.header.kid, 'devpulse-test-normal-1');
      assert.equal(f.jwk.n, results.normal.jwk.n, 'JWKS publishes the genuine normal key');
      assert.equal(f.sigOk, false);
      assert.ok(f.id.payload.exp > now());
    });
  }
  if (mode === 'rotated') {
    await check('rotated: new kid and new key, signature valid against its JWKS', () => {
      const r = results.rotated;
      assert.equal(r.id.header.kid, 'devpulse-test-rotated-2');
      assert.notEqual(r.jwk.n, results.normal.jwk.n);
      assert.ok(!results.normal.jwks.keys.some((k) => k.kid === r.id.header.kid), 'kid unknown to the normal JWKS');
      assert.equal(r.sigOk, true);
    });
  }
  p.child.kill('SIGTERM');
  await new Promise((resolve) => { p.child.once('exit', resolve); });
}
// A second start in normal mode publishes the same key (deterministic keys).
const p2 = await startProvider('normal');
await check('normal restarted: same kid and key', async () => {
  const jwks = await (await fetch(`${p2.issuer}/jwks`)).json();
  assert.deepEqual(jwks.keys.map((k) => [k.kid, k.n]), [[results.normal.jwk.kid, results.normal.jwk.n]]);
});
p2.child.kill('SIGTERM');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
