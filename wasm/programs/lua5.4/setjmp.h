/* wasi-libc has no setjmp.h. Lua's errors unwind with setjmp and longjmp, which clang-14 turns
   into WebAssembly exceptions (-mllvm -wasm-enable-sjlj, runtime in wasi-compat.c): only the first
   word of a jmp_buf is used, for the setjmp's id. */
#ifndef _SETJMP_H
#define _SETJMP_H
typedef unsigned long jmp_buf[1];
int setjmp(jmp_buf env) __attribute__((returns_twice));
_Noreturn void longjmp(jmp_buf env, int val);
#endif
