-- 0006_remember_grace_media (PostgreSQL): the verifier before the last rotation; media lookup.
ALTER TABLE remember ADD COLUMN prev_hash bytea;
ALTER TABLE remember ADD COLUMN rotated bigint NOT NULL DEFAULT 0;
CREATE INDEX story_lang_audio ON story_lang(audio);
