-- How many times a narration job was started. A job still 'running' at start-up was cut off
-- by a crash; after 3 starts it is marked failed instead of being run again (issue 9).
-- Numbered 0007: 0006 is the remember-me grace migration on the service-layer branch.
ALTER TABLE job ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
