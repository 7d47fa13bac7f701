/*
 * Forced include (-include) for the host build of tests/host/test_lib.c
 * and its cases (test_printf.c, test_string.c): lib/string.c and
 * lib/printf.c define memcpy, strlen, snprintf and the rest, which would
 * clash with glibc's.  Every such name becomes minnow_<name>, so the
 * program holds both versions and can compare them.
 *
 * Each test file first includes the lib headers with the names mapped,
 * then defines MINNOW_UNRENAME and includes this file again to drop the
 * mapping before it includes glibc's headers.  Hence no include guard.
 */
#ifndef MINNOW_UNRENAME
#define	memcpy		minnow_memcpy
#define	memmove		minnow_memmove
#define	memset		minnow_memset
#define	memcmp		minnow_memcmp
#define	memchr		minnow_memchr
#define	strlen		minnow_strlen
#define	strnlen		minnow_strnlen
#define	strcmp		minnow_strcmp
#define	strncmp		minnow_strncmp
#define	strchr		minnow_strchr
#define	strrchr		minnow_strrchr
#define	strstr		minnow_strstr
#define	strlcpy		minnow_strlcpy
#define	strlcat		minnow_strlcat
#define	strtoull	minnow_strtoull
#define	vsnprintf	minnow_vsnprintf
#define	snprintf	minnow_snprintf
#else
#undef	memcpy
#undef	memmove
#undef	memset
#undef	memcmp
#undef	memchr
#undef	strlen
#undef	strnlen
#undef	strcmp
#undef	strncmp
#undef	strchr
#undef	strrchr
#undef	strstr
#undef	strlcpy
#undef	strlcat
#undef	strtoull
#undef	vsnprintf
#undef	snprintf
#endif
