#!/usr/bin/env node
// Local OpenID Connect provider for devpulse integration tests (oidc-provider 8.8.1, Node >= 18).
//
//   npm ci --prefix tests/oidc && node tests/oidc/provider.mjs      (self-test: node tests/oidc/selftest.mjs)
//
// Prints exactly one line `READY <issuer>` on stdout once listening, then runs until killed
// (SIGTERM/SIGINT exit 0; it also exits by itself if its parent process dies).
// Nothing else is ever written to stdout; warnings go to stderr. Set OIDC_LOG=1 for a
// one-line-per-request log on stderr.
//
// Environment:
//   OIDC_PORT           port on 127.0.0.1; 0 (default) = pick a free one. Issuer: http://127.0.0.1:<port>
//   OIDC_CLIENT_ID      default "devpulse"
//   OIDC_CLIENT_SECRET  default "devpulse-test-secret"
//   OIDC_REDIRECT_URI   default "http://127.0.0.1:8080/auth/oidc/callback"
//   OIDC_MODE           normal (default) | expired | forged | rotated
//
// One confidential client: client_secret_basic or client_secret_post, authorization code
// flow only, response_type=code, PKCE S256 required, scopes openid email profile.
//
// Sign-in without UI: an authorization request carrying login_hint=<email> is signed in as
// that account and consent is granted on the spot; the /auth response is directly a 303 to
// OIDC_REDIRECT_URI?code=...&state=...&iss=... . No interaction hops, no cookies needed
// (the provider does set a _session cookie; it can be ignored). Requests without login_hint
// end at /interaction/<uid>, which answers 400 explaining that login_hint is required.
//
// Accounts: any email. sub = "u_" + base64url(sha256(lowercased email))[0..22] (stable per
// email, also across restarts); email as given; email_verified = false iff the email starts
// with "unverified" (case-insensitive), true otherwise; name derived from the local part
// ("jane.doe@x" -> "Jane Doe"). The ID token itself carries email, email_verified and name
// (conformIdTokenClaims: false), as does the userinfo endpoint.
//
// Keys (RSA 2048, RS256) are derived deterministically from fixed seeds (pure BigInt
// Miller-Rabin, ~0.5 s per key at start-up), so every start in the same mode publishes the
// same key and kid:
//   normal, expired: signs with key "normal", kid devpulse-test-normal-1, publishes it.
//   rotated:         signs with key "rotated", kid devpulse-test-rotated-2, publishes it.
//   forged:          signs with key "attacker" but under kid devpulse-test-normal-1, while
//                    the jwks endpoint publishes the genuine "normal" public key with that kid:
//                    signature verification fails whether or not the RP cached normal's JWKS.
//   expired:         the whole provider runs with Date.now() shifted back 2 h, so ID tokens
//                    carry iat/auth_time = now-2h and exp = now-1h (expired by an hour).

import http from 'node:http';
import util from 'node:util';
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';

// stdout is reserved for the READY line.
const toStderr = (...args) => process.stderr.write(`${util.format(...args)}\n`);
console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;

const MODES = new Set(['normal', 'expired', 'forged', 'rotated']);
const MODE = process.env.OIDC_MODE || 'normal';
if (!MODES.has(MODE)) {
  toStderr(`OIDC_MODE must be one of ${[...MODES].join(', ')}; got ${MODE}`);
  process.exit(2);
}
const PORT = Number.parseInt(process.env.OIDC_PORT || '0', 10);
const CLIENT_ID = process.env.OIDC_CLIENT_ID || 'devpulse';
const CLIENT_SECRET = process.env.OIDC_CLIENT_SECRET || 'devpulse-test-secret';
const REDIRECT_URI = process.env.OIDC_REDIRECT_URI || 'http://127.0.0.1:8080/auth/oidc/callback';
const LOG = process.env.OIDC_LOG === '1';
const CLOCK_SHIFT_MS = MODE === 'expired' ? 2 * 60 * 60 * 1000 : 0;

// Must happen before oidc-provider (and jose) are loaded: they read the time via Date.now().
if (CLOCK_SHIFT_MS) {
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() - CLOCK_SHIFT_MS;
}

