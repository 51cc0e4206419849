-- 0006_remember_grace_media: the verifier a remember-me series had before its last rotation, and
-- when it rotated, so that a browser restoring several tabs at once (each sending the same
-- cookie) is not taken for a thief within a few seconds of the rotation.
ALTER TABLE remember ADD COLUMN prev_hash BLOB;
ALTER TABLE remember ADD COLUMN rotated INTEGER NOT NULL DEFAULT 0;
-- Media requests ask whether a published story uses the file (drafts' narration is not served).
CREATE INDEX story_lang_audio ON story_lang(audio);
