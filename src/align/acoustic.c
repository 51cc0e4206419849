/* acoustic.c: the acoustic stage (see acoustic.h). */
#include "align/acoustic.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fe.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/logmath.h>

#include "tts/tts.h"

_Static_assert(sizeof(mfcc_t) == sizeof(float), "sphinxbase built with FIXED_POINT");

#define N_CEP 13
#define MAX_WIN_FRAMES 6000 /* 60 s: a window longer than this is not decoded */

/* ---- model folder ---- */

struct model_paths {
    struct buf hmm, dict;
};

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* The first *.dict in dir (sorted order is not needed: one is expected). */
static int find_dict(const char *dir, struct buf *out)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;

    if (!d)
        return 0;
    while (!found && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".dict") == 0) {
            buf_truncate(out, 0);
            buf_printf(out, "%s/%s", dir, e->d_name);
            found = is_file(buf_cstr(out));
        }
    }
    closedir(d);
    return found;
}

static int model_find(const char *dir, struct model_paths *mp, struct err *err)
{
    struct buf t;
    DIR *d;
    struct dirent *e;

    buf_init(&mp->hmm, 4096);
    buf_init(&mp->dict, 4096);
    buf_init(&t, 4096);
    buf_printf(&t, "%s/mdef", dir);
    if (is_file(buf_cstr(&t))) {
        buf_puts(&mp->hmm, dir);
    } else if ((d = opendir(dir)) != NULL) {
        while ((e = readdir(d)) != NULL && mp->hmm.len == 0) {
            if (e->d_name[0] == '.')
                continue;
            buf_truncate(&t, 0);
            buf_printf(&t, "%s/%s/mdef", dir, e->d_name);
            if (is_file(buf_cstr(&t)))
                buf_printf(&mp->hmm, "%s/%s", dir, e->d_name);
        }
        closedir(d);
    }
    buf_release(&t);
    if (mp->hmm.len == 0)
        return err_set(err, GZ_ENOTFOUND, "no acoustic model (mdef) in '%s'", dir);
    if (!find_dict(dir, &mp->dict) && !find_dict(buf_cstr(&mp->hmm), &mp->dict)) {
        char *parent = xstrdup(dir);
        char *slash = strrchr(parent, '/');
        int ok = 0;
        if (slash && slash != parent) {
            *slash = '\0';
            ok = find_dict(parent, &mp->dict);
        }
        free(parent);
        if (!ok)
            return err_set(err, GZ_ENOTFOUND, "no pronouncing dictionary (*.dict) for '%s'",
                           dir);
    }
    return GZ_OK;
}

static void model_release(struct model_paths *mp)
{
    buf_release(&mp->hmm);
    buf_release(&mp->dict);
}

/* The decoder's configuration: the model's own feat.params, silence frames kept (the
 * library drops them by default, which shifts every time after the first pause), dither
 * (digital silence, as edited or synthetic audio has, gives features no model path survives;
 * a fixed seed keeps runs identical), no log. */
static cmd_ln_t *config_new(const char *hmm)
{
    cmd_ln_t *c;
    struct buf fp;

    err_set_logfp(NULL);
    c = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-remove_silence", "no", "-logfn",
                    "/dev/null", "-bestpath", "no", "-dither", "yes", "-seed", "1", NULL);
    if (!c)
        return NULL;
    buf_init(&fp, 4096);
    buf_printf(&fp, "%s/feat.params", hmm);
    if (is_file(buf_cstr(&fp)))
        c = cmd_ln_parse_file_r(c, ps_args(), buf_cstr(&fp), FALSE);
    buf_release(&fp);
    return c;
}

/* ---- features ---- */

struct acoustic_fe {
    fe_t *fe;
    char *model;
    float *cep; /* [frame][N_CEP] */
    size_t n, cap;
    int16_t pend[512];
    size_t n_pend;
    uint32_t rng;
};

