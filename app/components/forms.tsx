import { useFormAction, useNavigation } from '@remix-run/react';
import { CircleAlert, LoaderCircle } from 'lucide-react';
import { type InputHTMLAttributes, type ReactNode, useId } from 'react';
import { Button, type ButtonProps } from '~/components/ui/button';
import { Input } from '~/components/ui/input';
import { Label } from '~/components/ui/label';
import { useT } from '~/i18n/use-t';
import type { LocalizedMessage } from '~/lib/form-errors';
import { cn } from '~/lib/utils';

/** The one form kit: every form renders its fields, errors and submit buttons with these. */

export type ListOfErrors = readonly LocalizedMessage[] | null | undefined;

export function ErrorList({
  id,
  errors,
  className,
}: {
  id?: string;
  errors: ListOfErrors;
  className?: string;
}) {
  const t = useT();
  if (!errors?.length) return null;
  return (
    <ul id={id} className={cn('flex flex-col gap-1', className)}>
      {errors.map((error) => (
        <li key={error.key} className="text-destructive text-sm">
          {t(error.key, error.vars)}
        </li>
      ))}
    </ul>
  );
}

/** Form-level errors (for example a rejected code or a rate limit), announced to screen readers. */
export function FormErrors({ errors, className }: { errors: ListOfErrors; className?: string }) {
  const t = useT();
  if (!errors?.length) return null;
  return (
    <div
      role="alert"
      className={cn(
        'flex items-start gap-2 rounded-md border border-destructive/30 bg-destructive/5 px-3 py-2.5 text-destructive text-sm',
        className,
      )}
    >
      <CircleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
      <ul className="flex flex-col gap-1">
        {errors.map((error) => (
          <li key={error.key}>{t(error.key, error.vars)}</li>
        ))}
      </ul>
    </div>
  );
}

/** Wiring a control needs: its id and the ARIA attributes pointing at its description and errors. */
export type FieldControlProps = {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
};

type FieldProps = {
  label: ReactNode;
  description?: ReactNode;
  errors?: ListOfErrors;
  className?: string;
  /** Overrides the generated id (for a label that must point at a known control). */
  id?: string;
} & (
  | { inputProps: InputHTMLAttributes<HTMLInputElement>; render?: never }
  | { render: (control: FieldControlProps) => ReactNode; inputProps?: never }
);

/**
 * A labelled control with its description and errors. Either an `Input` built from
 * `inputProps`, or any control drawn by `render` (a phone number with a country select, a code
 * with a "send code" button) that spreads the given id and ARIA attributes onto its input.
 */
export function Field({ label, description, errors, className, id: idProp, inputProps, render }: FieldProps) {
  const fallbackId = useId();
  const id = idProp ?? inputProps?.id ?? fallbackId;
  const descriptionId = description ? `${id}-description` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const control: FieldControlProps = {
    id,
    'aria-invalid': errorId ? true : undefined,
    'aria-describedby': [descriptionId, errorId].filter(Boolean).join(' ') || undefined,
  };
  return (
    <div className={cn('flex flex-col gap-2', className)}>
      <Label htmlFor={id}>{label}</Label>
      {render ? render(control) : <Input {...inputProps} {...control} />}
      {description ? (
        <p id={descriptionId} className="text-muted-foreground text-xs">
          {description}
        </p>
      ) : null}
      <ErrorList id={errorId} errors={errors} />
    </div>
  );
}

/**
 * Whether a POST of this route's form (optionally of one `intent`) is in flight, including the
 * loaders that run after it, so a button stays busy until the next page is on screen.
 */
export function useIsPending({ formAction, intent }: { formAction?: string; intent?: string } = {}) {
  const navigation = useNavigation();
  const currentAction = useFormAction();
  return (
    navigation.state !== 'idle' &&
    navigation.formMethod?.toUpperCase() === 'POST' &&
    navigation.formAction === (formAction ?? currentAction) &&
    (intent === undefined || navigation.formData?.get('intent') === intent)
  );
}

type SubmitButtonProps = ButtonProps & {
  /** The form's `intent` this button submits; it is also the button's name/value. */
  intent?: string;
  /** Overrides the navigation-derived state (for fetcher forms). */
  pending?: boolean;
  /** Action of the form when it is not this route's. */
  formAction?: string;
};

export function SubmitButton({
  intent,
  pending: pendingProp,
  formAction,
  children,
  disabled,
  className,
  ...props
}: SubmitButtonProps) {
  const navigationPending = useIsPending({ formAction, intent });
  const pending = pendingProp ?? navigationPending;
  return (
    <Button
      type="submit"
      {...(intent ? { name: 'intent', value: intent } : {})}
      {...props}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
      className={cn('relative', className)}
    >
      {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : null}
      {children}
    </Button>
  );
}

/**
 * The button Enter presses: the first submit button of a form decides what implicit submission
 * does. Put it first in forms whose visible first button is not the main action (a "send code"
 * button before "sign in"). Invisible and out of the tab order; the visible buttons stay the UI.
 */
export function DefaultSubmit({ intent }: { intent: string }) {
  return <button type="submit" name="intent" value={intent} tabIndex={-1} aria-hidden className="sr-only" />;
}
