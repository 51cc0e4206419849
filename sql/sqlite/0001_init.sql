-- 0001_init: sections, stories with one row per language, tags, quizzes, site settings.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
INSERT INTO meta(key, value) VALUES ('content_gen', '1');

CREATE TABLE section (
    id      INTEGER PRIMARY KEY,
    slug    TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
) STRICT;

CREATE TABLE story (
    id         INTEGER PRIMARY KEY,
    slug       TEXT NOT NULL UNIQUE,
    section_id INTEGER NOT NULL REFERENCES section(id),
    published  INTEGER NOT NULL,
    copyright  TEXT,
    pairs      TEXT,
    updated    INTEGER NOT NULL
) STRICT;
CREATE INDEX story_published ON story(published DESC);
CREATE INDEX story_section ON story(section_id, published DESC);

CREATE TABLE story_lang (
    story_id   INTEGER NOT NULL REFERENCES story(id) ON DELETE CASCADE,
    lang       TEXT NOT NULL CHECK (lang IN ('en', 'zh')),
    headline   TEXT NOT NULL,
    standfirst TEXT NOT NULL,
    summary    TEXT NOT NULL,
    byline     TEXT NOT NULL,
    body       TEXT NOT NULL, -- the page's transcript list [[{"start":s,"text":t},...],...]
    audio      TEXT,          -- file name in the media folder
    duration   REAL NOT NULL DEFAULT 0,
    synthetic  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (story_id, lang)
) STRICT;

CREATE TABLE story_tag (
    story_id INTEGER NOT NULL REFERENCES story(id) ON DELETE CASCADE,
    tag      TEXT NOT NULL,
    PRIMARY KEY (story_id, tag)
) STRICT;
CREATE INDEX story_tag_tag ON story_tag(tag);

CREATE TABLE quiz (
    id        INTEGER PRIMARY KEY,
    slug      TEXT NOT NULL UNIQUE,
    title_zh  TEXT NOT NULL,
    title_en  TEXT NOT NULL,
    published INTEGER NOT NULL,
    body      TEXT NOT NULL
) STRICT;
