/* The acoustic stage: the espeak-ng to ARPAbet map, the dictionary and espeak-ng guesses,
 * forced alignment of a recording Debian ships (pocketsphinx-testdata's goforward.raw), and
 * the refusals of impossible alignments. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "align/acoustic.h"
#include "align/align.h"
#include "suites.h"

#define GOFORWARD "/usr/share/pocketsphinx/test/data/goforward.raw"

static int have_model(void)
{
    return access(ACOUSTIC_MODEL_DEFAULT "/cmudict-en-us.dict", R_OK) == 0;
}

START_TEST(arpabet_map)
{
    struct buf b;
    buf_init(&b, 0);
    ck_assert_int_eq(acoustic_arpabet("h_@_l_'oU", &b), 4);
    ck_assert_str_eq(buf_cstr(&b), "HH AH L OW");
    buf_truncate(&b, 0);
    /* Stress marks go, two words join, r-coloured and unknown symbols are handled. */
    ck_assert_int_eq(acoustic_arpabet("z_,aI_@_r-_'oU_m_i S_'e@_z", &b), 10);
    ck_assert_str_eq(buf_cstr(&b), "Z AY AH R OW M IY SH EH R Z");
    buf_truncate(&b, 0);
    ck_assert_int_eq(acoustic_arpabet("||_:_!", &b), 0);
    ck_assert_int_eq((int)b.len, 0);
    buf_release(&b);
}
END_TEST

START_TEST(words_from_dictionary_and_espeak)
{
    struct acoustic *ac = NULL;
    struct err err = { 0 };
    char w0[] = "hello", w1[] = "xiaomi", w2[] = "hello", w3[] = "20", w4[] = "don't";
    char *w[] = { w0, w1, w2, w3, w4 };
    unsigned char src[5];

    if (!have_model()) {
        fprintf(stderr, "skipped: pocketsphinx-en-us is not installed\n");
        return;
    }
    ck_assert_int_eq(acoustic_new(ACOUSTIC_MODEL_DEFAULT, &ac, &err), GZ_OK);
    ck_assert_int_eq(acoustic_add_words(ac, w, 5, src, &err), GZ_OK);
    ck_assert_int_eq(src[0], ACOUSTIC_DICT);
    ck_assert_int_eq(src[1], ACOUSTIC_GUESSED);
    ck_assert_int_eq(src[2], ACOUSTIC_DICT);
    ck_assert_int_eq(src[3], ACOUSTIC_GUESSED); /* digits: espeak-ng reads "twenty" */
    ck_assert_int_eq(src[4], ACOUSTIC_DICT);
    acoustic_free(ac);
}
END_TEST

static struct acoustic_fe *goforward_features(void)
{
    FILE *f = fopen(GOFORWARD, "rb");
    struct acoustic_fe *fe = NULL;
    struct err err = { 0 };
    int16_t s[4096];
    float x[4096];
    size_t n;

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(acoustic_fe_new(ACOUSTIC_MODEL_DEFAULT, &fe, &err), GZ_OK);
    while ((n = fread(s, sizeof *s, 4096, f)) > 0) {
        for (size_t i = 0; i < n; i++)
            x[i] = (float)s[i] / 32768.0f;
        acoustic_fe_push(fe, x, n);
    }
    fclose(f);
    acoustic_fe_finish(fe);
    return fe;
}

