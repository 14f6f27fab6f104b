// A certified OpenID provider (panva's oidc-provider) for the tests, configured like a tenant the
// desktop app could meet: a public native client (code + PKCE S256, loopback redirect on any
// port), a confidential machine-to-machine client (client_credentials), RS256 JWT access tokens
// for one API resource (RFC 8707), rotating refresh tokens, revocation, RFC 9207 `iss`, discovery
// and the library's own development login and consent pages.
//
// Usage: node provider.mjs [--port 0] [--issuer-path /tenant/] [--access-token-ttl 3600]
// Prints one JSON line when ready; exits on SIGTERM/SIGINT and when its stdin closes.
//
// Everything else is the library's default: nothing here bends a standard.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'issuer-path': { type: 'string', default: '' },
    'access-token-ttl': { type: 'string', default: '3600' },
  },
});

const RESOURCE = 'https://api.sandbox.local';
const API_SCOPES = [
  'read:patient', 'write:patient',
  'read:prescription', 'write:prescription',
  'read:order', 'write:order',
];
const NATIVE_CLIENT_ID = 'photon-desktop';
const M2M_SECRET = randomBytes(32).toString('base64url');
const M2M_CLIENTS = {
  client_secret_post: 'photon-m2m-post',
  client_secret_basic: 'photon-m2m-basic',
};
// What each principal may do at the API. Photon never grants write:prescription to a machine
// client, and only to prescribers among people.
const ACCOUNTS = {
  'prescriber@clinic.example': { name: 'Dana Prescriber', scopes: API_SCOPES },
  'staff@clinic.example': {
    name: 'Sam Staff',
    scopes: API_SCOPES.filter((scope) => scope !== 'write:prescription'),
  },
};
const M2M_SCOPES = API_SCOPES.filter((scope) => scope !== 'write:prescription');
const accessTokenTTL = Number.parseInt(options['access-token-ttl'], 10);

// The issuer path: '' for the bare origin, '/tenant' or '/tenant/' (the trailing slash is kept in
// the issuer identifier, as some providers do; the routes live under '/tenant' either way).
const issuerPath = options['issuer-path'];
if (issuerPath && !issuerPath.startsWith('/')) {
  throw new Error('--issuer-path must start with "/"');
}
const mountPath = issuerPath.replace(/\/+$/u, '');

// Whose API permissions a request is about: the signed-in account at the authorization endpoint,
// the grant's account at the token endpoint, otherwise (client_credentials) none.
function accountIdOf(ctx) {
  const { entities, session } = ctx.oidc;
  return entities.Grant?.accountId ?? entities.Account?.accountId ?? session?.accountId;
}

// The API resource as seen by this request's principal. oidc-provider filters consent prompts and
// token scopes by this answer, so an account never gets an API scope its role lacks.
async function getResourceServerInfo(ctx, resourceIndicator, client) {
  if (resourceIndicator !== RESOURCE) {
    throw new Provider.errors.InvalidTarget();
  }
  let scopes = API_SCOPES;
  const accountId = accountIdOf(ctx);
  if (accountId !== undefined) {
    scopes = ACCOUNTS[accountId]?.scopes ?? [];
  } else if (client.clientAuthMethod !== 'none') {
    scopes = M2M_SCOPES;
  }
  return {
    scope: scopes.join(' '),
    audience: RESOURCE,
    accessTokenTTL,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  };
}

async function findAccount(ctx, sub) {
  const account = ACCOUNTS[sub];
  if (account === undefined) return undefined;
  return {
    accountId: sub,
    async claims() {
      return { sub, email: sub, email_verified: true, name: account.name };
    },
  };
}

function configuration(signingKey) {
  const day = 24 * 60 * 60;
  return {
    clients: [
      {
        client_id: NATIVE_CLIENT_ID,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        // RFC 8252 7.3: a native client's loopback redirect matches on any port.
        redirect_uris: ['http://127.0.0.1/callback'],
      },
      ...Object.entries(M2M_CLIENTS).map(([method, clientId]) => ({
        client_id: clientId,
        client_secret: M2M_SECRET,
        token_endpoint_auth_method: method,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      })),
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    findAccount,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: { enabled: true, getResourceServerInfo },
      devInteractions: { enabled: true },
    },
    ttl: {
      AccessToken: (ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTTL,
      AuthorizationCode: 60,
      ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? accessTokenTTL,
      IdToken: 60 * 60,
      Interaction: 60 * 60,
      RefreshToken: 14 * day,
      Session: 14 * day,
      Grant: 14 * day,
    },
  };
}

function rsaSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    alg: 'RS256',
    use: 'sig',
  };
}

// Serve the provider under its issuer path: strip the path and keep the original URL, which
// oidc-provider reads to build its absolute URLs.
function mounted(callback) {
  return (req, res) => {
    const url = req.url ?? '/';
    if (mountPath && !(url === mountPath || url.startsWith(`${mountPath}/`) || url.startsWith(`${mountPath}?`))) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    req.originalUrl = url;
    req.url = url.slice(mountPath.length) || '/';
    callback(req, res);
  };
}

const server = createServer();
server.listen(Number.parseInt(options.port, 10), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}${issuerPath}`;
  const provider = new Provider(issuer, configuration(rsaSigningKey()));
  server.on('request', mounted(provider.callback()));
  process.stdout.write(`${JSON.stringify({
    issuer,
    port,
    resource: RESOURCE,
    scopes: API_SCOPES,
    native_client_id: NATIVE_CLIENT_ID,
    m2m: {
      client_secret_post: { client_id: M2M_CLIENTS.client_secret_post, client_secret: M2M_SECRET },
      client_secret_basic: { client_id: M2M_CLIENTS.client_secret_basic, client_secret: M2M_SECRET },
      scopes: M2M_SCOPES,
    },
    accounts: Object.fromEntries(
      Object.entries(ACCOUNTS).map(([login, { scopes }]) => [login, { scopes }]),
    ),
  })}\n`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
