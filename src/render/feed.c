/* feed.c: RSS 2.0 feeds (with the narration as enclosure and podcast:transcript links, and
 * the itunes: tags podcast directories require), sitemaps, and the search page. XML text goes
 * through the same escaper as HTML (its entities are XML's too). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "render/layout.h"

static void rfc822(struct buf *b, int64_t t)
{
    char s[64];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(s, sizeof s, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    html_cstr(b, s);
}

static void iso8601(struct buf *b, int64_t t)
{
    char s[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    html_cstr(b, s);
}

/* The enclosure's media type, from the narration file's extension. */
static const char *audio_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } t[] = { { ".mp3", "audio/mpeg" }, { ".m4a", "audio/mp4" }, { ".ogg", "audio/ogg" },
              { ".opus", "audio/ogg" }, { ".flac", "audio/flac" }, { ".wav", "audio/wav" } };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof t / sizeof t[0]; i++)
        if (strcmp(dot, t[i].ext) == 0)
            return t[i].type;
    return "audio/mpeg";
}

/* itunes:duration as H:MM:SS (whole seconds). */
static void duration(struct buf *b, double s)
{
    int64_t t = (int64_t)(s + 0.5);
    html_int(b, t / 3600);
    HTML_LIT(b, ":");
    if (t / 60 % 60 < 10)
        HTML_LIT(b, "0");
    html_int(b, t / 60 % 60);
    HTML_LIT(b, ":");
    if (t % 60 < 10)
        HTML_LIT(b, "0");
    html_int(b, t % 60);
}

/* The story's lead picture (its largest JPEG): Media RSS for readers, and the episode's
 * cover for podcast apps (the channel's own artwork stays the default). */
static void lead_image(struct buf *b, const struct page_ctx *c, const struct story *s)
{
    int w[8], h[8];
    size_t n = s->lead.name ? story_image_sizes(s->lead.sizes, w, h, 8) : 0;
    char path[128];

    if (!n)
        return;
    snprintf(path, sizeof path, "/media/img/%s-%dx%d.jpg", s->lead.name, w[n - 1], h[n - 1]);
    HTML_LIT(b, "<media:content url=\"");
    html_attr(b, c->base_url);
    html_attr(b, path);
    HTML_LIT(b, "\" medium=\"image\" type=\"image/jpeg\" width=\"");
    html_int(b, w[n - 1]);
    HTML_LIT(b, "\" height=\"");
    html_int(b, h[n - 1]);
    HTML_LIT(b, "\">");
    if (s->lead.alt && *s->lead.alt) {
        HTML_LIT(b, "<media:description type=\"plain\">");
        html_cstr(b, s->lead.alt);
        HTML_LIT(b, "</media:description>");
    }
    HTML_LIT(b, "</media:content><itunes:image href=\"");
    html_attr(b, c->base_url);
    html_attr(b, path);
    HTML_LIT(b, "\"/>");
}

static void item_lang(struct buf *b, const struct page_ctx *c, const struct feed_item *it,
                      enum lang l, int bilingual)
{
    const struct story *s = it->story;
    const struct story_lang *sl = &s->l[l];
    enum lang other = l == LANG_ZH ? LANG_EN : LANG_ZH;
    const char *suffix = l == LANG_EN && s->l[LANG_ZH].present ? "/en" : "";