START_TEST(decode_real_recording)
{
    struct acoustic *ac = NULL;
    struct acoustic_fe *fe;
    struct err err = { 0 };
    char w0[] = "go", w1[] = "forward", w2[] = "ten", w3[] = "meters", x0[] = "purple",
         x1[] = "elephants";
    char *w[] = { w0, w1, w2, w3 }, *wrong[] = { x0, x1 };
    unsigned char src[4];
    struct acoustic_hit hits[4];

    if (!have_model() || access(GOFORWARD, R_OK) != 0) {
        fprintf(stderr, "skipped: pocketsphinx-en-us or pocketsphinx-testdata missing\n");
        return;
    }
    fe = goforward_features();
    /* 2.79 s of 16 kHz audio: 100 frames a second. */
    ck_assert_int_ge((int)acoustic_fe_frames(fe), 275);
    ck_assert_int_le((int)acoustic_fe_frames(fe), 281);
    ck_assert_int_eq(acoustic_new(ACOUSTIC_MODEL_DEFAULT, &ac, &err), GZ_OK);
    ck_assert_int_eq(acoustic_add_words(ac, w, 4, src, &err), GZ_OK);
    ck_assert_int_eq(acoustic_decode(ac, fe, 0, acoustic_fe_frames(fe), w, src, 4, 0, 0, 3, hits,
                                     &err),
                     GZ_OK);
    /* Every word placed, in order, inside the recording; speech starts after its lead-in. */
    ck_assert_int_gt(hits[0].start, 10);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_ge(hits[i].start, 0);
        ck_assert_int_gt(hits[i].end, hits[i].start);
        if (i)
            ck_assert_int_ge(hits[i].start, hits[i - 1].end - 1);
    }
    ck_assert_int_le(hits[3].end, (int)acoustic_fe_frames(fe));
    /* A window too short to hold anything is refused, not decoded. */
    ck_assert_int_eq(acoustic_decode(ac, fe, 100, 105, w, src, 4, 0, 0, 3, hits, &err),
                     GZ_EAUDIO);
    /* Decoding against other words may fail, but cleanly. */
    ck_assert_int_eq(acoustic_add_words(ac, wrong, 2, src, &err), GZ_OK);
    (void)acoustic_decode(ac, fe, 0, acoustic_fe_frames(fe), wrong, src, 2, 0, 0, 1, hits, &err);
    acoustic_free(ac);
    acoustic_fe_free(fe);
}
END_TEST

START_TEST(no_model_folder)
{
    struct acoustic *ac = NULL;
    struct acoustic_fe *fe = NULL;
    struct err err = { 0 };
    ck_assert_int_eq(acoustic_new("/nonexistent", &ac, &err), GZ_ENOTFOUND);
    ck_assert_ptr_null(ac);
    ck_assert_int_eq(acoustic_fe_new("/tmp", &fe, &err), GZ_ENOTFOUND);
    ck_assert_ptr_null(fe);
}
END_TEST

/* Issue 9 finding 11: refused before any work. */
START_TEST(refuse_impossible)
{
    size_t n = 16000 * 30;
    float *pcm = calloc(n, sizeof *pcm);
    struct align_audio *a;
    struct align_seg seg = { .text = "Hello there, this is a sentence.", .spoken = 1 };
    struct align_cfg cfg = { .lang = "en" };
    struct err err = { 0 };
    double end;
    char *many;

    a = align_audio_from_pcm(pcm, n);
    ck_assert_int_eq(align_run(&cfg, a, &seg, 1, &end, &err), GZ_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "no speech found: 30 seconds of silence"));
    align_audio_free(a);
    /* A steady tone is no speech either. */
    for (size_t i = 0; i < n; i++)
        pcm[i] = 0.3f * (float)sin(2.0 * M_PI * 220.0 * (double)i / 16000.0);
    a = align_audio_from_pcm(pcm, n);
    ck_assert_int_eq(align_run(&cfg, a, &seg, 1, &end, &err), GZ_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "no speech found: 30 seconds of steady sound"));
    /* 300 words in 30 seconds (10 a second) is not speech. */
    many = calloc(300 * 5 + 1, 1);
    for (int i = 0; i < 300; i++)
        memcpy(many + i * 5, "word ", 5);
    seg.text = many;
    ck_assert_int_eq(align_run(&cfg, a, &seg, 1, &end, &err), GZ_EINVAL);
    ck_assert_str_eq(err.msg, "300 words in 30.0 seconds is not speech (at most 7 a second)");
    free(many);
    align_audio_free(a);
    free(pcm);
}
END_TEST

Suite *suite_acoustic(void)
{
    Suite *s = suite_create("acoustic");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, arpabet_map);
    tcase_add_test(tc, words_from_dictionary_and_espeak);
    tcase_add_test(tc, decode_real_recording);
    tcase_add_test(tc, no_model_folder);
    tcase_add_test(tc, refuse_impossible);
    suite_add_tcase(s, tc);
    return s;
}
