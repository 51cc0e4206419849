-- 0003_search: plain text of each story language, indexed for search with FTS5's trigram
-- tokenizer (it works for Chinese, which has no spaces between words).
ALTER TABLE story_lang ADD COLUMN plain TEXT NOT NULL DEFAULT '';
UPDATE story_lang SET plain = coalesce((SELECT group_concat(json_extract(s.value, '$.text'), ' ')
    FROM json_each(story_lang.body) AS p, json_each(p.value) AS s), '');

CREATE VIRTUAL TABLE story_fts USING fts5(headline, standfirst, plain,
    content = 'story_lang', content_rowid = 'rowid', tokenize = 'trigram');
INSERT INTO story_fts(story_fts) VALUES ('rebuild');

CREATE TRIGGER story_lang_fts_ai AFTER INSERT ON story_lang BEGIN
    INSERT INTO story_fts(rowid, headline, standfirst, plain)
        VALUES (new.rowid, new.headline, new.standfirst, new.plain);
END;
CREATE TRIGGER story_lang_fts_ad AFTER DELETE ON story_lang BEGIN
    INSERT INTO story_fts(story_fts, rowid, headline, standfirst, plain)
        VALUES ('delete', old.rowid, old.headline, old.standfirst, old.plain);
END;
CREATE TRIGGER story_lang_fts_au AFTER UPDATE ON story_lang BEGIN
    INSERT INTO story_fts(story_fts, rowid, headline, standfirst, plain)
        VALUES ('delete', old.rowid, old.headline, old.standfirst, old.plain);
    INSERT INTO story_fts(rowid, headline, standfirst, plain)
        VALUES (new.rowid, new.headline, new.standfirst, new.plain);
END;