const { default: Provider, interactionPolicy } = await import('oidc-provider');

// ---------------------------------------------------------------------------------------
// Deterministic RSA key generation (test keys only; never use this for anything real).
function drbg(seed) {
  let counter = 0;
  let pool = Buffer.alloc(0);
  return (n) => {
    while (pool.length < n) {
      pool = Buffer.concat([pool, createHash('sha256').update(`${seed}\0${counter++}`).digest()]);
    }
    const out = pool.subarray(0, n);
    pool = pool.subarray(n);
    return out;
  };
}
const toBig = (buf) => BigInt(`0x${buf.toString('hex')}`);
function modpow(base, exp, mod) {
  let r = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % mod;
    e >>= 1n;
    b = (b * b) % mod;
  }
  return r;
}
function modinv(a, m) {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new Error('not invertible');
  return ((oldS % m) + m) % m;
}
const SMALL_PRIMES = (() => {
  const ps = [];
  for (let i = 3; ps.length < 600; i += 2) if (ps.every((p) => i % p)) ps.push(i);
  return ps.map(BigInt);
})();
function probablePrime(n, rand, rounds) {
  for (const p of SMALL_PRIMES) if (n % p === 0n) return n === p;
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) { d >>= 1n; s += 1; }
  outer: for (let i = 0; i < rounds; i += 1) {
    const a = 2n + (toBig(rand(64)) % (n - 4n));
    let x = modpow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let j = 1; j < s; j += 1) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}
const E = 65537n;
function randomPrime(bits, rand) {
  for (;;) {
    const c = toBig(rand(bits / 8)) | (3n << BigInt(bits - 2)) | 1n;
    if ((c - 1n) % E !== 0n && probablePrime(c, rand, 24)) return c;
  }
}
const b64u = (x, len = 0) => {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let buf = Buffer.from(hex, 'hex');
  if (buf.length < len) buf = Buffer.concat([Buffer.alloc(len - buf.length), buf]);
  return buf.toString('base64url');
};
function deterministicRsaJwk(seed, kid) {
  const rand = drbg(`devpulse-oidc-rsa-2048:${seed}`);
  let p;
  let q;
  do { p = randomPrime(1024, rand); q = randomPrime(1024, rand); } while (p === q);
  if (p < q) [p, q] = [q, p];
  const n = p * q;
  const d = modinv(E, (p - 1n) * (q - 1n));
  const jwk = {
    kty: 'RSA', kid, alg: 'RS256', use: 'sig',
    n: b64u(n, 256), e: b64u(E), d: b64u(d, 256), p: b64u(p, 128), q: b64u(q, 128),
    dp: b64u(d % (p - 1n), 128), dq: b64u(d % (q - 1n), 128), qi: b64u(modinv(q, p), 128),
  };
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const msg = Buffer.from('self-check');
  if (!verify('sha256', msg, createPublicKey(key), sign('sha256', msg, key))) {
    throw new Error(`generated key ${seed} failed its self-check`);
  }
  return jwk;
}
const publicJwk = ({ kty, kid, alg, use, n, e }) => ({ kty, kid, alg, use, n, e });

const NORMAL_KID = 'devpulse-test-normal-1';
const ROTATED_KID = 'devpulse-test-rotated-2';
let signingJwk;
let publishedOverride; // forged mode: what /jwks shows instead of the real signing key
switch (MODE) {
  case 'rotated':
    signingJwk = deterministicRsaJwk('rotated', ROTATED_KID);
    break;
  case 'forged':
    signingJwk = deterministicRsaJwk('attacker', NORMAL_KID);
    publishedOverride = { keys: [publicJwk(deterministicRsaJwk('normal', NORMAL_KID))] };
    break;
  default: // normal, expired
    signingJwk = deterministicRsaJwk('normal', NORMAL_KID);
}

// ---------------------------------------------------------------------------------------
// Accounts
const accounts = new Map(); // sub -> email
const subFor = (email) => `u_${createHash('sha256').update(email.toLowerCase()).digest('base64url').slice(0, 22)}`;
const nameFor = (email) => email.split('@')[0].split(/[._+-]+/).filter(Boolean)
  .map((w) => w[0].toUpperCase() + w.slice(1)).join(' ') || email;
