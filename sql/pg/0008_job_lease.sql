-- 0008_job_lease (PostgreSQL): several servers share the job queue. A claimed job is leased
-- to one worker (owner) until lease (Unix seconds); the worker renews it with every progress
-- report. A job whose lease ran out (its server died) is claimed again by another server;
-- only the owner may finish it, so a job's result is stored once.
ALTER TABLE job ADD COLUMN lease bigint NOT NULL DEFAULT 0;
ALTER TABLE job ADD COLUMN owner text;
