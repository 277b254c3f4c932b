import pg from 'pg';
import type { Logger } from '../../log';
import { type CronSchedule, InvalidScheduleError, nextDue, parseSchedule, slotToRun } from './cron';

/**
 * The local pg_cron worker: runs the jobs in `cron.job` of one database when they are due
 * and records each run in `cron.job_run_details`, as pg_cron does. Each job's last slot is
 * kept in `cron.local_job_state` and claimed with a conditional update before the run, so a
 * slot runs once even with two schedulers on one database, and slots missed while the
 * platform was down become exactly one run when it is back.
 */
type Job = {
  jobid: string;
  jobname: string | null;
  schedule: string;
  command: string;
  username: string;
  active: boolean;
  lastDue: Date;
  parsed: CronSchedule | null;
};

export class CronScheduler {
  private jobs: Job[] = [];
  private running = new Set<string>();
  private runs = new Set<Promise<void>>();
  private rebooted = false;
  private warned = new Set<string>();

  constructor(private readonly opts: { pool: pg.Pool; databaseUrl: string; log: Logger; now: () => Date }) {}

  /** Whether pg_cron is installed in this database (an app migration creates it, as on hosted). */
  async installed(): Promise<boolean> {
    const r = await this.opts.pool.query<{ ok: boolean }>(
      `select to_regclass('cron.local_job_state') is not null as ok`,
    );
    return r.rows[0].ok;
  }

  /** Re-reads the jobs of this database. */
  async reload(): Promise<void> {
    if (!(await this.installed())) {
      this.jobs = [];
      return;
    }
    // Jobs inserted around the triggers (e.g. restored by pg_dump) get a state row now.
    await this.opts.pool
      .query(
        `insert into cron.local_job_state (jobid, last_due)
         select j.jobid, now() from cron.job j
          where not exists (select 1 from cron.local_job_state s where s.jobid = j.jobid)
         on conflict do nothing`,
      )
      .catch((err: Error & { code?: string }) => {
        // A job deleted meanwhile (foreign key violation) needs no state.
        if (err.code !== '23503') throw err;
      });
    const { rows } = await this.opts.pool.query<Omit<Job, 'parsed' | 'lastDue'> & { last_due: Date }>(
      `select j.jobid::text, j.jobname, j.schedule, j.command, j.username, j.active, s.last_due
         from cron.job j join cron.local_job_state s using (jobid)
        where j.database = current_database()
        order by j.jobid`,
    );
    this.jobs = rows.map((row) => ({
      ...row,
      lastDue: row.last_due,
      parsed: this.parse(row.jobid, row.schedule),
    }));
  }

  private parse(jobid: string, schedule: string): CronSchedule | null {
    try {
      return parseSchedule(schedule);
    } catch (err) {
      if (!(err instanceof InvalidScheduleError)) throw err;
      const key = `${jobid}:${schedule}`;
      if (!this.warned.has(key))
        this.opts.log.warn('skipping a job with an invalid schedule', { jobid, schedule });
      this.warned.add(key);
      return null;
    }
  }

  /** Starts every job that is due now (at most one run per job at a time). */
  async tick(): Promise<void> {
    const now = this.opts.now();
    for (const job of this.jobs) {
      if (!job.active || !job.parsed || this.running.has(job.jobid)) continue;
      if (job.parsed.kind === 'reboot') {
        if (!this.rebooted) this.start(job);
        continue;
      }
      const slot = slotToRun(job.parsed, job.lastDue, now);
      if (!slot) continue;
      const claimed = await this.opts.pool.query(
        'update cron.local_job_state set last_due = $2 where jobid = $1 and last_due < $2 returning jobid',
        [job.jobid, slot],
      );
      job.lastDue = slot;
      if (claimed.rowCount === 1) this.start(job);
    }
    this.rebooted = true;
  }

  /** Milliseconds until the next slot of any job (Infinity when none). */
  msUntilNext(): number {
    const now = this.opts.now();
    let next = Number.POSITIVE_INFINITY;
    for (const job of this.jobs) {
      if (!job.active || !job.parsed) continue;
      const due = nextDue(job.parsed, now);
      if (due) next = Math.min(next, due.getTime() - now.getTime());
    }
    return next;
  }

  /** Resolves when the runs started so far have finished. */
  async idle(): Promise<void> {
    while (this.runs.size > 0) await Promise.all([...this.runs]);
  }

  private start(job: Job) {
    this.running.add(job.jobid);
    const run = this.run(job).finally(() => {
      this.running.delete(job.jobid);
      this.runs.delete(run);
    });
    this.runs.add(run);
  }

  private async run(job: Job): Promise<void> {
    const { pool, log } = this.opts;
    const details = await pool.query<{ runid: string }>(
      `insert into cron.job_run_details (jobid, database, username, command, status, start_time)
       values ($1, current_database(), $2, $3, 'starting', now()) returning runid::text`,
      [job.jobid, job.username, job.command],
    );
    const runid = details.rows[0].runid;
    // Like pg_cron: a connection of its own per run, as the job's user.
    const client = new pg.Client({ connectionString: this.opts.databaseUrl, application_name: 'pg_cron' });
    let status = 'succeeded';
    let message: string;
    try {
      await client.connect();
      const who = await client.query<{ pid: number; user: string }>(
        'select pg_backend_pid() as pid, current_user as user',
      );
      await pool.query(`update cron.job_run_details set status = 'running', job_pid = $2 where runid = $1`, [
        runid,
        who.rows[0].pid,
      ]);
      if (who.rows[0].user !== job.username)
        await client.query(`select set_config('role', $1, false)`, [job.username]);
      const result = (await client.query(job.command)) as pg.QueryResult | pg.QueryResult[];
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      message = last?.command
        ? last.command === 'INSERT'
          ? `INSERT 0 ${last.rowCount}`
          : `${last.command} ${last.rowCount ?? ''}`.trim()
        : '';
    } catch (err) {
      status = 'failed';
      message = (err as Error).message;
      log.warn('cron job failed', { jobid: job.jobid, jobname: job.jobname, error: message });
    } finally {
      await client.end().catch(() => {});
    }
    await pool.query(
      `update cron.job_run_details set status = $2, return_message = $3, end_time = now() where runid = $1`,
      [runid, status, message],
    );
    log.debug('cron job ran', { jobid: job.jobid, jobname: job.jobname, status });
  }
}
