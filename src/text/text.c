#include "text/text.h"

#include <ctype.h>
#include <string.h>

int utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        size_t k;
        unsigned cp;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            k = 1, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            k = 2, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            k = 3, cp = c & 0x07;
        else
            return 0;
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3f);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += k + 1;
    }
    return 1;
}

size_t utf8_len(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

int text_has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return 1;
    }
    return 0;
}

/* Decode one code point at s[i] (valid UTF-8 assumed); *len gets its byte length. */
static unsigned cp_at(const char *str, size_t n, size_t i, size_t *len)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[i];
    size_t k = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    unsigned cp = k == 0 ? c : k == 1 ? (c & 0x1f) : k == 2 ? (c & 0x0f) : (c & 0x07);

    if (i + k >= n)
        k = n - i - 1;
    for (size_t j = 1; j <= k; j++)
        cp = (cp << 6) | (s[i + j] & 0x3f);
    *len = k + 1;
    return cp;
}

static int is_space_cp(unsigned cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xa0;
}

static int is_closer(unsigned cp)
{
    return cp == '"' || cp == '\'' || cp == ')' || cp == ']' || cp == 0x201d || cp == 0x2019 ||
           cp == 0x300d || cp == 0x300f || cp == 0xff09 || cp == 0x3011;
}

static int is_cjk_end(unsigned cp)
{
    return cp == 0x3002 || cp == 0xff01 || cp == 0xff1f; /* 。！？ */
}

static const char *const abbrevs[] = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "vs", "etc", "e.g", "i.e",
    "no", "co", "corp", "inc", "ltd", "gen", "gov", "sen", "rep", "jan", "feb", "aug",
    "sept", "oct", "nov", "dec", "approx", "fig",
};

/* Is the word ending just before s[dot] (a '.') an abbreviation or an initial? */
static int abbrev_before(const char *s, size_t dot)
{
    size_t b = dot;
    char w[8];
    size_t wl;

    while (b > 0 && (isalpha((unsigned char)s[b - 1]) || s[b - 1] == '.'))
        b--;
    wl = dot - b;
    if (wl == 0)
        return 0;
    if (wl == 1 && isupper((unsigned char)s[b]))
        return 1; /* an initial: "J. Smith" */
    if (memchr(s + b, '.', wl))
        return 1; /* "U.S", "e.g" */
    if (wl >= sizeof w)
        return 0;
    for (size_t i = 0; i < wl; i++)
        w[i] = (char)tolower((unsigned char)s[b + i]);
    w[wl] = '\0';
    for (size_t i = 0; i < sizeof abbrevs / sizeof abbrevs[0]; i++)
        if (strcmp(w, abbrevs[i]) == 0)
            return 1;
    return 0;
}

static void emit(const char *s, size_t a, size_t b, struct str *out, size_t cap, size_t *n)
{
    size_t l;
    while (a < b) {
        unsigned cp = cp_at(s, b, a, &l);
        if (!is_space_cp(cp))
            break;
        a += l;
    }
    while (b > a) {
        size_t p = b - 1;
        while (p > a && ((unsigned char)s[p] & 0xc0) == 0x80)
            p--;
        if (!is_space_cp(cp_at(s, b, p, &l)))
            break;
        b = p;
    }
    if (b > a) {
        if (*n < cap)
            out[*n] = str_make(s + a, b - a);
        (*n)++;
    }
}

size_t text_split(const char *s, size_t n, struct str *out, size_t cap)
{
    size_t count = 0, start = 0, i = 0, l;

    while (i < n) {
        unsigned cp = cp_at(s, n, i, &l);
        size_t end;
        int cjk = is_cjk_end(cp);

        if (!cjk && cp != '.' && cp != '!' && cp != '?') {
            i += l;
            continue;
        }
        end = i + l;
        while (end < n && (cjk || s[end] == '.' || s[end] == '!' || s[end] == '?' ||
                           is_cjk_end(cp_at(s, n, end, &l)))) {
            unsigned c2 = cp_at(s, n, end, &l);
            if (c2 != '.' && c2 != '!' && c2 != '?' && !is_cjk_end(c2))
                break;
            end += l;
        }
        while (end < n && is_closer(cp_at(s, n, end, &l)))
            end += l;
        if (cjk) {
            emit(s, start, end, out, cap, &count);
            start = i = end;
            continue;
        }
        /* ASCII terminator: needs white space (or the end) after it. */
        if (end < n && !is_space_cp(cp_at(s, n, end, &l))) {
            /* "！" style use of ASCII ?! right before CJK text also ends a sentence. */
            unsigned nx = cp_at(s, n, end, &l);
            if (cp != '.' && nx >= 0x2e80) {
                emit(s, start, end, out, cap, &count);
                start = end;
            }
            i = end;
            continue;
        }
        if (cp == '.' && abbrev_before(s, i)) {
            i = end;
            continue;
        }
        {
            size_t k = end;
            while (k < n && is_space_cp(cp_at(s, n, k, &l)))
                k += l;
            if (cp == '.' && k < n && islower((unsigned char)s[k])) {
                i = end;
                continue;
            }
        }
        emit(s, start, end, out, cap, &count);
        start = i = end;
    }
    emit(s, start, n, out, cap, &count);
    return count;
}

