-- Where a signed-in reader stopped listening to a story's narration (issue 11, item 4): one row
-- per reader, story and narration language; removed when the story is heard to the end, and
-- with the reader or the story.
CREATE TABLE listen_position (
    user_id  INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,
    story_id INTEGER NOT NULL REFERENCES story(id) ON DELETE CASCADE,
    lang     TEXT NOT NULL CHECK (lang IN ('en', 'zh')),
    t_ms     INTEGER NOT NULL CHECK (t_ms >= 0),
    at       INTEGER NOT NULL,
    PRIMARY KEY (user_id, story_id, lang)
) STRICT, WITHOUT ROWID;
