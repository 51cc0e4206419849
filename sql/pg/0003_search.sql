-- 0003_search (PostgreSQL): the plain text of each story language, searched like SQLite's
-- FTS5 trigram index: a case-insensitive substring match (ILIKE), which pg_trgm's GIN index
-- serves for queries of three characters or more. pg_trgm is a trusted extension: the
-- database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE story_lang ADD COLUMN plain text NOT NULL DEFAULT '';
CREATE INDEX story_lang_trgm ON story_lang
    USING gin (headline gin_trgm_ops, standfirst gin_trgm_ops, plain gin_trgm_ops);
