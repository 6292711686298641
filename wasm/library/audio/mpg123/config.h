/* mpg123 1.31.2's config.h for wasm32-wasi (scripts/library/audio.mjs): what its configure would
   find there, and the decoder as the audio program uses it: the generic C code (OPT_GENERIC, float
   synthesis), no ICY, no 8-bit output, no equalizer, no feeder, no messages on stderr. */
#define HAVE_INTTYPES_H 1
#define HAVE_LIMITS_H 1
#define HAVE_STDINT_H 1
#define HAVE_STDIO_H 1
#define HAVE_STDLIB_H 1
#define HAVE_STRING_H 1
#define HAVE_STRINGS_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_UNISTD_H 1
#define HAVE_STRERROR 1
#define FRAME_INDEX 1
#define INDEX_SIZE 1000
#define GAPLESS 1
#define IEEE_FLOAT 1
#define OPT_GENERIC 1
#define REAL_IS_FLOAT 1
#define NO_ICY 1
#define NO_8BIT 1
#define NO_EQUALIZER 1
#define NO_MOREINFO 1
#define NO_WARNING 1
#define NO_ERRORMSG 1
#define NO_FEEDER 1
#define ACCURATE_ROUNDING 1
#define PACKAGE_VERSION "1.31.2"
#define SIZEOF_INT32_T 4
#define SIZEOF_LONG 4
#define SIZEOF_OFF_T 8
#define SIZEOF_SIZE_T 4
#define SIZEOF_SSIZE_T 4
#define LFS_ALIAS_BITS 32
#define HAVE_SYS_STAT_H 1
#define HAVE_DIRENT_H 1
/* wasi-libc's lseek is a function-like macro, which readers.c's member named lseek would expand. */
#include <unistd.h>
#undef lseek
