/* wasm32-wasi (wasi-libc, clang 14) has no setjmp: libvpx's only use is its error path, where
   setjmp arms a return and vpx_internal_error longjmps to it. Here setjmp arms nothing (it returns
   0) and longjmp, the video program's, reports the error and ends the program. */
#ifndef VIDEO_SETJMP_H
#define VIDEO_SETJMP_H
typedef int jmp_buf[1];
#define setjmp(env) ((void)(env), 0)
#ifdef __cplusplus
extern "C"
#endif
_Noreturn void longjmp(jmp_buf env, int val);
#endif
