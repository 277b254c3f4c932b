import { type ActionFunctionArgs, data, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { ArrowLeft, Download } from 'lucide-react';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Button } from '~/components/ui/button';
import { Card } from '~/components/ui/card';
import { Label } from '~/components/ui/label';
import { pageMeta } from '~/i18n/meta';
import { useT } from '~/i18n/use-t';
import { withUser } from '~/lib/db.server';
import type { FormErrors as FormErrorsData } from '~/lib/form-errors';
import { authCacheHeaders } from '~/lib/supabase.server';
import { NativeSelect } from '~/modules/tenancy/components/native-select';
import { requireOfficeScope } from '~/modules/tenancy/office-scope.server';
import { TenancyError } from '~/modules/tenancy/tenancy-errors';
import { importFormSchema, UNIT_HEADERS } from '~/modules/tenancy/unit-import.schema';
import { type ImportReport, importUnits, parseUnitsWorkbook } from '~/modules/tenancy/unit-import.server';

export const meta: MetaFunction = ({ matches }) => pageMeta(matches, 'tenancy.import.title');
export const headers = authCacheHeaders;

const MAX_FILE_BYTES = 5_000_000;

export async function loader({ request }: LoaderFunctionArgs) {
  const { scope, headers } = await requireOfficeScope(request);
  const wanted = new URL(request.url).searchParams.get('community');
  return data(
    { communities: scope.communities, selected: wanted ?? scope.communities[0]?.id ?? null },
    { headers },
  );
}

type ImportAction = { report?: ImportReport; errors?: FormErrorsData };

export async function action({ request }: ActionFunctionArgs) {
  const { user, headers } = await requireOfficeScope(request);
  const form = await request.formData();
  const parsed = importFormSchema.safeParse({ communityId: form.get('communityId') });
  const file = form.get('file');
  if (!parsed.success || !(file instanceof File) || file.size === 0 || file.size > MAX_FILE_BYTES) {
    return data<ImportAction>(
      { errors: { form: [{ key: 'tenancy.error.fileInvalid' }] } },
      { status: 400, headers },
    );
  }
  try {
    const rows = await parseUnitsWorkbook(await file.arrayBuffer());
    // One transaction: a failed write rolls every row back.
    const report = await withUser(user.claims, (tx) => importUnits(tx, parsed.data.communityId, rows), {
      statementTimeoutMs: 60_000,
    });
    // A report with problems is a successful check, not a failed request (200 either way).
    return data<ImportAction>({ report }, { headers });
  } catch (err) {
    if (err instanceof TenancyError) {
      return data<ImportAction>({ errors: { form: [{ key: err.messageKey }] } }, { status: 400, headers });
    }
    throw err;
  }
}

export default function OfficeUnitsImportPage() {
  const t = useT();
  const { communities, selected } = useLoaderData<typeof loader>();
  const actionData = useActionData<ImportAction>();
  const report = actionData?.report;
  return (
    <div className="flex max-w-4xl flex-col gap-4">
      <Link
        to={`/office/houses${selected ? `?community=${selected}` : ''}`}
        className="flex items-center gap-1 text-muted-foreground text-sm hover:text-foreground"
      >
        <ArrowLeft aria-hidden className="size-4" />
        {t('office.nav.houses')}
      </Link>
      <h1 className="font-semibold text-xl tracking-tight">{t('tenancy.import.title')}</h1>
      <p className="text-muted-foreground text-sm">{t('tenancy.import.intro')}</p>
      <Card className="gap-4 px-5">
        <Button asChild variant="outline" className="self-start">
          <a href="/office/houses/template.xlsx" download>
            <Download aria-hidden />
            {t('tenancy.import.template')}
          </a>
        </Button>
        <Form method="post" encType="multipart/form-data" className="flex flex-wrap items-end gap-4">
          <div className="flex flex-col gap-2">
            <Label htmlFor="import-community">{t('tenancy.import.community')}</Label>
            <NativeSelect id="import-community" name="communityId" defaultValue={selected ?? undefined}>
              {communities.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="flex flex-col gap-2">
            <Label htmlFor="import-file">{t('tenancy.import.file')}</Label>
            <input id="import-file" type="file" name="file" accept=".xlsx" required className="text-sm" />
          </div>
          <SubmitButton>{t('tenancy.import.submit')}</SubmitButton>
        </Form>
        <FormErrors errors={actionData?.errors?.form} />
      </Card>
      {report?.status === 'imported' ? (
        <p
          role="status"
          className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-emerald-800 text-sm"
        >
          {t('tenancy.import.done', {
            total: report.total,
            created: report.created,
            updated: report.updated,
            unchanged: report.unchanged,
            buildings: report.buildingsCreated,
          })}
        </p>
      ) : null}
      {report?.status === 'invalid' ? (
        <Card className="gap-3 px-5" aria-labelledby="import-report">
          <p id="import-report" role="alert" className="font-medium text-destructive text-sm">
            {t('tenancy.import.hasErrors', { count: report.problems.length })}
          </p>
          <table className="w-full text-sm">
            <thead className="bg-muted/50 text-left text-muted-foreground text-xs">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  {t('tenancy.import.row')}
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  {t('tenancy.import.column')}
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  {t('tenancy.import.reason')}
                </th>
              </tr>
            </thead>
            <tbody className="divide-y">
              {report.problems.map((p) => (
                <tr key={`${p.row}-${p.column}-${p.key}`}>
                  <td className="px-3 py-1.5 tabular-nums">{p.row || t('tenancy.import.fileLevel')}</td>
                  <td className="px-3 py-1.5">{p.column ? UNIT_HEADERS[p.column] : t('tenancy.none')}</td>
                  <td className="px-3 py-1.5">{t(p.key, p.vars)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}
    </div>
  );
}
