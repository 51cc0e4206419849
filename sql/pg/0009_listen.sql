-- 0009_listen (PostgreSQL): where a signed-in reader stopped listening (sql/sqlite/0009).
CREATE TABLE listen_position (
    user_id  bigint NOT NULL REFERENCES "user"(id) ON DELETE CASCADE,
    story_id bigint NOT NULL REFERENCES story(id) ON DELETE CASCADE,
    lang     text NOT NULL CHECK (lang IN ('en', 'zh')),
    t_ms     bigint NOT NULL CHECK (t_ms >= 0),
    at       bigint NOT NULL,
    PRIMARY KEY (user_id, story_id, lang)
);
