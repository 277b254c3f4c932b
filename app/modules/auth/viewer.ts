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

/** Why a signed-in user was turned away from a surface (thrown as 403 data; the page explains it). */
export type ForbiddenData = { reason: 'not-staff' | 'not-platform'; viewer: Viewer };
