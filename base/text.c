/* text.c — edit distance for suggestions. */
#include "base/text.h"

#include <stdlib.h>
#include <string.h>

size_t text_distance(const char *a, const char *b, size_t limit)
{
    size_t n = strlen(a), m = strlen(b), *row, *prev, *prev2, best;

    if ((n > m ? n - m : m - n) > limit)
        return limit + 1;
    /* Three rows of the optimal-string-alignment table. */
    row = malloc(3 * (m + 1) * sizeof *row);
    if (!row)
        return limit + 1;
    prev2 = row;
    prev = row + (m + 1);
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t *cur = row + ((i + 1) % 3) * (m + 1);
        size_t low = cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t d = prev[j - 1] + cost;
            if (prev[j] + 1 < d)
                d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
            if (d < low)
                low = d;
        }
        if (low > limit) {
            free(row);
            return limit + 1;
        }
        prev2 = prev;
        prev = cur;
    }
    best = prev[m];
    free(row);
    return best > limit ? limit + 1 : best;
}

int text_is_close(const char *word, size_t distance)
{
    size_t n = strlen(word);
    return distance <= (n / 3 > 2 ? n / 3 : 2) && distance < n;
}
