import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useActionData, useLoaderData } from '@remix-run/react';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { authCacheHeaders } from '~/lib/supabase.server';
import { NoticeEditor } from '~/modules/notices/components/notice-editor';
import { loadEditor, saveEditor } from '~/modules/notices/office.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'notices.edit');
export const headers = authCacheHeaders;

export const loader = ({ request, params }: LoaderFunctionArgs) => loadEditor(request, params.id ?? '');
export const action = ({ request, params }: ActionFunctionArgs) => saveEditor(request, params.id ?? '');

export default function EditNoticePage() {
  const t = useT();
  const { communities, audience, notice, communityId } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('notices.edit')}</h1>
      <NoticeEditor
        communities={communities}
        audience={audience}
        notice={notice}
        communityId={communityId}
        errors={result && 'errors' in result ? result.errors : null}
      />
    </div>
  );
}