    HTML_LIT(b, "<item><title>");
    html_cstr(b, sl->headline);
    if (bilingual && s->l[other].present) {
        HTML_LIT(b, " / ");
        html_cstr(b, s->l[other].headline);
    }
    HTML_LIT(b, "</title><link>");
    html_cstr(b, c->base_url);
    HTML_LIT(b, "/story/");
    html_int(b, s->id);
    html_cstr(b, bilingual && s->l[other].present ? "/ce" : suffix);
    HTML_LIT(b, "</link><guid isPermaLink=\"false\">");
    html_cstr(b, s->slug);
    HTML_LIT(b, "</guid><pubDate>");
    rfc822(b, s->published);
    HTML_LIT(b, "</pubDate><category>");
    html_cstr(b, l == LANG_ZH ? s->section_zh : s->section_en);
    HTML_LIT(b, "</category><description>");
    html_cstr(b, sl->standfirst);
    if (bilingual && s->l[other].present && s->l[other].standfirst) {
        HTML_LIT(b, " / ");
        html_cstr(b, s->l[other].standfirst);
    }
    HTML_LIT(b, "</description><itunes:summary>");
    html_cstr(b, sl->standfirst);
    HTML_LIT(b, "</itunes:summary><itunes:author>");
    html_cstr(b, c->site_name);
    HTML_LIT(b, "</itunes:author><itunes:explicit>false</itunes:explicit>"
                "<itunes:episodeType>full</itunes:episodeType>");
    lead_image(b, c, s);
    /* An episode needs its file: an item whose narration is missing on disk has none. */
    if (sl->audio && it->audio_bytes[l] > 0) {
        HTML_LIT(b, "<enclosure url=\"");
        html_cstr(b, c->base_url);
        HTML_LIT(b, "/media/");
        html_attr(b, sl->audio);
        HTML_LIT(b, "\" length=\"");
        html_int(b, it->audio_bytes[l]);
        HTML_LIT(b, "\" type=\"");
        html_cstr(b, audio_type(sl->audio));
        HTML_LIT(b, "\"/>");
        if (sl->duration > 0) {
            HTML_LIT(b, "<itunes:duration>");
            duration(b, sl->duration);
            HTML_LIT(b, "</itunes:duration>");
        }
        HTML_LIT(b, "<podcast:transcript url=\"");
        html_cstr(b, c->base_url);
        HTML_LIT(b, "/story/");
        html_int(b, s->id);
        HTML_LIT(b, "/");
        html_cstr(b, lang_code(l));
        HTML_LIT(b, "/transcript.vtt\" type=\"text/vtt\" language=\"");
        html_cstr(b, l == LANG_ZH ? "zh-cn" : "en");
        HTML_LIT(b, "\"/><podcast:transcript url=\"");
        html_cstr(b, c->base_url);
        HTML_LIT(b, "/story/");
        html_int(b, s->id);
        HTML_LIT(b, "/");
        html_cstr(b, lang_code(l));
        HTML_LIT(b, "/transcript.json\" type=\"application/json\" language=\"");
        html_cstr(b, l == LANG_ZH ? "zh-cn" : "en");
        HTML_LIT(b, "\"/>");
    }
    HTML_LIT(b, "</item>");
}

void feed_rss(struct buf *b, const struct page_ctx *c, const char *title, const char *self,
              enum feed_kind kind, const struct feed_item *items, size_t n)
{
    HTML_LIT(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" "
                "xmlns:atom=\"http://www.w3.org/2005/Atom\" "
                "xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" "
                "xmlns:podcast=\"https://podcastindex.org/namespace/1.0\" "
                "xmlns:media=\"http://search.yahoo.com/mrss/\"><channel><title>");
    html_cstr(b, title);
    HTML_LIT(b, "</title><link>");
    html_cstr(b, c->base_url);
    HTML_LIT(b, "/</link><atom:link href=\"");
    html_cstr(b, c->base_url);
    html_attr(b, self);
    HTML_LIT(b, "\" rel=\"self\" type=\"application/rss+xml\"/><description>");
    html_cstr(b, title);
    HTML_LIT(b, "</description><language>");
    html_cstr(b, kind == FEED_EN ? "en" : "zh-cn");
    HTML_LIT(b, "</language><itunes:author>");
    html_cstr(b, c->site_name);
    HTML_LIT(b, "</itunes:author><itunes:summary>");
    html_cstr(b, title);
    if (kind == FEED_EN)
        HTML_LIT(b, ": the news, narrated.");
    else
        HTML_LIT(b, "：有声新闻，中英双语。");
    HTML_LIT(b, "</itunes:summary><itunes:image href=\"");
    html_cstr(b, c->base_url);
    HTML_LIT(b, "/static/podcast.png?v=");
    html_attr(b, c->asset_ver);
    HTML_LIT(b, "\"/><itunes:category text=\"News\"><itunes:category text=\"Daily News\"/>"
                "</itunes:category><itunes:explicit>false</itunes:explicit>"
                "<itunes:type>episodic</itunes:type><itunes:owner><itunes:name>");
    html_cstr(b, c->site_name);
    HTML_LIT(b, "</itunes:name>");
    if (c->contact_email) {
        HTML_LIT(b, "<itunes:email>");
        html_cstr(b, c->contact_email);
        HTML_LIT(b, "</itunes:email>");
    }
    HTML_LIT(b, "</itunes:owner>");
    for (size_t i = 0; i < n; i++) {
        const struct story *s = items[i].story;
        enum lang l = kind == FEED_EN ? LANG_EN : (s->l[LANG_ZH].present ? LANG_ZH : LANG_EN);
        if (!s->l[l].present)
            continue;
        item_lang(b, c, &items[i], l, kind == FEED_BILINGUAL);
    }
    HTML_LIT(b, "</channel></rss>\n");
}

