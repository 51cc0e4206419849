/* model/markdown: the transcript (narration text) and the layout (its form) from Markdown. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/markdown.h"
#include "suites.h"

static const char body[] =
        "# Big news\n"
        "\n"
        "![A chart of rents](/media/img/ab12-960x540.webp \"Rents, 2020-2026\")\n"
        "\n"
        "Rents rose **fast** in [the city](https://example.com/a?b=1&amp;c=2). Then *they "
        "fell*.\n"
        "\n"
        "- one [bad](javascript:alert(1))\n"
        "- two\n"
        "\n"
        "1. first\n"
        "\n"
        "> A pull quote.\n"
        "\n"
        "![x](https://other.example/i.png) Tail ![y](//evil/i.png).\n";

START_TEST(md_transcript_plain_text)
{
    struct transcript t;
    struct err err = { 0 };

    ck_assert_int_eq(markdown_to_transcript(body, strlen(body), &t, &err), GZ_OK);
    ck_assert_uint_eq(t.n_para, 7);
    ck_assert_str_eq(t.para[0].sent[0].text, "Big news");
    /* Markup and link targets are not narrated; the image's alt text is no paragraph. */
    ck_assert_uint_eq(t.para[1].n_sent, 2);
    ck_assert_str_eq(t.para[1].sent[0].text, "Rents rose fast in the city.");
    ck_assert_str_eq(t.para[1].sent[1].text, "Then they fell.");
    ck_assert_str_eq(t.para[2].sent[0].text, "one bad");
    ck_assert(!isnan(t.para[2].sent[0].start));
    ck_assert_str_eq(t.para[5].sent[0].text, "A pull quote.");
    ck_assert(isnan(t.para[5].sent[0].start)); /* pull quotes are not narrated */
    ck_assert_str_eq(t.para[6].sent[0].text, "Tail .");
    transcript_release(&t);
}
END_TEST

START_TEST(md_layout_form)
{
    struct md_layout l;
    struct transcript t;
    struct err err = { 0 };
    const struct md_block *b;
    const struct md_figure *f;

    ck_assert_int_eq(markdown_layout(body, strlen(body), &l, &err), GZ_OK);
    ck_assert_int_eq(markdown_to_transcript(body, strlen(body), &t, &err), GZ_OK);
    ck_assert(markdown_layout_fits(&l, &t));
    ck_assert_int_eq(l.block[0].kind, MD_KIND_H);
    ck_assert_int_eq(l.block[0].level, 2); /* the page's h1 is the headline */
    /* The figure follows the heading. */
    ck_assert_uint_eq(l.n_lead_fig, 0);
    ck_assert_uint_eq(l.block[0].n_fig, 1);
    f = &l.block[0].fig[0];
    ck_assert_str_eq(f->src, "/media/img/ab12-960x540.webp");
    ck_assert_str_eq(f->alt, "A chart of rents");
    ck_assert_str_eq(f->caption, "Rents, 2020-2026");
    ck_assert_int_eq(f->width, 960);
    ck_assert_int_eq(f->height, 540);
    ck_assert_ptr_eq(markdown_layout_first_figure(&l), f);

    b = &l.block[1];
    ck_assert_int_eq(b->kind, MD_KIND_P);
    ck_assert_uint_eq(b->n_mark, 3);
    ck_assert_int_eq(b->mark[0].kind, MD_MARK_STRONG);
    ck_assert_uint_eq(b->mark[0].to - b->mark[0].from, 4);
    ck_assert(memcmp(b->text + b->mark[0].from, "fast", 4) == 0);
    ck_assert_int_eq(b->mark[1].kind, MD_MARK_LINK);
    ck_assert_str_eq(b->mark[1].href, "https://example.com/a?b=1&c=2");
    ck_assert(memcmp(b->text + b->mark[1].from, "the city", 8) == 0);
    ck_assert_int_eq(b->mark[2].kind, MD_MARK_EM);
    ck_assert_uint_eq(b->n_sent, 2);
    ck_assert(strncmp(b->text + b->sent_off[1], "Then they fell.", 15) == 0);

    /* A javascript: link is dropped to its text. */
    ck_assert_int_eq(l.block[2].kind, MD_KIND_LI);
    ck_assert_uint_eq(l.block[2].n_mark, 0);
    ck_assert_int_eq(l.block[3].kind, MD_KIND_LI);
    ck_assert_int_eq(l.block[2].list, l.block[3].list);
    ck_assert(!l.block[2].ordered);
    ck_assert_int_eq(l.block[4].kind, MD_KIND_LI);
    ck_assert_int_ne(l.block[4].list, l.block[3].list);
    ck_assert(l.block[4].ordered);
    ck_assert_int_eq(l.block[5].kind, MD_KIND_QUOTE);
    /* Pictures from other hosts (the CSP would block them) are dropped. */
    ck_assert_uint_eq(l.block[6].n_fig, 0);

    /* A transcript that differs (an older save) does not fit. */
    free(t.para[1].sent[1].text);
    t.para[1].sent[1].text = xstrdup("Then they rose.");
    ck_assert(!markdown_layout_fits(&l, &t));
    transcript_release(&t);
    markdown_layout_release(&l);
}
END_TEST

