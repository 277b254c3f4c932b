-- =====================================================================================
-- Resident directory indexes (issue #4, benchmark pass)
--
-- The staff resident directory (app/modules/tenancy/residents.server.ts) pages through a
-- community's or a company's residents ordered by name, and searches by name prefix (a
-- surname, or surname and given name: how Chinese names are typed), by phone suffix (尾号)
-- or by room number. Every shape is an index range scan that stops at the page size:
--   * names compare with collation "C": code-point order, which makes prefix search a plain
--     range and lets the same index serve the ORDER BY (no locale orders Chinese names by
--     pinyin without ICU anyway);
--   * phones are searched by suffix through an index on reverse(phone);
--   * room numbers are looked up in units first, then their occupancies.
-- =====================================================================================

drop index public.occupancies_directory_name_idx;
drop index public.occupancies_phone_idx;

-- Browsing and name-prefix search within one community.
create index occupancies_directory_community_idx
  on public.occupancies (company_id, community_id, name collate "C", id)
  where deleted_at is null;
-- The same across a whole company (company admins).
create index occupancies_directory_company_idx
  on public.occupancies (company_id, name collate "C", id)
  where deleted_at is null;
-- Phone suffix search (尾号): the last digits are the first digits of reverse(phone).
create index occupancies_phone_suffix_idx
  on public.occupancies (company_id, (reverse(phone)) collate "C")
  where deleted_at is null;
-- Room number search ("1201" in every building of a community or company).
create index units_number_idx
  on public.units (company_id, number, community_id)
  where deleted_at is null;
