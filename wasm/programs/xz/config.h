/* What xz's configure finds for clang-14 --target=wasm32-wasi --disable-threads --disable-nls
   (checked by running it), written out as upstream's windows/vs2019/config.h is for builds
   without configure: the build then needs no configure run, which takes longer than the compile.
   Every check, filter and match finder is in, as in Debian's xz; no threads (a unit has none). */
#define _GNU_SOURCE 1
#define PACKAGE "xz"
#define PACKAGE_NAME "XZ Utils"
#define PACKAGE_BUGREPORT "xz@tukaani.org"
#define PACKAGE_URL "https://tukaani.org/xz/"
#define VERSION "5.4.1"
#define NDEBUG 1
#define ASSUME_RAM 128
#define SIZEOF_SIZE_T 4

#define HAVE_CHECK_CRC32 1
#define HAVE_CHECK_CRC64 1
#define HAVE_CHECK_SHA256 1
#define HAVE_ENCODERS 1
#define HAVE_DECODERS 1
#define HAVE_LZIP_DECODER 1
#define HAVE_MF_HC3 1
#define HAVE_MF_HC4 1
#define HAVE_MF_BT2 1
#define HAVE_MF_BT3 1
#define HAVE_MF_BT4 1
#define HAVE_ENCODER_LZMA1 1
#define HAVE_ENCODER_LZMA2 1
#define HAVE_ENCODER_DELTA 1
#define HAVE_ENCODER_X86 1
#define HAVE_ENCODER_POWERPC 1
#define HAVE_ENCODER_IA64 1
#define HAVE_ENCODER_ARM 1
#define HAVE_ENCODER_ARMTHUMB 1
#define HAVE_ENCODER_ARM64 1
#define HAVE_ENCODER_SPARC 1
#define HAVE_DECODER_LZMA1 1
#define HAVE_DECODER_LZMA2 1
#define HAVE_DECODER_DELTA 1
#define HAVE_DECODER_X86 1
#define HAVE_DECODER_POWERPC 1
#define HAVE_DECODER_IA64 1
#define HAVE_DECODER_ARM 1
#define HAVE_DECODER_ARMTHUMB 1
#define HAVE_DECODER_ARM64 1
#define HAVE_DECODER_SPARC 1

/* wasi-libc's headers, functions and types, as configure finds them. */
#define HAVE_INTTYPES_H 1
#define HAVE_STDINT_H 1
#define HAVE_STDBOOL_H 1
#define HAVE__BOOL 1
#define HAVE_STRINGS_H 1
#define HAVE_SYS_PARAM_H 1
#define HAVE_MBRTOWC 1
#define HAVE_WCWIDTH 1
#define HAVE_FUTIMENS 1
#define HAVE_POSIX_FADVISE 1
#define HAVE_OPTRESET 1
#define HAVE_PROGRAM_INVOCATION_NAME 1
#define HAVE_STRUCT_STAT_ST_ATIM_TV_NSEC 1
#define HAVE_VISIBILITY 1
#define HAVE_FUNC_ATTRIBUTE_CONSTRUCTOR 1
#define HAVE___BUILTIN_ASSUME_ALIGNED 1
#define HAVE___BUILTIN_BSWAPXX 1
#define TUKLIB_PHYSMEM_SYSCONF 1

#include "wasi-signal.h"
