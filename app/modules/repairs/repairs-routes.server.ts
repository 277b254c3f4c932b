import { data } from '@remix-run/node';
import type { SupabaseClient } from '@supabase/supabase-js';
import { withUser } from '~/lib/db.server';
import type { FormErrors } from '~/lib/form-errors';
import { requireUser } from '~/modules/auth/session.server';
import { RepairError } from './errors';
import type { AssigneeDTO } from './repairs.server';
import { officeScope } from './repairs-office.server';

/** What a repairs form action answers: success, or messages for the form. */
export type RepairActionData = { ok?: boolean; errors?: FormErrors };

/**
 * Runs a domain step for an action and answers the form: `{ ok: true }`, or the RepairError's
 * message as a form error (status 400). Anything else is a bug and propagates to the error boundary.
 */
export async function answerForm(headers: Headers, step: () => Promise<unknown>) {
  try {
    await step();
    return data<RepairActionData>({ ok: true }, { headers });
  } catch (err) {
    if (err instanceof RepairError) {
      return data<RepairActionData>(
        { errors: { form: [{ key: err.messageKey }] } },
        { status: 400, headers },
      );
    }
    throw err;
  }
}

export function invalidForm(headers: Headers, errors: FormErrors) {
  return data<RepairActionData>({ errors }, { status: 400, headers });
}

/** The technician's profile photo (bucket "avatars", when the profile has one), signed for this page. */
export async function assigneePhoto(
  supabase: SupabaseClient,
  assignee: AssigneeDTO | null,
): Promise<string | null> {
  if (!assignee?.avatarPath) return null;
  const { data: signed } = await supabase.storage.from('avatars').createSignedUrl(assignee.avatarPath, 3600);
  return signed?.signedUrl ?? null;
}

/**
 * The signed-in staff member and the communities where they may see repairs; 403 for staff
 * without repair.read anywhere.
 */
export async function requireRepairScope(request: Request) {
  const auth = await requireUser(request, { surface: 'office' });
  const scope = await withUser(auth.user.claims, (tx) => officeScope(tx), { readOnly: true });
  if (scope.length === 0) throw data(null, { status: 403, headers: auth.headers });
  return { ...auth, scope };
}
