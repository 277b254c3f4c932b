import { useState } from 'react';
import { Field, type ListOfErrors } from '~/components/forms';
import { Input } from '~/components/ui/input';
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from '~/components/ui/select';
import { useT } from '~/i18n/use-t';
import {
  type CountryCode,
  countryCodes,
  countryLabelKeys,
  defaultCountryCode,
  isCountryCode,
} from '../phone';

/** A mobile number: the country code select (+86 first) and the national number. */
export function PhoneField({
  errors,
  defaultValues,
  autoFocus,
}: {
  errors?: ListOfErrors;
  defaultValues?: { countryCode?: string; phone?: string };
  autoFocus?: boolean;
}) {
  const t = useT();
  const [countryCode, setCountryCode] = useState<CountryCode>(
    isCountryCode(defaultValues?.countryCode) ? defaultValues.countryCode : defaultCountryCode,
  );
  return (
    <Field
      label={t('auth.phone.label')}
      errors={errors}
      render={(control) => (
        <div className="flex gap-2">
          <Select
            name="countryCode"
            value={countryCode}
            onValueChange={(value) => isCountryCode(value) && setCountryCode(value)}
          >
            <SelectTrigger
              aria-label={t('auth.phone.countryCode')}
              className="w-[5.5rem] shrink-0 tabular-nums"
            >
              <SelectValue>+{countryCode}</SelectValue>
            </SelectTrigger>
            <SelectContent>
              {countryCodes.map((code) => (
                <SelectItem key={code} value={code}>
                  <span className="inline-block w-12 tabular-nums">+{code}</span>
                  <span className="text-muted-foreground">{t(countryLabelKeys[code])}</span>
                </SelectItem>
              ))}
            </SelectContent>
          </Select>
          <Input
            {...control}
            name="phone"
            type="tel"
            inputMode="tel"
            autoComplete="tel-national"
            placeholder={t('auth.phone.placeholder')}
            defaultValue={defaultValues?.phone}
            autoFocus={autoFocus}
            maxLength={20}
          />
        </div>
      )}
    />
  );
}
