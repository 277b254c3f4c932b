import { z } from 'zod';

/** Forms of the houses screen (房屋): communities and buildings, told apart by `intent`. */
const uuid = z.string().uuid('form.invalid');
const optionalText = (max: number) =>
  z
    .string()
    .max(max, 'tenancy.error.tooLong')
    .optional()
    .transform((v) => (v ? v : null));
const optionalInt = (min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v) => (v ? Number(v) : null))
    .pipe(
      z
        .number()
        .int('tenancy.error.number')
        .min(min, 'tenancy.error.number')
        .max(max, 'tenancy.error.number')
        .nullable(),
    );

export const communityFields = {
  name: z.string().min(2, 'tenancy.community.nameRequired').max(100, 'tenancy.error.tooLong'),
  code: z
    .string()
    .optional()
    .transform((v) => (v ? v : null))
    .pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,32}$/, 'tenancy.community.codeInvalid')
        .nullable(),
    ),
  city: optionalText(32),
  district: optionalText(32),
  address: optionalText(200),
};

export const buildingFields = {
  name: z.string().min(1, 'tenancy.building.nameRequired').max(32, 'tenancy.error.tooLong'),
  floorCount: optionalInt(1, 200),
  entranceCount: optionalInt(1, 50),
};

export const propertyFormSchemas = {
  createCommunity: z.object({ companyId: uuid, ...communityFields }),
  updateCommunity: z.object({ communityId: uuid, ...communityFields }),
  createBuilding: z.object({ communityId: uuid, ...buildingFields }),
  updateBuilding: z.object({ buildingId: uuid, ...buildingFields }),
};
export type CommunityInput = z.output<z.ZodObject<typeof communityFields>>;
export type BuildingInput = z.output<z.ZodObject<typeof buildingFields>>;

export const housesQuerySchema = z.object({
  community: z.string().uuid().optional().catch(undefined),
  building: z.string().uuid().optional().catch(undefined),
});