int acoustic_fe_new(const char *model_dir, struct acoustic_fe **out, struct err *err)
{
    struct model_paths mp;
    cmd_ln_t *c = NULL;
    struct acoustic_fe *a;
    int rc;

    *out = NULL;
    rc = model_find(model_dir, &mp, err);
    if (rc == GZ_OK) {
        c = config_new(buf_cstr(&mp.hmm));
        if (!c)
            rc = err_set(err, GZ_EINVAL, "cannot read the model settings in '%s'",
                         buf_cstr(&mp.hmm));
    }
    model_release(&mp);
    if (rc != GZ_OK)
        return rc;
    a = xcalloc(1, sizeof *a);
    a->fe = fe_init_auto_r(c);
    cmd_ln_free_r(c); /* the front end keeps its own reference */
    if (!a->fe || fe_get_output_size(a->fe) != N_CEP) {
        acoustic_fe_free(a);
        return err_set(err, GZ_EINVAL, "unsupported front end in '%s'", model_dir);
    }
    a->model = xstrdup(model_dir);
    a->rng = 2463534242u;
    fe_start_utt(a->fe);
    *out = a;
    return GZ_OK;
}

static void fe_grow(struct acoustic_fe *a, size_t extra)
{
    if (a->n + extra > a->cap) {
        a->cap = (a->n + extra) * 2 > 4096 ? (a->n + extra) * 2 : 4096;
        a->cep = xrealloc(a->cep, a->cap * N_CEP * sizeof *a->cep);
    }
}

static void fe_run(struct acoustic_fe *a, const int16_t *x, size_t n)
{
    while (n) {
        mfcc_t *rows[64];
        int32 nf = 64;
        size_t before = n;
        fe_grow(a, 64);
        for (int i = 0; i < 64; i++)
            rows[i] = a->cep + (a->n + (size_t)i) * N_CEP;
        if (fe_process_frames(a->fe, &x, &n, rows, &nf, NULL) < 0)
            return;
        a->n += (size_t)nf;
        if (nf == 0 && n == before)
            return;
    }
}

void acoustic_fe_push(struct acoustic_fe *a, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        /* A faint noise floor (about -75 dBFS): stretches of digital silence, as edited and
         * synthetic audio have, otherwise give features far from any silence the model was
         * trained on, and the whole window fails to decode. */
        float v = x[i] * 32768.0f;
        a->rng ^= a->rng << 13;
        a->rng ^= a->rng >> 17;
        a->rng ^= a->rng << 5;
        v += (float)(a->rng >> 16) / 65536.0f * 16.0f - 8.0f;
        a->pend[a->n_pend++] =
                (int16_t)(v > 32767.0f ? 32767 : v < -32768.0f ? -32768 : (int)v);
        if (a->n_pend == GZ_NELEM(a->pend)) {
            fe_run(a, a->pend, a->n_pend);
            a->n_pend = 0;
        }
    }
}

void acoustic_fe_finish(struct acoustic_fe *a)
{
    int32 nf = 0;
    if (a->n_pend) {
        fe_run(a, a->pend, a->n_pend);
        a->n_pend = 0;
    }
    fe_grow(a, 1);
    if (fe_end_utt(a->fe, a->cep + a->n * N_CEP, &nf) == 0 && nf > 0)
        a->n++;
}

size_t acoustic_fe_frames(const struct acoustic_fe *a)
{
    return a->n;
}

const char *acoustic_fe_model(const struct acoustic_fe *a)
{
    return a->model;
}

void acoustic_fe_free(struct acoustic_fe *a)
{
    if (!a)
        return;
    if (a->fe)
        fe_free(a->fe);
    free(a->cep);
    free(a->model);
    free(a);
}

/* ---- decoder and dictionary ---- */

struct acoustic {
    ps_decoder_t *ps;
    char *dict_path;
    int n_search;
};

