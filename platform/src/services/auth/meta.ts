import type { AuthDeps } from './deps';
import { type AuthResult, json } from './http';

/** GET /.well-known/jwks.json: the ES256 public key (never the HMAC secret), cacheable for 10 minutes. */
export function handleJwks(deps: AuthDeps): AuthResult {
  const { kty, crv, x, y, kid, alg } = deps.ctx.keys.signingKey.publicJwk as Record<string, unknown>;
  return json({ keys: [{ kty, crv, x, y, kid, alg, use: 'sig', key_ops: ['verify'] }] }, 200, {
    'Cache-Control': 'public, max-age=600',
  });
}

/** GET /settings, in GoTrue's shape: only e-mail and phone sign-in exist locally. */
export function handleSettings(deps: AuthDeps): AuthResult {
  const external = Object.fromEntries(
    [
      'anonymous_users',
      'apple',
      'azure',
      'bitbucket',
      'discord',
      'facebook',
      'snapchat',
      'figma',
      'fly',
      'github',
      'gitlab',
      'google',
      'keycloak',
      'kakao',
      'linkedin',
      'linkedin_oidc',
      'notion',
      'spotify',
      'slack',
      'slack_oidc',
      'workos',
      'twitch',
      'twitter',
      'email',
      'phone',
      'zoom',
    ].map((p) => [p, p === 'email' || p === 'phone']),
  );
  return json({
    external,
    disable_signup: deps.config.disableSignup,
    mailer_autoconfirm: deps.config.emailAutoconfirm,
    phone_autoconfirm: deps.config.smsAutoconfirm,
    sms_provider: 'local_outbox',
    saml_enabled: false,
    saml_private_key_next_configured: false,
    passkeys_enabled: false,
  });
}

export function handleHealth(): AuthResult {
  return json({
    version: 'local',
    name: 'GoTrue',
    description: 'Local Auth service of the wuye platform (GoTrue-compatible)',
  });
}