void sitemap(struct buf *b, const struct page_ctx *c, const struct feed_item *items, size_t n,
             int news, int64_t now)
{
    HTML_LIT(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset "
                "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"");
    if (news)
        HTML_LIT(b, " xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\"");
    HTML_LIT(b, ">");
    if (!news) {
        HTML_LIT(b, "<url><loc>");
        html_cstr(b, c->base_url);
        HTML_LIT(b, "/</loc></url>");
        for (size_t i = 0; c->sections && i < c->sections->n; i++) {
            HTML_LIT(b, "<url><loc>");
            html_cstr(b, c->base_url);
            HTML_LIT(b, "/section/");
            html_cstr(b, c->sections->item[i].slug);
            HTML_LIT(b, "</loc></url>");
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct story *s = items[i].story;
        int both = s->l[LANG_EN].present && s->l[LANG_ZH].present;
        static const char *const suffix[] = { "", "/en", "/ce" };
        enum lang l = s->l[LANG_ZH].present ? LANG_ZH : LANG_EN;
        if (news && s->published < now - 2 * 86400)
            continue;
        for (int k = 0; k < (news ? 1 : (both ? 3 : 1)); k++) {
            HTML_LIT(b, "<url><loc>");
            html_cstr(b, c->base_url);
            HTML_LIT(b, "/story/");
            html_int(b, s->id);
            html_cstr(b, suffix[k]);
            HTML_LIT(b, "</loc>");
            if (news) {
                HTML_LIT(b, "<news:news><news:publication><news:name>");
                html_cstr(b, c->site_name);
                HTML_LIT(b, "</news:name><news:language>");
                html_cstr(b, l == LANG_ZH ? "zh-cn" : "en");
                HTML_LIT(b, "</news:language></news:publication><news:publication_date>");
                iso8601(b, s->published);
                HTML_LIT(b, "</news:publication_date><news:title>");
                html_cstr(b, s->l[l].headline);
                HTML_LIT(b, "</news:title></news:news>");
            } else {
                HTML_LIT(b, "<lastmod>");
                iso8601(b, s->published);
                HTML_LIT(b, "</lastmod>");
            }
            HTML_LIT(b, "</url>");
        }
    }
    HTML_LIT(b, "</urlset>\n");
}

void page_search(struct buf *b, struct page_ctx *c, const char *q, const struct brief_list *l)
{
    layout_head(b, c, msg(c->ui, MSG_SEARCH), NULL);
    HTML_LIT(b, "<meta name=\"robots\" content=\"noindex\">");
    layout_header(b, c);
    HTML_LIT(b, "<h1 class=\"section-title\">");
    layout_t(b, c, q && *q ? MSG_SEARCH_RESULTS : MSG_SEARCH);
    /* The header's search form is the page's one search landmark; this form is its own. */
    HTML_LIT(b, "</h1><form class=\"search-page\" action=\"/search\" "
                "method=\"get\"><label for=\"sq\">");
    layout_t(b, c, MSG_SEARCH);
    HTML_LIT(b, "</label> <input id=\"sq\" name=\"q\" type=\"search\" maxlength=\"100\" value=\"");
    html_attr(b, q ? q : "");
    HTML_LIT(b, "\"> <button type=\"submit\">");
    layout_t(b, c, MSG_SEARCH);
    HTML_LIT(b, "</button></form>");
    if (q && *q) {
        size_t n = l ? l->n : 0;
        HTML_LIT(b, "<p class=\"hits\" role=\"status\">");
        if (c->ui == LANG_ZH) {
            layout_t(b, c, MSG_SEARCH_FOUND);
            HTML_LIT(b, " ");
            html_int(b, (int64_t)n);
            HTML_LIT(b, " ");
            layout_t(b, c, MSG_SEARCH_HITS);
        } else {
            html_int(b, (int64_t)n);
            HTML_LIT(b, " ");
            layout_t(b, c, n == 1 ? MSG_SEARCH_HIT : MSG_SEARCH_HITS);
        }
        HTML_LIT(b, "</p><ul class=\"briefs\">");
        for (size_t i = 0; l && i < l->n; i++)
            layout_brief(b, c, &l->item[i], 2);
        HTML_LIT(b, "</ul>");
        if (!l || !l->n) {
            HTML_LIT(b, "<p>");
            layout_t(b, c, MSG_SEARCH_NONE);
            HTML_LIT(b, "</p>");
        }
    }
    layout_footer(b, c);
}