int acoustic_new(const char *model_dir, struct acoustic **out, struct err *err)
{
    struct model_paths mp;
    cmd_ln_t *c = NULL;
    struct acoustic *ac;
    int rc;

    *out = NULL;
    rc = model_find(model_dir, &mp, err);
    if (rc != GZ_OK) {
        model_release(&mp);
        return rc;
    }
    c = config_new(buf_cstr(&mp.hmm));
    if (!c) {
        rc = err_set(err, GZ_EINVAL, "cannot read the model settings in '%s'", buf_cstr(&mp.hmm));
        model_release(&mp);
        return rc;
    }
    ac = xcalloc(1, sizeof *ac);
    ac->ps = ps_init(c); /* no -dict: only the model's fillers until words are added */
    cmd_ln_free_r(c);
    ac->dict_path = xstrdup(buf_cstr(&mp.dict));
    model_release(&mp);
    if (!ac->ps) {
        acoustic_free(ac);
        return err_set(err, GZ_EINVAL, "cannot load the acoustic model in '%s'", model_dir);
    }
    *out = ac;
    return GZ_OK;
}

void acoustic_free(struct acoustic *ac)
{
    if (!ac)
        return;
    if (ac->ps)
        ps_free(ac->ps);
    free(ac->dict_path);
    free(ac);
}

/* espeak-ng's English phoneme mnemonics and the ARPAbet phones of CMU's dictionary. */
static const char *const phone_map[][2] = {
    /* clang-format off */
    { "p", "P" }, { "b", "B" }, { "t", "T" }, { "d", "D" }, { "k", "K" }, { "g", "G" },
    { "f", "F" }, { "v", "V" }, { "T", "TH" }, { "D", "DH" }, { "s", "S" }, { "z", "Z" },
    { "S", "SH" }, { "Z", "ZH" }, { "h", "HH" }, { "m", "M" }, { "n", "N" }, { "N", "NG" },
    { "l", "L" }, { "r", "R" }, { "r-", "R" }, { "w", "W" }, { "j", "Y" }, { "tS", "CH" },
    { "dZ", "JH" }, { "t#", "T" }, { "d#", "D" }, { "x", "K" }, { "C", "HH" }, { "l#", "L" },
    { "n#", "N" }, { "m#", "M" }, { "w#", "W" },
    { "a", "AE" }, { "aa", "AE" }, { "a#", "AH" }, { "a2", "AH" }, { "A:", "AA" },
    { "A@", "AA R" }, { "A", "AA" }, { "0", "AA" }, { "O:", "AO" }, { "O", "AO" },
    { "O@", "AO R" }, { "o@", "AO R" }, { "@", "AH" }, { "@2", "AH" }, { "@5", "AH" },
    { "@L", "AH L" }, { "3", "ER" }, { "3:", "ER" }, { "E", "EH" }, { "E2", "EH" },
    { "e", "EH" }, { "e@", "EH R" }, { "eI", "EY" }, { "I", "IH" }, { "I2", "IH" },
    { "I#", "IH" }, { "i", "IY" }, { "i:", "IY" }, { "i@", "IY R" }, { "i@3", "IY ER" },
    { "aI", "AY" }, { "aI@", "AY ER" }, { "aI3", "AY ER" }, { "OI", "OY" }, { "oU", "OW" },
    { "oU#", "OW" }, { "o", "OW" }, { "aU", "AW" }, { "aU@", "AW ER" }, { "U", "UH" },
    { "u:", "UW" }, { "u", "UW" }, { "U@", "UH R" }, { "V", "AH" }, { "@r", "ER" },
    /* clang-format on */
};

/* ps_lookup_word() hands back a copy. */
static int known(struct acoustic *ac, const char *w)
{
    char *p = ps_lookup_word(ac->ps, w);
    ckd_free(p);
    return p != NULL;
}

