-- Pictures uploaded in the newsroom (issue 11). name is the content hash the files in
-- media/img/ are named after (NAME-<w>x<h>.webp|.jpg); sizes lists the sizes written,
-- smallest first ("480x270,960x540"). A picture belongs to the story it was uploaded for and is
-- public once that story is published. story.lead names the story's lead picture (or NULL: the
-- first figure of the text is used for og:image).
CREATE TABLE image (
    name TEXT NOT NULL,
    story_id INTEGER NOT NULL REFERENCES story(id) ON DELETE CASCADE,
    sizes TEXT NOT NULL,
    alt TEXT NOT NULL DEFAULT '',
    caption TEXT NOT NULL DEFAULT '',
    created INTEGER NOT NULL,
    PRIMARY KEY (name, story_id)
);
CREATE INDEX image_story ON image(story_id);
ALTER TABLE story ADD COLUMN lead TEXT;
