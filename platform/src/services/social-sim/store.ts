import { randomBytes, randomInt } from 'node:crypto';
import type pg from 'pg';
import { CODE_TTL_SECONDS, type SimProvider, TOKEN_TTL_SECONDS } from './apps';

/** The simulator's state in `_local_platform.social_sim_*` (platform/sql/base/50_social_sim_local.sql). */

export type SimUser = {
  id: number;
  provider: SimProvider;
  openid: string;
  unionid: string;
  nickname: string;
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const HEX = '0123456789ABCDEF';

function randomText(length: number, alphabet = ALPHABET): string {
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** Ids in the providers' own shapes, so nothing downstream relies on a simulator-only format. */
function newIds(provider: SimProvider): { openid: string; unionid: string } {
  return provider === 'wechat'
    ? { openid: `o${randomText(27)}`, unionid: `o${randomText(28)}` }
    : { openid: randomText(32, HEX), unionid: `UID_${randomText(32, HEX)}` };
}

export type SimCode = {
  user: SimUser;
  appId: string;
  redirectUri: string;
  usedAt: Date | null;
  createdAt: Date;
};

export function createSimStore(pool: pg.Pool) {
  const userColumns = 'u.id::int as id, u.provider, u.openid, u.unionid, u.nickname';
  return {
    async listUsers(provider: SimProvider, limit = 20): Promise<SimUser[]> {
      const { rows } = await pool.query<SimUser>(
        `select ${userColumns} from _local_platform.social_sim_users u where provider = $1 order by id desc limit $2`,
        [provider, limit],
      );
      return rows;
    },

    async findUser(provider: SimProvider, id: number): Promise<SimUser | null> {
      const { rows } = await pool.query<SimUser>(
        `select ${userColumns} from _local_platform.social_sim_users u where provider = $1 and id = $2`,
        [provider, id],
      );
      return rows[0] ?? null;
    },

    async findUserByOpenid(provider: SimProvider, openid: string): Promise<SimUser | null> {
      const { rows } = await pool.query<SimUser>(
        `select ${userColumns} from _local_platform.social_sim_users u where provider = $1 and openid = $2`,
        [provider, openid],
      );
      return rows[0] ?? null;
    },

    async createUser(provider: SimProvider, nickname: string): Promise<SimUser> {
      const { openid, unionid } = newIds(provider);
      const { rows } = await pool.query<SimUser>(
        `insert into _local_platform.social_sim_users as u (provider, openid, unionid, nickname)
         values ($1, $2, $3, $4) returning ${userColumns}`,
        [provider, openid, unionid, nickname],
      );
      return rows[0];
    },

    async issueCode(
      provider: SimProvider,
      appId: string,
      user: SimUser,
      redirectUri: string,
    ): Promise<string> {
      const code = provider === 'wechat' ? randomText(32) : randomText(32, HEX);
      await pool.query(
        `insert into _local_platform.social_sim_codes (code, provider, app_id, user_id, redirect_uri)
         values ($1, $2, $3, $4, $5)`,
        [code, provider, appId, user.id, redirectUri],
      );
      return code;
    },

    /**
     * Spends a code: `unknown` (also expired, or another app's), `used`, or the code's user.
     * The update is atomic, so two exchanges of one code never both succeed.
     */
    async spendCode(
      provider: SimProvider,
      appId: string,
      code: string,
    ): Promise<
      { status: 'unknown' } | { status: 'used' } | { status: 'ok'; user: SimUser; redirectUri: string }
    > {
      const { rows } = await pool.query<{ user_id: number; redirect_uri: string }>(
        `update _local_platform.social_sim_codes
            set used_at = now()
          where code = $1 and provider = $2 and app_id = $3 and used_at is null
            and created_at > now() - make_interval(secs => $4)
          returning user_id::int, redirect_uri`,
        [code, provider, appId, CODE_TTL_SECONDS],
      );
      if (!rows[0]) {
        const { rows: used } = await pool.query(
          `select 1 from _local_platform.social_sim_codes
            where code = $1 and provider = $2 and app_id = $3 and used_at is not null`,
          [code, provider, appId],
        );
        return used.length ? { status: 'used' } : { status: 'unknown' };
      }
      const user = await this.findUser(provider, rows[0].user_id);
      if (!user) return { status: 'unknown' };
      return { status: 'ok', user, redirectUri: rows[0].redirect_uri };
    },

    async issueToken(
      provider: SimProvider,
      appId: string,
      user: SimUser,
    ): Promise<{ accessToken: string; refreshToken: string }> {
      const accessToken = provider === 'wechat' ? `79_${randomText(84)}` : randomText(32, HEX);
      await pool.query(
        `insert into _local_platform.social_sim_tokens (access_token, provider, app_id, user_id, expires_at)
         values ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
        [accessToken, provider, appId, user.id, TOKEN_TTL_SECONDS[provider]],
      );
      return {
        accessToken,
        refreshToken: provider === 'wechat' ? `79_${randomText(84)}` : randomText(32, HEX),
      };
    },

    async findToken(
      provider: SimProvider,
      accessToken: string,
    ): Promise<
      { status: 'unknown' } | { status: 'expired' } | { status: 'ok'; user: SimUser; appId: string }
    > {
      const { rows } = await pool.query<{ user_id: number; app_id: string; expired: boolean }>(
        `select user_id::int, app_id, expires_at < now() as expired
           from _local_platform.social_sim_tokens where access_token = $1 and provider = $2`,
        [accessToken, provider],
      );
      if (!rows[0]) return { status: 'unknown' };
      if (rows[0].expired) return { status: 'expired' };
      const user = await this.findUser(provider, rows[0].user_id);
      return user ? { status: 'ok', user, appId: rows[0].app_id } : { status: 'unknown' };
    },
  };
}

export type SimStore = ReturnType<typeof createSimStore>;

/** A request id in WeChat's `rid` shape, appended to errmsg as WeChat does. */
export function rid(): string {
  const part = (n: number) => randomBytes(n).toString('hex');
  return `${Math.floor(Date.now() / 1000).toString(16)}-${part(4)}-${part(4)}`;
}
