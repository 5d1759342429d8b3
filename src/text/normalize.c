/*
 * The tokeniser and normaliser of comments (see text.h for the rules):
 * one pass over valid UTF-8, each code point classified, mapped and
 * written into a token buffer; and the Snowball stemmers.
 */
#include "text_private.h"

#include <libstemmer.h>

const char *const cxi_lang_names[4] = {"auto", "english", "arabic", "other"};

enum { C_SPACE, C_PUNCT, C_DROP, C_APOS, C_WORD };

/* Decodes the code point at s (valid UTF-8), returning its byte length. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] < 0xE0) {
        *cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
        return 2;
    }
    if (s[0] < 0xF0) {
        *cp = (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
        return 3;
    }
    *cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6 |
          (s[3] & 0x3F);
    return 4;
}

static size_t encode(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Latin case folding: ASCII, Latin-1 and Latin Extended-A. */
static uint32_t fold_latin(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 32;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130) /* dotted capital I */
            return 'i';
        if (c == 0x178)
            return 0xFF;
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c + 1 : c;
        if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
            return c;
        return (c & 1) ? c : c + 1;
    }
    return c;
}

/* Classifies c; for a word character, *map is what is written and *script
 * its script. */
static int classify(uint32_t c, uint32_t *map, int *script)
{
    *map = c;
    *script = CXI_SCRIPT_OTHER;
    if (c < 0x80) {
        if (c == ' ' || (c >= '\t' && c <= '\r'))
            return C_SPACE;
        if (c == '\'')
            return C_APOS;
        if (c >= '0' && c <= '9') {
            *script = CXI_SCRIPT_DIGIT;
            return C_WORD;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            *map = fold_latin(c);
            *script = CXI_SCRIPT_LATIN;
            return C_WORD;
        }
        return c < 0x20 || c == 0x7F ? C_SPACE : C_PUNCT;
    }
    if (c < 0x250) {
        if (c == 0xA0)
            return C_SPACE;
        if (c == 0xAD)
            return C_DROP;
        if (c < 0xC0 && c != 0xAA && c != 0xB5 && c != 0xBA)
            return c < 0xA0 ? C_SPACE : C_PUNCT;
        if (c == 0xD7 || c == 0xF7)
            return C_PUNCT;
        *map = fold_latin(c);
        *script = CXI_SCRIPT_LATIN;
        return C_WORD;
    }
    if (c >= 0x600 && c <= 0x6FF) {
        if ((c >= 0x64B && c <= 0x65F) || c == 0x670 || (c >= 0x6D6 && c <= 0x6ED) || c == 0x640 ||
            (c >= 0x600 && c <= 0x605) || c == 0x61C || (c >= 0x610 && c <= 0x61A))
            return C_DROP;
        if ((c >= 0x660 && c <= 0x669) || (c >= 0x6F0 && c <= 0x6F9)) {
            *map = '0' + (c & 0xF);
            *script = CXI_SCRIPT_DIGIT;
            return C_WORD;
        }
        if ((c >= 0x606 && c <= 0x60F) || c == 0x61B || c == 0x61D || c == 0x61E || c == 0x61F ||
            (c >= 0x66A && c <= 0x66D) || c == 0x6D4 || c == 0x6DD || c == 0x6DE || c == 0x6E9)
            return C_PUNCT;
        switch (c) {
        case 0x622: case 0x623: case 0x625: case 0x671: *map = 0x627; break; /* alef forms */
        case 0x649: case 0x6CC: *map = 0x64A; break;                         /* alef maqsura, Farsi yeh */
        case 0x629: *map = 0x647; break;                                     /* taa marbuta */
        case 0x6A9: *map = 0x643; break;                                     /* keheh */
        default: break;
        }
        *script = CXI_SCRIPT_ARABIC;
        return C_WORD;
    }
    if ((c >= 0x750 && c <= 0x77F) || (c >= 0x8A0 && c <= 0x8FF) || (c >= 0xFB50 && c <= 0xFDFF) ||
        (c >= 0xFE70 && c <= 0xFEFC)) {
        *script = CXI_SCRIPT_ARABIC;
        return C_WORD;
    }
    if (c == 0x2018 || c == 0x2019)
        return C_APOS;
    if ((c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2069) ||
        c == 0xFEFF || (c >= 0xFE00 && c <= 0xFE0F) || c == 0x200D)
        return C_DROP;
    if ((c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
        c == 0x3000 || c == 0x1680)
        return C_SPACE;
    if ((c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205E) || (c >= 0x20A0 && c <= 0x2BFF) ||
        (c >= 0x3001 && c <= 0x3003) || (c >= 0x1F000 && c <= 0x1FAFF) || (c >= 0xFF01 && c <= 0xFF0F))
        return C_PUNCT;
    return C_WORD; /* any other script: passed through */
}

int cxi_text_scan(const char *text, size_t len, cxi_token_fn fn, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    char buf[CXI_TOKEN_MAX + 4];
    cxi_token tok = {buf, 0, CXI_SCRIPT_DIGIT, false};
    bool brk = false, full = false;
    size_t i = 0;
    int rc;
#define FLUSH()                                                                                                    \
    do {                                                                                                           \
        if (tok.len) {                                                                                             \
            tok.brk = brk;                                                                                         \
            if ((rc = fn(ctx, &tok)) != 0)                                                                         \
                return rc;                                                                                         \
            brk = false;                                                                                           \
        }                                                                                                          \
        tok.len = 0;                                                                                               \
        tok.script = CXI_SCRIPT_DIGIT;                                                                             \
        full = false;                                                                                              \
    } while (0)
    while (i < len) {
        uint32_t c, m;
        int script;
        size_t n = decode(s + i, &c);
        i += n;
        int k = classify(c, &m, &script);
        if (k == C_DROP)
            continue;
        if (k == C_APOS) {
            /* kept between Latin letters only */
            uint32_t c2 = 0, m2;
            int sc2 = CXI_SCRIPT_OTHER;
            if (i < len)
                decode(s + i, &c2);
            if (tok.len && tok.script == CXI_SCRIPT_LATIN && i < len && classify(c2, &m2, &sc2) == C_WORD &&
                sc2 == CXI_SCRIPT_LATIN) {
                m = '\'';
                script = CXI_SCRIPT_LATIN;
                k = C_WORD;
            } else {
                k = C_PUNCT;
            }
        }
        if (k != C_WORD) {
            FLUSH();
            if (k == C_PUNCT)
                brk = true;
            continue;
        }
        /* a change between Latin and Arabic letters starts a new token */
        if (tok.len && (script == CXI_SCRIPT_LATIN || script == CXI_SCRIPT_ARABIC) &&
            (tok.script == CXI_SCRIPT_LATIN || tok.script == CXI_SCRIPT_ARABIC) && script != tok.script)
            FLUSH();
        if (script != CXI_SCRIPT_DIGIT && (tok.script == CXI_SCRIPT_DIGIT || tok.script == CXI_SCRIPT_OTHER))
            tok.script = script;
        if (full)
            continue;
        size_t w = (m == c) ? n : encode(buf + CXI_TOKEN_MAX, m); /* encode aside to learn the width */
        if (tok.len + w > CXI_TOKEN_MAX) {
            full = true;
            continue;
        }
        if (m == c)
            memcpy(buf + tok.len, s + i - n, n);
        else
            encode(buf + tok.len, m);
        tok.len += w;
    }
    FLUSH();
#undef FLUSH
    return 0;
}

typedef struct detect_ctx {
    size_t latin, arabic;
} detect_ctx;

static int detect_tok(void *ctx, const cxi_token *tok)
{
    detect_ctx *d = ctx;
    if (tok->script == CXI_SCRIPT_LATIN)
        d->latin += tok->len;
    else if (tok->script == CXI_SCRIPT_ARABIC)
        d->arabic += tok->len / 2; /* letters, not bytes */
    return 0;
}

int cxi_text_detect(const char *text, size_t len)
{
    detect_ctx d = {0, 0};
    cxi_text_scan(text, len, detect_tok, &d);
    if (d.arabic > d.latin)
        return CX_LANG_ARABIC;
    return d.latin ? CX_LANG_ENGLISH : CX_LANG_OTHER;
}

bool cxi_is_term(const cxi_token *tok, int lang)
{
    if (tok->script == CXI_SCRIPT_DIGIT)
        return false;
    if (lang == CX_LANG_OTHER)
        return true;
    return !cxi_stopword(tok->s, tok->len, tok->script);
}

int cxi_stemmers_open(cxi_stemmers *st, const char *fn)
{
    st->en = sb_stemmer_new("english", "UTF_8");
    st->ar = sb_stemmer_new("arabic", "UTF_8");
    if (!st->en || !st->ar) {
        cxi_stemmers_close(st);
        return cxi_fail(CX_ENOMEM, "%s: cannot create the Snowball stemmers (out of memory)", fn);
    }
    return CX_OK;
}

void cxi_stemmers_close(cxi_stemmers *st)
{
    if (st->en)
        sb_stemmer_delete(st->en);
    if (st->ar)
        sb_stemmer_delete(st->ar);
    st->en = st->ar = NULL;
}

int cxi_stem(cxi_stemmers *st, const cxi_token *tok, int lang, const char **out, size_t *outlen)
{
    struct sb_stemmer *sb = NULL;
    if (lang != CX_LANG_OTHER)
        sb = tok->script == CXI_SCRIPT_LATIN ? st->en : tok->script == CXI_SCRIPT_ARABIC ? st->ar : NULL;
    if (!sb) {
        *out = tok->s;
        *outlen = tok->len;
        return CX_OK;
    }
    const sb_symbol *r = sb_stemmer_stem(sb, (const sb_symbol *)tok->s, (int)tok->len);
    if (!r)
        return CX_ENOMEM;
    int n = sb_stemmer_length(sb);
    if (n <= 0) { /* a stem cannot be empty: keep the token */
        *out = tok->s;
        *outlen = tok->len;
        return CX_OK;
    }
    *out = (const char *)r;
    *outlen = (size_t)n;
    return CX_OK;
}
