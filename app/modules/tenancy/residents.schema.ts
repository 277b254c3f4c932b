import { z } from 'zod';

/** Staff resident directory (业主信息管理): one page of a company's or a community's residents. */
export const directorySearchSchema = z.object({
  companyId: z.string().uuid(),
  /** Limit the search to one community; omitted = every community the viewer may read. */
  communityId: z.string().uuid().optional(),
  /** A name prefix (surname first), a room number, or (4+ digits) a phone suffix (尾号). */
  q: z
    .string()
    .trim()
    .max(32)
    .optional()
    .transform((v) => (v ? v : undefined)),
  page: z.coerce.number().int().min(1).max(1000).default(1),
  pageSize: z.coerce.number().int().min(5).max(100).default(20),
});
export type DirectorySearch = z.infer<typeof directorySearchSchema>;
