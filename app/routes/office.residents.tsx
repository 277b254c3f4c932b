import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { ImageOff, Search, ShieldCheck, Users } from 'lucide-react';
import { EmptyState } from '~/components/empty-state';
import { SubmitButton } from '~/components/forms';
import { Badge } from '~/components/ui/badge';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { Input } from '~/components/ui/input';
import { pageMeta } from '~/i18n/meta';
import { useLocale, useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import { parseIntentFormData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { formatDateTime } from '~/modules/notifications/components/format';
import { ActionStatus } from '~/modules/tenancy/components/action-status';
import { NativeSelect } from '~/modules/tenancy/components/native-select';
import { OfficeTabs } from '~/modules/tenancy/components/office-tabs';
import { residentsQuerySchema, verifyFormSchemas } from '~/modules/tenancy/directory.schema';
import {
  approveBindingRequest,
  listPendingBindingRequests,
  rejectBindingRequest,
  signProofs,
} from '~/modules/tenancy/directory.server';
import { requireOfficeScope } from '~/modules/tenancy/office-scope.server';
import { displayPhone, relationLabels, unitAddress } from '~/modules/tenancy/permissions';
import { searchResidentDirectory } from '~/modules/tenancy/residents.server';
import {
  answerTenancyForm,
  invalidTenancyForm,
  type TenancyActionData,
} from '~/modules/tenancy/tenancy-routes.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'office.nav.residents');
export const headers = authCacheHeaders;

const PAGE_SIZE = 20;

export async function loader({ request }: LoaderFunctionArgs) {
  const { user, scope, supabase, headers } = await requireOfficeScope(request);
  const query = residentsQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const community = scope.communities.find((c) => c.id === query.community)?.id;
  const page = await withUser(
    user.claims,
    async (tx) => {
      const queue = scope.can.residentVerify
        ? await listPendingBindingRequests(tx, scope.company.id, community)
        : [];
      const directory =
        query.tab === 'directory' && scope.can.residentRead
          ? await searchResidentDirectory(tx, {
              companyId: scope.company.id,
              communityId: community,
              q: query.q,
              page: query.page,
              pageSize: PAGE_SIZE,
            })
          : null;
      return { queue, directory };
    },
    { readOnly: true },
  );
  const queue = query.tab === 'queue' ? await signProofs(supabase, page.queue) : [];
  return data(
    {
      scope,
      query: { ...query, community: community ?? null },
      queueCount: page.queue.length,
      queue,
      directory: page.directory,
    },
    { headers },
  );
}

export async function action({ request }: ActionFunctionArgs) {
  const { user, headers } = await requireOfficeScope(request);
  const form = await request.formData();
  const name = String(form.get('applicantName') ?? '');
  const parsed = parseIntentFormData(form, verifyFormSchemas);
  if (!parsed.ok) return invalidTenancyForm(headers, parsed.intent, parsed.errors);
  return answerTenancyForm(headers, parsed.intent, () =>
    withUser(user.claims, async (tx) => {
      if (parsed.intent === 'approve') {
        await approveBindingRequest(tx, parsed.data.requestId);
        return { key: 'tenancy.verify.approved', vars: { name } };
      }
      await rejectBindingRequest(tx, parsed.data.requestId, parsed.data.reason);
      return { key: 'tenancy.verify.rejected', vars: { name } };
    }),
  );
}

export default function OfficeResidentsPage() {
  const t = useT();
  const locale = useLocale();
  const { scope, query, queue, queueCount, directory } = useLoaderData<typeof loader>();
  const actionData = useActionData<TenancyActionData>();
  const [params] = useSearchParams();
  const withParams = (next: Record<string, string | null>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    return `?${p.toString()}`;
  };
  const tabs = [
    ...(scope.can.residentRead
      ? [{ to: '/office/residents', key: 'tenancy.residents.directory' as const }]
      : []),
    ...(scope.can.residentVerify
      ? [{ to: '/office/residents?tab=queue', key: 'tenancy.residents.queue' as const, badge: queueCount }]
      : []),
  ];
  return (
    <div className="flex flex-col gap-4">
      <h1 className="font-semibold text-xl tracking-tight">{t('office.nav.residents')}</h1>
      <OfficeTabs
        label={t('office.nav.residents')}
        tabs={tabs}
        current={query.tab === 'queue' ? '/office/residents?tab=queue' : '/office/residents'}
      />
      <ActionStatus data={actionData} />
      {query.tab === 'directory' ? (
        scope.can.residentRead && directory ? (
          <>
            <Form method="get" className="flex flex-wrap items-center gap-2" role="search">
              {scope.communities.length > 1 ? (
                <NativeSelect
                  name="community"
                  defaultValue={query.community ?? ''}
                  aria-label={t('tenancy.houses.communities')}
                >
                  <option value="">{t('tenancy.residents.allCommunities')}</option>
                  {scope.communities.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </NativeSelect>
              ) : null}
              <Input
                name="q"
                type="search"
                defaultValue={query.q ?? ''}
                placeholder={t('tenancy.residents.searchHint')}
                aria-label={t('tenancy.residents.searchHint')}
                className="w-64"
              />
              <Button type="submit" variant="outline">
                <Search aria-hidden />
                {t('tenancy.search')}
              </Button>
            </Form>
            <Card className="gap-0 overflow-x-auto py-0">
              <table className="w-full text-sm">
                <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
                  <tr>
                    <th scope="col" className="px-4 py-2 font-medium">
                      {t('tenancy.staff.name')}
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      {t('tenancy.staff.phone')}
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      {t('tenancy.residents.unit')}
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      {t('tenancy.residents.relation')}
                    </th>
                    <th scope="col" className="px-4 py-2 font-medium">
                      {t('tenancy.residents.account')}
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y">
                  {directory.entries.map((e) => (
                    <tr key={e.occupancyId} className={e.movedOut ? 'text-muted-foreground' : undefined}>
                      <td className="px-4 py-2 font-medium">{e.name}</td>
                      <td className="px-4 py-2 tabular-nums">{displayPhone(e.phone) ?? t('tenancy.none')}</td>
                      <td className="px-4 py-2">
                        {scope.communities.length > 1 ? (
                          <span className="mr-1 text-muted-foreground text-xs">
                            {scope.communities.find((c) => c.id === e.communityId)?.name}
                          </span>
                        ) : null}
                        {unitAddress(e)}
                      </td>
                      <td className="px-4 py-2">
                        {t(relationLabels[e.relation])}
                        {e.movedOut ? (
                          <Badge variant="outline" className="ml-1">
                            {t('tenancy.residents.movedOut')}
                          </Badge>
                        ) : null}
                      </td>
                      <td className="px-4 py-2 text-xs">
                        {t(e.hasAccount ? 'tenancy.residents.hasAccount' : 'tenancy.residents.noAccount')}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {directory.entries.length === 0 ? (
                <p className="px-4 py-6 text-center text-muted-foreground text-sm">
                  {t('tenancy.residents.empty')}
                </p>
              ) : null}
            </Card>
            <div className="flex items-center justify-end gap-2">
              {directory.page > 1 ? (
                <Button asChild variant="outline" size="sm">
                  <Link to={withParams({ page: String(directory.page - 1) })}>{t('tenancy.previous')}</Link>
                </Button>
              ) : null}
              {directory.hasMore ? (
                <Button asChild variant="outline" size="sm">
                  <Link to={withParams({ page: String(directory.page + 1) })}>{t('tenancy.next')}</Link>
                </Button>
              ) : null}
            </div>
          </>
        ) : (
          <p className="text-muted-foreground text-sm">{t('tenancy.residents.noAccess')}</p>
        )
      ) : queue.length === 0 ? (
        <Card className="shadow-none">
          <EmptyState icon={ShieldCheck} title={t('tenancy.verify.empty')} body="" />
        </Card>
      ) : (
        <ul className="grid gap-4 xl:grid-cols-2">
          {queue.map((r) => (
            <li key={r.id}>
              <Card className="gap-3 px-5" aria-label={`${r.applicantName} ${unitAddress(r)}`}>
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <h2 className="font-medium">
                    {r.communityName} {unitAddress(r)}
                  </h2>
                  <span className="text-muted-foreground text-xs">
                    {t('tenancy.verify.submittedAt', { time: formatDateTime(r.createdAt, locale) })}
                  </span>
                </div>
                <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                  <dt className="text-muted-foreground">{t('tenancy.verify.applicant')}</dt>
                  <dd>
                    {r.applicantName}{' '}
                    {r.phone ? (
                      <span className="text-muted-foreground tabular-nums">{displayPhone(r.phone)}</span>
                    ) : null}
                  </dd>
                  <dt className="text-muted-foreground">{t('tenancy.verify.claims')}</dt>
                  <dd>{t(relationLabels[r.relation])}</dd>
                  {r.note ? (
                    <>
                      <dt className="text-muted-foreground">{t('tenancy.verify.note')}</dt>
                      <dd>{r.note}</dd>
                    </>
                  ) : null}
                  <dt className="text-muted-foreground">{t('tenancy.verify.known')}</dt>
                  <dd>
                    {r.knownOccupants.length
                      ? r.knownOccupants
                          .map((o) => `${o.name}（${t(relationLabels[o.relation])}）`)
                          .join('、')
                      : t('tenancy.verify.noKnown')}
                  </dd>
                </dl>
                <div>
                  <p className="mb-1 text-muted-foreground text-xs">{t('tenancy.verify.proof')}</p>
                  {r.proofUrl ? (
                    <a href={r.proofUrl} target="_blank" rel="noreferrer">
                      <img
                        src={r.proofUrl}
                        alt={t('tenancy.verify.proof')}
                        className="max-h-48 rounded-md border object-contain"
                      />
                    </a>
                  ) : (
                    <p className="flex items-center gap-1 text-muted-foreground text-xs">
                      <ImageOff aria-hidden className="size-3" />
                      {t('tenancy.verify.noProof')}
                    </p>
                  )}
                </div>
                <div className="flex flex-wrap items-end gap-2 border-t pt-3">
                  <Form method="post">
                    <input type="hidden" name="requestId" value={r.id} />
                    <input type="hidden" name="applicantName" value={r.applicantName} />
                    <SubmitButton intent="approve" size="sm">
                      {t('tenancy.verify.approve')}
                    </SubmitButton>
                  </Form>
                  <Form method="post" className="flex flex-1 flex-wrap items-center gap-2">
                    <input type="hidden" name="requestId" value={r.id} />
                    <input type="hidden" name="applicantName" value={r.applicantName} />
                    <Input
                      name="reason"
                      required
                      maxLength={500}
                      placeholder={t('tenancy.verify.reason')}
                      aria-label={t('tenancy.verify.reason')}
                      className="h-8 min-w-40 flex-1"
                    />
                    <SubmitButton intent="reject" size="sm" variant="outline">
                      {t('tenancy.verify.reject')}
                    </SubmitButton>
                  </Form>
                </div>
              </Card>
            </li>
          ))}
        </ul>
      )}
      {!scope.can.residentRead && !scope.can.residentVerify ? (
        <EmptyState icon={Users} title={t('tenancy.residents.noAccess')} body="" />
      ) : null}
    </div>
  );
}
