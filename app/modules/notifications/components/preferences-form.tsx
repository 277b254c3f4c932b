import { Form } from '@remix-run/react';
import { FormErrors, SubmitButton } from '~/components/forms';
import { Card, CardContent, CardHeader, CardTitle } from '~/components/ui/card';
import { Input } from '~/components/ui/input';
import { Label } from '~/components/ui/label';
import { useT } from '~/i18n/use-t';
import type { MessageKey } from '~/i18n/zh-CN';
import type { FormErrors as Errors } from '~/lib/form-errors';
import { notificationCategories, optionalChannels } from '../notifications.schema';
import type { Preferences } from '../notifications.server';
import { categoryKeys } from './inbox-list';

const channelKeys: Record<(typeof optionalChannels)[number], MessageKey> = {
  push: 'notifications.channel.push',
  sms: 'notifications.channel.sms',
  email: 'notifications.channel.email',
};

/** Category × channel switches and quiet hours. The inbox itself is always on. */
export function PreferencesForm({
  preferences,
  errors,
}: {
  preferences: Preferences;
  errors?: Errors | null;
}) {
  const t = useT();
  return (
    <Form method="post" className="flex flex-col gap-4">
      <Card className="gap-3">
        <CardHeader className="flex-col items-start gap-1.5">
          <CardTitle className="text-base">{t('notifications.prefs.channels')}</CardTitle>
          <p className="text-muted-foreground text-xs">{t('notifications.prefs.channelsHint')}</p>
        </CardHeader>
        <CardContent>
          <table className="w-full text-sm">
            <thead>
              <tr className="text-muted-foreground text-xs">
                <th scope="col" className="py-1 text-left font-normal">
                  {t('notifications.prefs.category')}
                </th>
                {optionalChannels.map((c) => (
                  <th key={c} scope="col" className="py-1 text-center font-normal">
                    {t(channelKeys[c])}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {notificationCategories.map((category) => (
                <tr key={category} className="border-t">
                  <th scope="row" className="py-2 text-left font-normal">
                    {t(categoryKeys[category])}
                  </th>
                  {optionalChannels.map((channel) => (
                    <td key={channel} className="py-2 text-center">
                      <input
                        type="checkbox"
                        name={`${category}.${channel}`}
                        defaultChecked={preferences.channels[category][channel]}
                        aria-label={`${t(categoryKeys[category])} · ${t(channelKeys[channel])}`}
                        className="size-4 accent-primary"
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </CardContent>
      </Card>
      <Card className="gap-3">
        <CardHeader className="flex-col items-start gap-1.5">
          <CardTitle className="text-base">{t('notifications.prefs.quietHours')}</CardTitle>
          <p className="text-muted-foreground text-xs">{t('notifications.prefs.quietHoursHint')}</p>
        </CardHeader>
        <CardContent className="flex flex-col gap-3">
          <label className="flex items-center gap-2 text-sm">
            <input
              type="checkbox"
              name="quietHoursEnabled"
              defaultChecked={preferences.quietHoursEnabled}
              className="size-4 accent-primary"
            />
            {t('notifications.prefs.quietHoursOn')}
          </label>
          <div className="grid grid-cols-2 gap-3">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="quietStart">{t('notifications.prefs.quietStart')}</Label>
              <Input
                id="quietStart"
                name="quietStart"
                type="time"
                defaultValue={preferences.quietStart}
                required
              />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="quietEnd">{t('notifications.prefs.quietEnd')}</Label>
              <Input id="quietEnd" name="quietEnd" type="time" defaultValue={preferences.quietEnd} required />
            </div>
          </div>
          <input type="hidden" name="timeZone" value={preferences.timeZone} />
        </CardContent>
      </Card>
      <FormErrors errors={errors?.form} />
      <SubmitButton intent="savePreferences" className="self-start">
        {t('notifications.prefs.save')}
      </SubmitButton>
    </Form>
  );
}