static const char *phone_lookup(const char *p, size_t n)
{
    for (size_t i = 0; i < GZ_NELEM(phone_map); i++)
        if (strlen(phone_map[i][0]) == n && memcmp(phone_map[i][0], p, n) == 0)
            return phone_map[i][1];
    return NULL;
}

int acoustic_arpabet(const char *s, struct buf *out)
{
    int n = 0;
    while (*s) {
        size_t len = strcspn(s, "_ ");
        const char *p = s, *ph;
        /* Stress and syllable marks are not phones. */
        while (len && (*p == '\'' || *p == ',' || *p == '%' || *p == '=')) {
            p++;
            len--;
        }
        ph = len ? phone_lookup(p, len) : NULL;
        while (!ph && len > 1 && (p[len - 1] == '#' || (p[len - 1] >= '0' && p[len - 1] <= '9')))
            ph = phone_lookup(p, --len);
        if (ph) {
            if (n++)
                buf_putc(out, ' ');
            buf_puts(out, ph);
        }
        s += strcspn(s, "_ ");
        while (*s == '_' || *s == ' ')
            s++;
    }
    return n;
}

/* A set of strings: open addressing over the caller's array. */
struct wset {
    char *const *w;
    size_t *slot; /* index + 1; 0 empty */
    size_t mask;
};

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t wset_find(const struct wset *ws, const char *s, size_t n)
{
    for (size_t h = hash_str(s, n) & ws->mask;; h = (h + 1) & ws->mask) {
        size_t k = ws->slot[h];
        if (!k)
            return SIZE_MAX;
        if (strlen(ws->w[k - 1]) == n && memcmp(ws->w[k - 1], s, n) == 0)
            return k - 1;
    }
}

int acoustic_add_words(struct acoustic *ac, char *const *words, size_t n, unsigned char *src,
                       struct err *err)
{
    struct wset ws;
    size_t cap = 16;
    FILE *f;
    char line[1024];
    struct buf ph, arp;
    int rc = GZ_OK;

    while (cap < n * 2)
        cap *= 2;
    ws.w = words;
    ws.mask = cap - 1;
    ws.slot = xcalloc(cap, sizeof *ws.slot);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(words[i]);
        src[i] = ACOUSTIC_NONE;
        if (known(ac, words[i])) {
            src[i] = ACOUSTIC_DICT; /* added by an earlier call */
            continue;
        }
        if (wset_find(&ws, words[i], len) != SIZE_MAX)
            continue;
        for (size_t h = hash_str(words[i], len) & ws.mask;; h = (h + 1) & ws.mask)
            if (!ws.slot[h]) {
                ws.slot[h] = i + 1;
                break;
            }
    }
    /* One pass over the dictionary, keeping the entries (and alternatives) of our words. */
    f = fopen(ac->dict_path, "r");
    if (!f) {
        free(ws.slot);
        return err_set(err, GZ_EIO, "cannot read the dictionary '%s'", ac->dict_path);
    }
    while (fgets(line, sizeof line, f)) {
        size_t wl = strcspn(line, " \t\r\n"), bl = strcspn(line, "( \t\r\n"), k;
        char *phones;
        if (wl == 0 || line[wl] == '\0')
            continue;
        k = wset_find(&ws, line, bl);
        if (k == SIZE_MAX)
            continue;
        line[wl] = '\0';
        phones = line + wl + 1;
        phones += strspn(phones, " \t");
        phones[strcspn(phones, "\r\n#")] = '\0';
        if (!*phones || known(ac, line))
            continue;
        if (ps_add_word(ac->ps, line, phones, FALSE) >= 0)
            src[k] = ACOUSTIC_DICT;
    }
    fclose(f);
    /* The rest from espeak-ng. Copies of a word share the first one's outcome. */
    buf_init(&ph, 1 << 16);
    buf_init(&arp, 1 << 16);
    rc = tts_voice("en", 175, err);
    for (size_t i = 0; rc == GZ_OK && i < n; i++) {
        size_t k = wset_find(&ws, words[i], strlen(words[i]));
        if (k != i || src[i] != ACOUSTIC_NONE)
            continue;
        buf_truncate(&ph, 0);
        buf_truncate(&arp, 0);
        if (tts_phonemes(words[i], &ph, err) != GZ_OK)
            break;
        if (acoustic_arpabet(buf_cstr(&ph), &arp) > 0 && !arp.err &&
            ps_add_word(ac->ps, words[i], buf_cstr(&arp), FALSE) >= 0)
            src[i] = ACOUSTIC_GUESSED;
    }
    rc = GZ_OK; /* no word makes a run fail: unknown ones are skipped */
    for (size_t i = 0; i < n; i++) {
        size_t k = wset_find(&ws, words[i], strlen(words[i]));
        if (k != SIZE_MAX && k != i)
            src[i] = src[k];
    }
    buf_release(&ph);
    buf_release(&arp);
    free(ws.slot);
    return rc;
}

