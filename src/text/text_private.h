/*
 * Private part of the text module: the tokeniser and normaliser shared by
 * cx_text_tokens(), the index and the queries, and the index itself.
 */
#ifndef CXI_TEXT_PRIVATE_H
#define CXI_TEXT_PRIVATE_H

#include "../base/base.h"
#include "../table/table.h"
#include "cxkit/text.h"

#define CXI_TOKEN_MAX 255

enum { CXI_SCRIPT_OTHER = 0, CXI_SCRIPT_LATIN = 1, CXI_SCRIPT_ARABIC = 2, CXI_SCRIPT_DIGIT = 3 };

/* One token as the scanner hands it out: the normalised bytes, the script
 * of its letters (CXI_SCRIPT_DIGIT when only digits), and whether
 * punctuation (anything but space) came between it and the token before. */
typedef struct cxi_token {
    const char *s;
    size_t len;
    int script;
    bool brk;
} cxi_token;

/* Calls fn for each token of text[0..len) (valid UTF-8); stops at and
 * returns fn's first nonzero return. */
typedef int (*cxi_token_fn)(void *ctx, const cxi_token *tok);
int cxi_text_scan(const char *text, size_t len, cxi_token_fn fn, void *ctx);

/* The language by script of text[0..len) (valid UTF-8): CX_LANG_*. */
int cxi_text_detect(const char *text, size_t len);

/* Whether s[0..len), a normalised token of the script, is a stop word. */
bool cxi_stopword(const char *s, size_t len, int script);

/* The two Snowball stemmers (opaque: libstemmer is not in this header). */
typedef struct cxi_stemmers {
    void *en, *ar;
} cxi_stemmers;
int cxi_stemmers_open(cxi_stemmers *st, const char *fn);
void cxi_stemmers_close(cxi_stemmers *st);
/* The stem of a token (its own bytes when no stemmer applies): *out and
 * *outlen point into the stemmer's buffer or the token, valid until the
 * next call. CX_ENOMEM when libstemmer runs out of memory. */
int cxi_stem(cxi_stemmers *st, const cxi_token *tok, int lang, const char **out, size_t *outlen);

/* The term of a token: false when it is none (a stop word, a number, or a
 * comment of language OTHER keeps every token, unstemmed). */
bool cxi_is_term(const cxi_token *tok, int lang);

extern const char *const cxi_lang_names[4];

struct cx_text_index {
    cxi_mem mem;
    const cx_store *store;
    int lang;
    cxi_stemmers st;
    /* Normalised forms seen: surf_term[id] is the term of that form
     * (CXI_NONE for none), so each distinct form is stemmed once. */
    cxi_pool surf;
    uint32_t *surf_term;
    size_t surf_cap;
    /* Terms (stems). */
    cxi_pool terms;
    uint32_t *term_label; /* surf id of the first form met */
    uint64_t *term_tokens;
    uint32_t *term_docs, *term_last;
    size_t term_cap;
    /* Phrases: adjacent pairs, key a << 32 | b. */
    cxi_map bimap;
    uint32_t *bi_a, *bi_b, *bi_docs, *bi_last;
    uint64_t *bi_tokens;
    size_t bi_cap;
    uint32_t nbi;
    uint64_t npairs; /* adjacent pair occurrences */
    /* Comments: the feedback row, the language and the tokens. */
    uint32_t ndocs;
    uint32_t *doc_row;
    uint8_t *doc_lang;
    size_t doc_cap;
    uint64_t *doc_off; /* ndocs + 1 entries */
    size_t off_cap;
    uint32_t *toks; /* term ids; CXI_NONE for a break */
    size_t ntoks, tok_cap;
    uint64_t nterm_tokens;
    /* Postings: the comments (doc indexes) of each term, ascending. */
    uint64_t *post_off; /* terms.count + 1 */
    uint32_t *post;
};

/* The term ids of a query (stop words and numbers dropped): *out holds *n
 * ids, allocated from m (a copy of the index's; cxi_free with *n); a query
 * term unknown to the index gives id CXI_NONE. CX_EINVAL when none. */
int cxi_text_query(uint32_t **out, size_t *n, cxi_mem *m, const cx_text_index *ix, const char *fn, const char *query);
/* Whether document d holds ids[0..n) consecutively. */
bool cxi_doc_has(const cx_text_index *ix, uint32_t d, const uint32_t *ids, size_t n);
/* The docs matching ids[0..n), ascending, into *out (from m, capacity *cap). */
int cxi_text_match(uint32_t **out, size_t *nout, size_t *cap, cxi_mem *m, const cx_text_index *ix,
                   const uint32_t *ids, size_t n);

/* A term's label: its first normalised form. */
void cxi_term_label(const cx_text_index *ix, uint32_t t, const char **s, size_t *len);
/* Writes "a b" (stems, or labels) into a text cell. CX_ENOMEM. */
int cxi_phrase_text(cx_result *r, size_t col, size_t row, const cx_text_index *ix, uint32_t a, uint32_t b,
                    bool label);

#endif
