import { FormErrors } from '~/components/forms';
import { useT } from '~/i18n/use-t';
import type { TenancyActionData } from '../tenancy-routes.server';

/** The outcome of the last form of a page: its form errors, or its success message. */
export function ActionStatus({ data, intent }: { data: TenancyActionData | undefined; intent?: string }) {
  const t = useT();
  if (!data || (intent && data.intent !== intent)) return null;
  if (data.errors?.form?.length) return <FormErrors errors={data.errors.form} />;
  if (data.message)
    return (
      <p
        role="status"
        className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-emerald-800 text-sm"
      >
        {t(data.message.key, data.message.vars)}
      </p>
    );
  return null;
}
