import { randomUUID } from 'node:crypto';
import { applySettings, claimSettings, type JwtClaims, type Tx } from '../../../app/lib/db.server';
import type { TenancyWorld } from './world';

/**
 * Repairs on top of the tenancy world: tickets in C1 (a home repair of U1 reported by its
 * owner, a public-area one reported by the neighbour) and in C3 (company B), a report photo,
 * a public message and a staff-internal note with a photo. Arranged as the database owner
 * (the owner acts as the workflow's "system" actor); later steps run as the people who take
 * them (`step`), so the workflow guard checks every arranged step too.
 */
export type RepairsWorld = Awaited<ReturnType<typeof buildRepairsWorld>>;

/** Runs `fn` as the given user inside the current transaction, then becomes the owner again. */
export async function asUser<T>(tx: Tx, claims: JwtClaims, fn: () => Promise<T>): Promise<T> {
  await applySettings(tx, claimSettings(claims));
  try {
    return await fn();
  } finally {
    await tx.query(
      `select set_config('request.jwt.claims', '', true), set_config('request.jwt.claim.sub', '', true)`,
    );
    await tx.query('reset role');
  }
}

/** A stored object in bucket repair-media as Storage records one (bytes are not needed for policies). */
export async function createObject(
  tx: Tx,
  ownerId: string,
  mime = 'image/jpeg',
  size = 24_000,
): Promise<string> {
  const name = `${ownerId}/${randomUUID()}.${mime === 'image/jpeg' ? 'jpg' : 'mp4'}`;
  await tx.query(
    `insert into storage.objects (bucket_id, name, owner, owner_id, version, metadata)
     values ('repair-media', $1, $2::uuid, $2::text, $3, $4)`,
    [name, ownerId, randomUUID(), { mimetype: mime, size, contentLength: size }],
  );
  return name;
}

export async function categoryId(tx: Tx, communityId: string, name: string): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    'select id from public.repair_categories where community_id = $1 and name = $2',
    [communityId, name],
  );
  return rows[0].id;
}

export async function buildRepairsWorld(tx: Tx, w: TenancyWorld) {
  const categories = {
    waterC1: await categoryId(tx, w.communities.c1, '水电'),
    elevatorC1: await categoryId(tx, w.communities.c1, '电梯'),
    waterC3: await categoryId(tx, w.communities.c3, '水电'),
  };
  const insertTicket = async (values: Record<string, unknown>) => {
    const columns = Object.keys(values);
    const { rows } = await tx.query<{ id: string; number: string }>(
      `insert into public.repair_tickets (${columns.join(', ')})
       values (${columns.map((_, i) => `$${i + 1}`).join(', ')}) returning id, number`,
      Object.values(values),
    );
    return rows[0];
  };
  const t1 = await insertTicket({
    area: 'home',
    unit_id: w.units.u1.id,
    category_id: categories.waterC1,
    description: '厨房水龙头漏水',
    reporter_id: w.users.owner_u1.id,
  });
  const tPublic = await insertTicket({
    area: 'public',
    community_id: w.communities.c1,
    location_note: '1栋电梯厅',
    category_id: categories.elevatorC1,
    description: '电梯按钮失灵',
    reporter_id: w.users.neighbour_c1.id,
  });
  const t3 = await insertTicket({
    area: 'home',
    unit_id: w.units.u5.id,
    category_id: categories.waterC3,
    description: '卫生间漏水',
    reporter_id: w.users.resident_c3.id,
  });

  const reportPhoto = await createObject(tx, w.users.owner_u1.id);
  await tx.query(
    `insert into public.repair_media (ticket_id, kind, object_path, uploaded_by) values ($1, 'report', $2, $3)`,
    [t1.id, reportPhoto, w.users.owner_u1.id],
  );
  const publicMessage = (
    await tx.query<{ id: string }>(
      `insert into public.repair_messages (ticket_id, author_id, body) values ($1, $2, '什么时候能来？') returning id`,
      [t1.id, w.users.owner_u1.id],
    )
  ).rows[0].id;
  const internalNote = (
    await tx.query<{ id: string }>(
      `insert into public.repair_messages (ticket_id, author_id, from_staff, visibility, body)
       values ($1, $2, true, 'internal', '住户上次投诉过维修慢') returning id`,
      [t1.id, w.users.front_desk_c1.id],
    )
  ).rows[0].id;
  const notePhoto = await createObject(tx, w.users.front_desk_c1.id);
  await tx.query(
    `insert into public.repair_media (ticket_id, kind, message_id, object_path, uploaded_by) values ($1, 'message', $2, $3, $4)`,
    [t1.id, internalNote, notePhoto, w.users.front_desk_c1.id],
  );

  const technician = w.staff.technician_c1.memberId;
  const c = w.claims;
  /** Walks T1 (or another ticket) along the workflow as the people who take each step. */
  const step = {
    accept: (id = t1.id) =>
      asUser(tx, c.front_desk_c1, () =>
        tx.query(`update public.repair_tickets set status = 'accepted' where id = $1`, [id]),
      ),
    dispatch: (id = t1.id) =>
      asUser(tx, c.front_desk_c1, () =>
        tx.query(`update public.repair_tickets set status = 'dispatched', assignee_id = $2 where id = $1`, [
          id,
          technician,
        ]),
      ),
    start: (id = t1.id) =>
      asUser(tx, c.technician_c1, () =>
        tx.query(`update public.repair_tickets set status = 'in_progress' where id = $1`, [id]),
      ),
    complete: (id = t1.id) =>
      asUser(tx, c.technician_c1, () =>
        tx.query(
          `update public.repair_tickets set status = 'completed', completion_note = '已更换阀芯' where id = $1`,
          [id],
        ),
      ),
    rate: (id = t1.id) =>
      asUser(tx, c.owner_u1, () =>
        tx.query(
          'insert into public.repair_ratings (ticket_id, speed, quality, attitude) values ($1, 5, 4, 5)',
          [id],
        ),
      ),
  };
  /** Takes a ticket (T1 by default) to a state along the workflow; returns its id. */
  const walk = async (
    to: 'dispatched' | 'in_progress' | 'completed' | 'rated',
    id = t1.id,
  ): Promise<string> => {
    await step.dispatch(id);
    if (to === 'dispatched') return id;
    await step.start(id);
    if (to === 'in_progress') return id;
    await step.complete(id);
    if (to === 'completed') return id;
    await step.rate(id);
    return id;
  };

  return {
    categories,
    t1,
    tPublic,
    t3,
    reportPhoto,
    notePhoto,
    publicMessage,
    internalNote,
    technician,
    step,
    walk,
  };
}
