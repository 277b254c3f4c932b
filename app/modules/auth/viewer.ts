import type { PlatformRole } from '~/lib/db.server';

/** What the layouts show about the signed-in user (a DTO: no tokens, no claims). */
export type Viewer = {
  id: string;
  name: string;
  maskedPhone: string | null;
  email: string | null;
  platformRole: PlatformRole | null;
  isStaff: boolean;
};
