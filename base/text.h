/*
** text.h — small text utilities: how far apart two words are, for "did you mean".
*/
#ifndef AUGUR_TEXT_H
#define AUGUR_TEXT_H

#include <stddef.h>

/* Edits (insert, delete, substitute, swap two neighbours) that turn a into b;
** stops counting at limit and returns limit + 1 when it is further. */
size_t text_distance(const char *a, const char *b, size_t limit);

/* Whether a suggestion this far from word is close enough to offer. */
int text_is_close(const char *word, size_t distance);

#endif
