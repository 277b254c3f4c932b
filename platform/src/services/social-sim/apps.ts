/**
 * The one app of each provider the simulator knows. The `social-login` function uses these
 * when it runs on the local platform without real credentials
 * (edge-functions/_shared/social/config.ts, `SIMULATOR_APPS`); they must stay equal. They
 * are not secrets: nothing outside this machine accepts them.
 */
export const SIMULATED_APPS = {
  wechat: {
    appId: 'wx10ca1de5e0000001',
    secret: 'local-simulator-wechat-app-secret',
    name: '物业云（本地）',
  },
  qq: { appId: '101000001', secret: 'local-simulator-qq-app-key', name: '物业云（本地）' },
} as const;

export type SimProvider = keyof typeof SIMULATED_APPS;

/** Codes are valid this long (WeChat and QQ both document 10 minutes). */
export const CODE_TTL_SECONDS = 600;
/** WeChat web access tokens last 2 hours, QQ's 90 days. */
export const TOKEN_TTL_SECONDS: Record<SimProvider, number> = { wechat: 7200, qq: 7_776_000 };
