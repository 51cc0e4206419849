-- 0007_job_attempts (PostgreSQL): how many times a narration job was started.
ALTER TABLE job ADD COLUMN attempts integer NOT NULL DEFAULT 0;
