-- 0008_job_lease: a claimed job is leased to one worker (owner) until lease (Unix seconds),
-- renewed by its progress reports; a job whose lease ran out is claimed again, and only the
-- owner may finish it. One SQLite server re-queues at start-up anyway (job_requeue); the
-- lease is what lets several servers on PostgreSQL share the queue (sql/pg/0008).
ALTER TABLE job ADD COLUMN lease INTEGER NOT NULL DEFAULT 0;
ALTER TABLE job ADD COLUMN owner TEXT;
