/*
 * Freestanding string and memory functions (a subset of C11 <string.h>,
 * plus the BSD strlcpy/strlcat).  Semantics are those of the C standard;
 * the compiler may also emit calls to memcpy/memset/memmove/memcmp itself.
 */
#ifndef _LIB_STRING_H_
#define _LIB_STRING_H_

#include <stddef.h>

void	*memcpy(void *restrict, const void *restrict, size_t);
void	*memmove(void *, const void *, size_t);
void	*memset(void *, int, size_t);
int	 memcmp(const void *, const void *, size_t);
void	*memchr(const void *, int, size_t);
size_t	 strlen(const char *);
size_t	 strnlen(const char *, size_t);
int	 strcmp(const char *, const char *);
int	 strncmp(const char *, const char *, size_t);
char	*strchr(const char *, int);
char	*strrchr(const char *, int);
char	*strstr(const char *, const char *);
/* Copy/append with truncation; return the length they tried to create. */
size_t	 strlcpy(char *restrict, const char *restrict, size_t);
size_t	 strlcat(char *restrict, const char *restrict, size_t);
/*
 * Parse an unsigned number in base 2..36 (0: auto-detect 0x/0 prefixes).
 * *endp, if not NULL, points past the last digit used.  No errno: the
 * caller checks endp.  Overflow saturates to UINT64_MAX.  Unlike C's,
 * no leading white space or sign is accepted; with no digit (or a bad
 * base) the result is 0 and *endp is the string itself.
 */
unsigned long long strtoull(const char *restrict, char **restrict, int);

#endif /* !_LIB_STRING_H_ */
