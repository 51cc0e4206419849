/* import.c: a story bundle into the site, all or nothing (see import.h). */
#include "service/import.h"

#include <stdio.h>
#include <unistd.h>

#include "model/bundle.h"

/* After a failed store: remove narration this import wrote that no story uses. */
static void unreferenced_away(struct store *st, const struct story *s, const char *media_dir)
{
    for (int l = 0; l < LANG_COUNT; l++) {
        struct err err = { 0 };
        char path[4096];
        int published, rc;
        if (!s->l[l].audio)
            continue;
        rc = st->ops->media_published(st, s->l[l].audio, &published, &err);
        if (rc != GZ_ENOTFOUND)
            continue; /* used by a story (this one's earlier version), or unknown: keep it */
        snprintf(path, sizeof path, "%s/%s", media_dir, s->l[l].audio);
        unlink(path);
    }
}

int imp_story(struct store *st, const char *json, size_t len, const char *base_dir,
              const char *media_dir, int check, int64_t *id, struct buf *problems, struct err *err)
{
    struct bundle_opts o = { base_dir, media_dir, check };
    struct story *s = NULL;
    int rc;

    *id = 0;
    rc = bundle_load(json, len, &o, &s, problems);
    if (rc != GZ_OK)
        return err_set(err, rc, "the bundle has problems");
    if (check) {
        story_free(s);
        return GZ_OK;
    }
    rc = st->ops->story_put(st, s, id, err); /* one transaction of its own */
    if (rc != GZ_OK) {
        *id = 0;
        unreferenced_away(st, s, media_dir);
    }
    story_free(s);
    return rc;
}