char *utf8_slice(const char *s, size_t from_char, size_t n_chars)
{
    const char *p = s, *q;
    for (size_t c = 1; *p && c < from_char; c++) {
        p++;
        while ((*p & 0xc0) == 0x80)
            p++;
    }
    q = p;
    for (size_t c = 0; *q && c < n_chars; c++) {
        q++;
        while ((*q & 0xc0) == 0x80)
            q++;
    }
    return xstrndup(p, (size_t)(q - p));
}

/* CJK ideographs, kana, hangul, CJK and full-width punctuation: written without spaces. */
static int is_wide(unsigned cp)
{
    return (cp >= 0x2e80 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) ||
           (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
           (cp >= 0xff00 && cp <= 0xffef) || (cp >= 0x20000 && cp <= 0x3ffff);
}

static int is_hangul(unsigned cp)
{
    return (cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3130 && cp <= 0x318f) ||
           (cp >= 0xac00 && cp <= 0xd7af) || (cp >= 0xffa0 && cp <= 0xffdc);
}

static size_t prev_cp(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
        i--;
    return i;
}

int text_join_space(const char *left, const char *right)
{
    size_t nl = left ? strlen(left) : 0, nr = right ? strlen(right) : 0, len, i;
    unsigned cp;
    if (!nl || !nr)
        return 0;
    i = prev_cp(left, nl - 1);
    cp = cp_at(left, nl, i, &len);
    /* A closing quote after 。 (“……。”) says nothing: look at what it closes. */
    if (is_closer(cp) && i > 0)
        cp = cp_at(left, nl, prev_cp(left, i - 1), &len);
    return !is_wide(cp) && !is_wide(cp_at(right, nr, 0, &len));
}

int text_break_joins(const char *left, size_t nl, const char *right, size_t nr)
{
    size_t len;
    unsigned a, b;
    if (!nl || !nr)
        return 0;
    a = cp_at(left, nl, prev_cp(left, nl - 1), &len);
    b = cp_at(right, nr, 0, &len);
    return is_wide(a) && is_wide(b) && !is_hangul(a) && !is_hangul(b);
}

void text_device(const char *ua, const char **browser, const char **os)
{
    /* Order matters: Edge and Opera also say Chrome and Safari; Chrome also says Safari. */
    static const char *const br[][2] = {
        { "MicroMessenger/", "WeChat" }, { "Edg", "Edge" },       { "OPR/", "Opera" },
        { "Firefox/", "Firefox" },        { "FxiOS/", "Firefox" }, { "CriOS/", "Chrome" },
        { "Chromium/", "Chromium" },      { "Chrome/", "Chrome" }, { "Version/", "Safari" },
        { "curl/", "curl" },
    };
    static const char *const sys[][2] = {
        { "iPhone", "iPhone" },   { "iPad", "iPad" },         { "Android", "Android" },
        { "CrOS", "ChromeOS" },   { "Windows", "Windows" },   { "Macintosh", "macOS" },
        { "Linux", "Linux" },
    };
    *browser = *os = NULL;
    if (!ua)
        return;
    for (size_t i = 0; i < sizeof br / sizeof br[0] && !*browser; i++)
        if (strstr(ua, br[i][0]) && (i != 1 || strstr(ua, "Edg/") || strstr(ua, "EdgA/") ||
                                     strstr(ua, "EdgiOS/")))
            *browser = br[i][1];
    if (*browser && strcmp(*browser, "Safari") == 0 && !strstr(ua, "Safari/"))
        *browser = NULL;
    for (size_t i = 0; i < sizeof sys / sizeof sys[0] && !*os; i++)
        if (strstr(ua, sys[i][0]))
            *os = sys[i][1];
}