/* ---- decoding a window ---- */

static int is_filler(const char *w)
{
    return w[0] == '<' || w[0] == '[' || w[0] == '+';
}

int acoustic_decode(struct acoustic *ac, const struct acoustic_fe *fe, size_t f0, size_t f1,
                    char *const *words, const unsigned char *src, size_t n, size_t n_pre,
                    size_t entry_max, size_t must, struct acoustic_hit *hits, struct err *err)
{
    fsg_model_t *fsg;
    logmath_t *lm = ps_get_logmath(ac->ps);
    mfcc_t **rows = NULL;
    float *copy = NULL;
    size_t nf;
    int rc = GZ_OK;
    ps_seg_t *seg;
    char name[32];
    struct {
        char w[128];
        int sf, ef, ascr;
    } *hyp = NULL;
    size_t n_hyp = 0, cap_hyp = 0;

    for (size_t i = 0; i < n; i++)
        hits[i].start = hits[i].end = -1, hits[i].ascr = 0;
    if (f1 > fe->n)
        f1 = fe->n;
    if (f1 <= f0 + 10 || n_pre >= n)
        return err_set(err, GZ_EAUDIO, "window too short");
    nf = f1 - f0;
    if (nf > MAX_WIN_FRAMES)
        return err_set(err, GZ_EAUDIO, "window too long");

    /* States 0..n; word i goes from state i to i+1. The window may start in any of the words
     * before n_pre, and end after `must` or any later word. */
    fsg = fsg_model_init("w", lm, 1.0f, (int32)n + 1);
    fsg->start_state = 0;
    fsg->final_state = (int32)n;
    for (size_t i = 0; i < n; i++) {
        if (src[i] == ACOUSTIC_NONE) {
            fsg_model_null_trans_add(fsg, (int32)i, (int32)i + 1, 0);
            continue;
        }
        fsg_model_trans_add(fsg, (int32)i, (int32)i + 1, 0, fsg_model_word_add(fsg, words[i]));
    }
    /* Entry at any word up to entry_max (the window may begin with the tail of a word:
     * [SPEECH] below absorbs it). */
    for (size_t i = 1; i <= entry_max && i < n; i++)
        fsg_model_null_trans_add(fsg, 0, (int32)i, 0);
    /* Silence and noise between any two words; "um", breaths and other speech too, and
     * cheaply at both ends, where the window may cut a word of what came before or after.
     * (Once the grammar has silence words the library adds no fillers of its own.) */
    if (known(ac, "<sil>"))
        fsg_model_add_silence(fsg, "<sil>", -1, 0.005f);
    if (known(ac, "[NOISE]"))
        fsg_model_add_silence(fsg, "[NOISE]", -1, 1e-4f);
    if (known(ac, "[SPEECH]")) {
        fsg_model_add_silence(fsg, "[SPEECH]", -1, 1e-4f);
        fsg_model_add_silence(fsg, "[SPEECH]", 0, 0.1f);
        fsg_model_add_silence(fsg, "[SPEECH]", (int32)n, 0.1f);
    }
    for (size_t i = must + 1; i < n; i++)
        fsg_model_null_trans_add(fsg, (int32)i, (int32)n, 0);
    /* A new name each time: the library keeps searches by name. */
    snprintf(name, sizeof name, "w%d", ac->n_search++ & 1);
    if (ps_set_fsg(ac->ps, name, fsg) < 0 || ps_set_search(ac->ps, name) < 0) {
        fsg_model_free(fsg);
        return err_set(err, GZ_EAUDIO, "cannot build the grammar");
    }
    fsg_model_free(fsg); /* the search holds its own reference */

    /* The library normalises the cepstra in place (CMN): decode a copy. */
    rows = xmalloc(nf * sizeof *rows);
    copy = xmalloc(nf * N_CEP * sizeof *copy);
    memcpy(copy, fe->cep + f0 * N_CEP, nf * N_CEP * sizeof *copy);
    for (size_t t = 0; t < nf; t++)
        rows[t] = copy + t * N_CEP;
    if (ps_start_utt(ac->ps) < 0 || ps_process_cep(ac->ps, rows, (int)nf, FALSE, TRUE) < 0 ||
        ps_end_utt(ac->ps) < 0) {
        rc = err_set(err, GZ_EAUDIO, "the decoder failed");
        goto out;
    }
    for (seg = ps_seg_iter(ac->ps); seg; seg = ps_seg_next(seg)) {
        const char *w = ps_seg_word(seg);
        int32 ascr = 0, lscr, lback;
        int sf, ef;
        if (!w || !*w || *w == '(' || is_filler(w)) /* "(NULL)": a null transition */
            continue;
        if (n_hyp == cap_hyp) {
            cap_hyp = cap_hyp ? cap_hyp * 2 : 32;
            hyp = xrealloc(hyp, cap_hyp * sizeof *hyp);
        }
        ps_seg_frames(seg, &sf, &ef);
        ps_seg_prob(seg, &ascr, &lscr, &lback);
        snprintf(hyp[n_hyp].w, sizeof hyp[n_hyp].w, "%s", w);
        hyp[n_hyp].w[strcspn(hyp[n_hyp].w, "(")] = '\0';
        hyp[n_hyp].sf = sf;
        hyp[n_hyp].ef = ef;
        hyp[n_hyp].ascr = ascr;
        n_hyp++;
    }
    /* The hypothesis is a run of the grammar's words from an entry point in [0, entry_max],
     * skipping only unusable words: find that entry, then place each word. */
    {
        size_t entry = SIZE_MAX;
        for (size_t e = 0; e <= entry_max && entry == SIZE_MAX; e++) {
            size_t g = e, h = 0;
            while (h < n_hyp && g < n) {
                if (src[g] == ACOUSTIC_NONE) {
                    g++;
                    continue;
                }
                if (strcmp(words[g], hyp[h].w) != 0)
                    break;
                g++;
                h++;
            }
            if (h == n_hyp && n_hyp > 0)
                entry = e;
        }
        if (entry == SIZE_MAX) {
            rc = err_set(err, GZ_EAUDIO, "no path through the words");
            goto out;
        }
        for (size_t g = entry, h = 0; h < n_hyp && g < n; g++) {
            if (src[g] == ACOUSTIC_NONE)
                continue;
            hits[g].start = (int)f0 + hyp[h].sf;
            hits[g].end = (int)f0 + hyp[h].ef + 1;
            hits[g].ascr = hyp[h].ascr;
            h++;
        }
        /* The first word after the context must have been found. */
        {
            size_t g = n_pre;
            while (g < n && src[g] == ACOUSTIC_NONE)
                g++;
            if (g == n || hits[g].start < 0)
                rc = err_set(err, GZ_EAUDIO, "no path through the words");
        }
    }
out:
    free(rows);
    free(copy);
    free(hyp);
    return rc;
}