function claimsFor(sub) {
  const email = accounts.get(sub);
  return {
    sub,
    email,
    email_verified: !email.toLowerCase().startsWith('unverified'),
    name: nameFor(email),
  };
}

// ---------------------------------------------------------------------------------------
const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(PORT, '127.0.0.1', resolve);
});
const { port } = server.address();
const HOST = `127.0.0.1:${port}`;
const ISSUER = `http://${HOST}`;

const policy = interactionPolicy.base();
// Every login_hint request is a fresh sign-in with consent, so prompt=login/consent is met.
policy.get('login').checks.remove('login_prompt');
policy.get('consent').checks.remove('consent_prompt');

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    // Registered as basic; oidc-provider accepts client_secret_post from such a client too.
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  responseTypes: ['code'],
  scopes: ['openid', 'email', 'profile'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false, // put the scope's claims in the ID token, not only in userinfo
  pkce: { required: () => true }, // S256 is the only method oidc-provider 9 supports
  features: { devInteractions: { enabled: false } },
  jwks: { keys: [signingJwk] },
  cookies: { keys: ['devpulse-oidc-test-cookie-key'] },
  ttl: {
    AccessToken: 3600, AuthorizationCode: 600, IdToken: 3600, Interaction: 600, Session: 3600, Grant: 3600,
  },
  interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    if (!accounts.has(sub)) return undefined;
    return { accountId: sub, claims: async () => claimsFor(sub) };
  },
  async loadExistingGrant(ctx) {
    const { client, session } = ctx.oidc;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    if (grantId) {
      const existing = await ctx.oidc.provider.Grant.find(grantId);
      if (existing && existing.accountId === session.accountId) return existing;
    }
    // Automatic consent for everything this provider offers.
    const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
  async renderError(ctx, out) {
    ctx.type = 'json';
    ctx.body = out;
  },
});

// Sign-in from login_hint: on GET /auth?...&login_hint=<email>, hand the authorization
// endpoint a fresh session already logged in as that account (ignoring any session cookie).
const originalSessionGet = provider.Session.get;
provider.Session.get = async function getSession(ctx) {
  const hint = ctx.oidc?.route === 'authorization' && ctx.method === 'GET'
    ? ctx.URL.searchParams.get('login_hint') : null;
  if (!hint) return originalSessionGet.call(this, ctx);
  const email = hint.trim();
  const sub = subFor(email);
  accounts.set(sub, email);
  const session = this.instantiate();
  session.loginAccount({ accountId: sub, amr: ['pwd'] });
  session.touched = true;
  ctx.oidc.entity('Session', session);
  return session;
};

provider.use(async (ctx, next) => {
  const started = Date.now();
  // Endpoint URLs are derived from the request's Host; pin them to the issuer.
  ctx.req.headers.host = HOST;
  if (ctx.path.startsWith('/interaction/')) {
    ctx.status = 400;
    ctx.type = 'text';
    ctx.body = 'devpulse test OIDC provider: no automatic sign-in for this request. '
      + 'Add login_hint=<email> to the authorization request.\n';
  } else {
    await next();
    if (publishedOverride && ctx.path === '/jwks' && ctx.status === 200) {
      const { type } = ctx;
      ctx.body = publishedOverride;
      ctx.type = type;
    }
  }
  if (LOG) toStderr(`[oidc ${MODE}] ${ctx.method} ${ctx.url} -> ${ctx.status} (${Date.now() - started} ms)`);
});
for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error', 'jwks.error', 'discovery.error']) {
  provider.on(event, (ctx, err) => toStderr(`[oidc ${MODE}] ${event}: ${err?.message}${err?.error_description ? ` (${err.error_description})` : ''}`));
}

server.on('request', provider.callback());

function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
// Do not outlive the test process that started us (if it dies without killing us).
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 1000).unref();

process.stdout.write(`READY ${ISSUER}\n`);
