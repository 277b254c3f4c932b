import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useActionData, useLoaderData } from '@remix-run/react';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { authCacheHeaders } from '~/lib/supabase.server';
import { NoticeEditor } from '~/modules/notices/components/notice-editor';
import { loadEditor, saveEditor } from '~/modules/notices/office.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'notices.new');
export const headers = authCacheHeaders;

export const loader = ({ request }: LoaderFunctionArgs) => loadEditor(request, null);
export const action = ({ request }: ActionFunctionArgs) => saveEditor(request, null);

export default function NewNoticePage() {
  const t = useT();
  const { communities, audience, communityId } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('notices.new')}</h1>
      <NoticeEditor
        key={communityId}
        communities={communities}
        audience={audience}
        notice={null}
        communityId={communityId}
        errors={result && 'errors' in result ? result.errors : null}
      />
    </div>
  );
}
