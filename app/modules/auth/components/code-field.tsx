import { useEffect, useMemo, useRef } from 'react';
import { Field, type ListOfErrors, SubmitButton } from '~/components/forms';
import { Input } from '~/components/ui/input';
import { useT } from '~/i18n/use-t';
import { useCountdown, useLatest } from './use-countdown';

export type CodeSentInfo = { to: string; resendIn: number };

/**
 * A one-time code with its "send code" button. The button submits the same form with its own
 * `intent`, so it also works without JavaScript; after a send it counts down before a resend.
 */
export function CodeField({
  sendIntent,
  sent,
  retryAfter,
  errors,
}: {
  sendIntent: string;
  /** The send reported by the latest action response, if that response was a send. */
  sent?: CodeSentInfo | null;
  /** Seconds the Auth server asked to wait (a rate-limited send). */
  retryAfter?: { seconds: number } | null;
  errors?: ListOfErrors;
}) {
  const t = useT();
  // `sent` and `retryAfter` come straight from the latest action response: a response with
  // either (re)starts the countdown, a response with neither (a wrong code) leaves it running.
  const fresh = useMemo(() => (sent ? { seconds: sent.resendIn } : (retryAfter ?? null)), [sent, retryAfter]);
  const countdown = useCountdown(useLatest(fresh));
  const lastSent = useLatest(sent);
  const inputRef = useRef<HTMLInputElement>(null);
  // After a code goes out, the next thing to type is the code.
  useEffect(() => {
    if (sent) inputRef.current?.focus();
  }, [sent]);
  return (
    <Field
      label={t('auth.code.label')}
      errors={errors}
      description={
        lastSent ? (
          <span role="status" className="text-primary">
            {t('auth.code.sent', { to: lastSent.to })}
          </span>
        ) : undefined
      }
      render={(control) => (
        <div className="flex gap-2">
          <Input
            {...control}
            ref={inputRef}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            maxLength={10}
            placeholder={t('auth.code.placeholder')}
            className="tabular-nums tracking-widest"
          />
          <SubmitButton
            intent={sendIntent}
            variant="outline"
            formNoValidate
            disabled={countdown > 0}
            className="w-28 shrink-0 tabular-nums"
          >
            {countdown > 0
              ? t('auth.code.resendIn', { seconds: countdown })
              : lastSent
                ? t('auth.code.resend')
                : t('auth.code.send')}
          </SubmitButton>
        </div>
      )}
    />
  );
}
