// A real OpenID provider for the sign-on tests: node-oidc-provider (npm `oidc-provider`,
// OpenID Certified), with its development login and consent pages. Its configuration comes as
// JSON in OIDC_CONFIG: issuer, port, the one client, the accounts file (read at each login, so
// a test can change someone's groups), and a clock offset in seconds for the tokens it mints.
import fs from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_CONFIG);
// A clock offset applies while the token endpoint answers: the tokens are minted "earlier",
// while the pages' own cookies and codes keep the real time.
let minting = false;
const realNow = Date.now;
Date.now = () => realNow() + (minting ? config.clock_offset_seconds * 1000 : 0);

const provider = new Provider(config.issuer, {
  clients: [{
    client_id: config.client_id,
    client_secret: config.client_secret,
    redirect_uris: config.redirect_uris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups'],
  },
  async findAccount(ctx, id) {
    const accounts = JSON.parse(fs.readFileSync(config.accounts_file, 'utf8'));
    if (!(id in accounts)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) };
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['dockboard-test-provider'] },
});
provider.use(async (ctx, next) => {
  minting = ctx.path === '/token' && Boolean(config.clock_offset_seconds);
  try {
    await next();
  } finally {
    minting = false;
  }
});
provider.listen(config.port, '127.0.0.1', () => console.log(`listening ${config.issuer}`));
