-- Pictures uploaded in the newsroom (issue 11): the PostgreSQL twin of sql/sqlite/0008_images.sql
-- (written on the wip/images branch before the PostgreSQL backend landed; renumber as needed).
CREATE TABLE image (
    name TEXT NOT NULL,
    story_id BIGINT NOT NULL REFERENCES story(id) ON DELETE CASCADE,
    sizes TEXT NOT NULL,
    alt TEXT NOT NULL DEFAULT '',
    caption TEXT NOT NULL DEFAULT '',
    created BIGINT NOT NULL,
    PRIMARY KEY (name, story_id)
);
CREATE INDEX image_story ON image(story_id);
ALTER TABLE story ADD COLUMN lead TEXT;
