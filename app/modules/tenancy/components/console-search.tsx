import { Form } from '@remix-run/react';
import { Search } from 'lucide-react';
import type { ReactNode } from 'react';
import { Button } from '~/components/ui/button';
import { Input } from '~/components/ui/input';
import { useT } from '~/i18n/use-t';

export function ConsoleSearch({ q, children }: { q: string; children?: ReactNode }) {
  const t = useT();
  return (
    <Form method="get" role="search" className="flex flex-wrap items-center gap-2">
      {children}
      <Input
        name="q"
        type="search"
        defaultValue={q}
        placeholder={t('tenancy.console.search')}
        aria-label={t('tenancy.console.search')}
        className="w-64"
      />
      <Button type="submit" variant="outline">
        <Search aria-hidden />
        {t('tenancy.search')}
      </Button>
    </Form>
  );
}
