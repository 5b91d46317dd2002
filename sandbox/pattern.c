/*
** pattern.c — the worst-case cost of a Lua pattern match, before it runs.
**
** Lua's matcher backtracks, and the count hook cannot interrupt it: a pattern
** such as ".-.-.-.-b" on a long subject runs for hours inside one C call. The
** estimate is the number of start positions times, for every repeated item
** (*, +, -), one more than the longest run of subject bytes its class matches
** (the lengths it may try), times 2 for each ?, and times the subject length
** for each %b. Items that match one byte and anchors cost nothing extra. It is
** an upper bound on the backtracking the matcher can do, and close to the real
** work for patterns whose classes are not "." (runs of %s are short in text).
**
** The syntax follows the Lua 5.4 manual, §6.4.1; a malformed pattern gets the
** message Lua would give.
*/
#include "sandbox/private.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Whether c is in the class written %k (k a letter). */
static int pattern_class_has(int k, unsigned char c)
{
    int in;

    switch (tolower(k)) {
    case 'a': in = isalpha(c); break;
    case 'c': in = iscntrl(c); break;
    case 'd': in = isdigit(c); break;
    case 'g': in = isgraph(c); break;
    case 'l': in = islower(c); break;
    case 'p': in = ispunct(c); break;
    case 's': in = isspace(c); break;
    case 'u': in = isupper(c); break;
    case 'w': in = isalnum(c); break;
    case 'x': in = isxdigit(c); break;
    default:  return k == c;
    }
    in = in != 0;
    return isupper(k) ? !in : in;
}

/* End of the single-byte class starting at p (past "%x", "[...]", or one byte);
** NULL when malformed. */
static const char *pattern_class_end(const char *p, const char *end, const char **why)
{
    if (*p == '%') {
        if (p + 1 >= end) {
            *why = "malformed pattern (ends with '%')";
            return NULL;
        }
        return p + 2;
    }
    if (*p == '[') {
        p++;
        if (p < end && *p == '^')
            p++;
        do {
            if (p >= end) {
                *why = "malformed pattern (missing ']')";
                return NULL;
            }
            if (*p++ == '%' && p < end)
                p++;
        } while (p >= end || *p != ']');
        return p + 1;
    }
    return p + 1;
}

/* Whether c is in the set [p+1 .. e-1) (e points past the closing bracket). */
static int pattern_set_has(const char *p, const char *e, unsigned char c)
{
    int neg = 0, in = 0;

    p++;
    e--;
    if (*p == '^') {
        neg = 1;
        p++;
    }
    for (const char *q = p; q < e; q++) {
        if (*q == '%' && q + 1 < e) {
            q++;
            in |= pattern_class_has((unsigned char)*q, c);
        } else if (q + 2 < e && q[1] == '-') {
            in |= (unsigned char)q[0] <= c && c <= (unsigned char)q[2];
            q += 2;
        } else {
            in |= (unsigned char)*q == c;
        }
    }
    return neg ? !in : in;
}

static int pattern_single(const char *p, const char *e, unsigned char c)
{
    switch (*p) {
    case '.': return 1;
    case '%': return pattern_class_has((unsigned char)p[1], c);
    case '[': return pattern_set_has(p, e, c);
    default:  return (unsigned char)*p == c;
    }
}

/* The longest run of subject bytes the class [p, e) matches; the class is decided
** once per byte value, so the scan costs a table look-up per byte. */
static size_t pattern_run(const char *s, size_t n, const char *p, const char *e)
{
    unsigned char in[256];
    size_t best = 0, run = 0;

    if (*p == '.')
        return n;
    for (int c = 0; c < 256; c++)
        in[c] = (unsigned char)pattern_single(p, e, (unsigned char)c);
    for (size_t i = 0; i < n; i++) {
        run = in[(unsigned char)s[i]] ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    return best;
}

double pattern_cost(const char *s, size_t n, const char *p, size_t plen, int anchorable,
                    char *why, size_t whylen)
{
    const char *end = p + plen, *msg = NULL;
    double cost;

    if (anchorable && p < end && *p == '^') {
        cost = 1;
        p++;
    } else {
        cost = (double)n + 1;
    }
    if (!memchr(p, '*', (size_t)(end - p)) && !memchr(p, '+', (size_t)(end - p)) &&
        !memchr(p, '-', (size_t)(end - p)) && !memchr(p, '%', (size_t)(end - p)) &&
        !memchr(p, '?', (size_t)(end - p)) && !memchr(p, '[', (size_t)(end - p)))
        return cost * (double)(end - p + 1);
    while (p < end && cost <= 1e30) {
        const char *e;
        if (*p == '(' || *p == ')' || (*p == '$' && p + 1 == end)) {
            p++;
            continue;
        }
        if (*p == '%' && p + 1 < end && p[1] == 'b') {
            if (p + 3 >= end) {
                msg = "missing arguments to '%b'";
                break;
            }
            cost *= (double)n + 1;
            p += 4;
            continue;
        }
        if (*p == '%' && p + 1 < end && p[1] == 'f') {
            p += 2;
            if (p >= end || *p != '[') {
                msg = "missing '[' after '%f' in pattern";
                break;
            }
            if (!(p = pattern_class_end(p, end, &msg)))
                break;
            continue;
        }
        if (!(e = pattern_class_end(p, end, &msg)))
            break;
        if (e < end && (*e == '*' || *e == '+' || *e == '-')) {
            cost *= (double)pattern_run(s, n, p, e) + 1;
            e++;
        } else if (e < end && *e == '?') {
            cost *= 2;
            e++;
        }
        p = e;
    }
    if (msg) {
        snprintf(why, whylen, "%s", msg);
        return -1;
    }
    return cost;
}
