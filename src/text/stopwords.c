/*
 * CXKit's own short stop-word lists, written for customer comments: the
 * function words of English and Arabic that carry no theme. Negations (not,
 * no, never, n't; لا لم لن ليس غير ما) are deliberately absent: they make
 * phrases ("not helpful", "لم يصل") and sentiment. The Arabic words are in
 * their normalised form (alef forms as ا, ى as ي, ة as ه, no harakat).
 * Both lists are sorted by bytes, for a binary search.
 */
#include "text_private.h"

#include <stdlib.h>

static const char *const en_stop[] = {
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "before",
    "being", "but", "by", "can", "could", "did", "do", "does", "for", "from", "got", "had", "has", "have", "he",
    "her", "here", "him", "his", "how", "i", "i'm", "i've", "if", "in", "into", "is", "it", "it's", "its", "just",
    "me", "more", "most", "my", "of", "on", "or", "our", "really", "so", "some", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "those", "to", "too", "us", "very", "was", "we", "were", "what", "when",
    "which", "who", "will", "with", "would", "you", "your",
};

static const char *const ar_stop[] = {
    "اذا", "اكثر", "الا", "التي", "الذي", "الذين", "الي", "ان", "انا", "انت",
    "انتم", "انه", "انها", "او", "اي", "ايضا", "بعد", "بعض", "به", "بها", "بين",
    "تلك", "ثم", "جدا", "حتي", "حين", "ذلك", "علي", "عليه", "عن", "عند", "في",
    "فيه", "فيها", "قبل", "قد", "كان", "كانت", "كل", "كما", "لقد", "له", "لها",
    "لي", "مع", "من", "منذ", "نحن", "هذا", "هذه", "هل", "هم", "هناك", "هو",
    "هي", "و", "يا", "يكون",
};

static int cmp_key(const void *k, const void *e)
{
    return strcmp((const char *)k, *(const char *const *)e);
}

bool cxi_stopword(const char *s, size_t len, int script)
{
    const char *const *list;
    size_t n;
    if (script == CXI_SCRIPT_LATIN) {
        list = en_stop;
        n = sizeof en_stop / sizeof *en_stop;
    } else if (script == CXI_SCRIPT_ARABIC) {
        list = ar_stop;
        n = sizeof ar_stop / sizeof *ar_stop;
    } else {
        return false;
    }
    char key[32];
    if (len >= sizeof key)
        return false;
    memcpy(key, s, len);
    key[len] = '\0';
    return bsearch(key, list, n, sizeof *list, cmp_key) != NULL;
}
