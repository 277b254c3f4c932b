import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { pageMeta } from '~/i18n/meta';
import { authCacheHeaders } from '~/lib/supabase.server';
import { InboxPage } from '~/modules/notifications/components/inbox-page';
import { handleInboxAction, loadInboxPage } from '~/modules/notifications/inbox.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'notifications.inbox.title');
export const headers = authCacheHeaders;

export const loader = ({ request }: LoaderFunctionArgs) => loadInboxPage(request, 'office');
export const action = ({ request }: ActionFunctionArgs) => handleInboxAction(request, 'office');

export default InboxPage;