START_TEST(md_layout_lead_and_errors)
{
    static const char md[] = "![Lead](/media/a.jpg)\n\nText *open\n";
    struct md_layout l;
    struct err err = { 0 };

    ck_assert_int_eq(markdown_layout(md, strlen(md), &l, &err), GZ_OK);
    ck_assert_uint_eq(l.tr.n_para, 1);
    ck_assert_uint_eq(l.n_lead_fig, 1);
    ck_assert_str_eq(l.lead_fig[0].caption, "");
    ck_assert_int_eq(l.lead_fig[0].width, 0);
    ck_assert_ptr_eq(markdown_layout_first_figure(&l), &l.lead_fig[0]);
    markdown_layout_release(&l);

    /* A body of only a picture holds no text. */
    ck_assert_int_eq(markdown_layout("![a](/b.png)", 12, &l, &err), GZ_EINVAL);
    ck_assert_ptr_null(l.block);
    ck_assert_int_eq(markdown_layout("a\xff", 2, &l, &err), GZ_EINVAL);
}
END_TEST

/* A line break inside a paragraph: nothing between two Chinese characters (as a browser
 * shows it, CSS Text 3), a space elsewhere; spans opened after the break start after it. */
START_TEST(md_soft_break_cjk)
{
    static const char md[] = "北京今天\n下雨。Rents rose\nfast.\n中文\nGDP 增长\n**很快**。\n"
                             "It\n*fell*.\n";
    struct md_layout l;
    struct transcript t;
    struct err err = { 0 };
    const struct md_block *b;

    ck_assert_int_eq(markdown_to_transcript(md, strlen(md), &t, &err), GZ_OK);
    ck_assert_uint_eq(t.n_para, 1);
    ck_assert_uint_eq(t.para[0].n_sent, 4);
    ck_assert_str_eq(t.para[0].sent[0].text, "北京今天下雨。");
    ck_assert_str_eq(t.para[0].sent[1].text, "Rents rose fast.");
    ck_assert_str_eq(t.para[0].sent[2].text, "中文 GDP 增长很快。");
    ck_assert_str_eq(t.para[0].sent[3].text, "It fell.");
    transcript_release(&t);

    ck_assert_int_eq(markdown_layout(md, strlen(md), &l, &err), GZ_OK);
    b = &l.block[0];
    ck_assert_str_eq(b->text, "北京今天下雨。Rents rose fast. 中文 GDP 增长很快。 It fell.");
    ck_assert_uint_eq(b->n_mark, 2);
    ck_assert(memcmp(b->text + b->mark[0].from, "很快", b->mark[0].to - b->mark[0].from) == 0);
    ck_assert_uint_eq(b->mark[0].to - b->mark[0].from, strlen("很快"));
    ck_assert_uint_eq(b->mark[1].to - b->mark[1].from, 4);
    ck_assert(memcmp(b->text + b->mark[1].from, "fell", 4) == 0);
    markdown_layout_release(&l);

    /* Alt text follows the same rule; a break at the end of a block adds nothing. */
    static const char alt[] = "![图表\n说明](/a.png)\n\n尾\n";
    ck_assert_int_eq(markdown_layout(alt, strlen(alt), &l, &err), GZ_OK);
    ck_assert_uint_eq(l.n_lead_fig, 1);
    ck_assert_str_eq(l.lead_fig[0].alt, "图表说明");
    ck_assert_str_eq(l.block[0].text, "尾");
    markdown_layout_release(&l);
}
END_TEST

Suite *suite_markdown(void)
{
    Suite *s = suite_create("markdown");
    TCase *tc = tcase_create("markdown");
    tcase_add_test(tc, md_transcript_plain_text);
    tcase_add_test(tc, md_layout_form);
    tcase_add_test(tc, md_layout_lead_and_errors);
    tcase_add_test(tc, md_soft_break_cjk);
    suite_add_tcase(s, tc);
    return s;
}
