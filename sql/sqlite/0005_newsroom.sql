-- 0005_newsroom: editorial state, optimistic locking, hand-picked related stories, the
-- editor's Markdown source, and the queue of alignment jobs.
ALTER TABLE story ADD COLUMN status TEXT NOT NULL DEFAULT 'published'
    CHECK (status IN ('draft', 'scheduled', 'published'));
ALTER TABLE story ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE story ADD COLUMN related TEXT;            -- JSON list of story ids, NULL: automatic
ALTER TABLE story_lang ADD COLUMN markdown TEXT;      -- the editor's source, NULL: from a bundle
CREATE INDEX story_status ON story(status, published);

CREATE TABLE job (
    id       INTEGER PRIMARY KEY,
    story_id INTEGER NOT NULL REFERENCES story(id) ON DELETE CASCADE,
    lang     TEXT NOT NULL CHECK (lang IN ('en', 'zh')),
    audio    TEXT NOT NULL,                -- file name in the media folder
    state    TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    progress REAL NOT NULL DEFAULT 0,
    error    TEXT,
    flagged  INTEGER NOT NULL DEFAULT 0,   -- segments the aligner flagged for review
    seconds  REAL,                         -- how long the alignment took
    created  INTEGER NOT NULL,
    updated  INTEGER NOT NULL
) STRICT;
CREATE INDEX job_state ON job(state, id);
