/* What Lua calls that WASI preview 1 has no call for, and the runtime clang-14 expects for setjmp
   and longjmp lowered to WebAssembly exceptions (-mllvm -wasm-enable-sjlj: LLVM 14's names and
   arguments, as Emscripten's runtime defines them). Lua's errors (error, pcall) unwind this way. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* No processes: os.execute() says there is no shell, os.execute(command) fails. */
int system(const char *command) { if (!command) return 0; errno = ENOSYS; return -1; }
/* No temporary folder: io.tmpfile fails (and os.tmpname, by lua_tmpnam's definition). */
FILE *tmpfile(void) { errno = ENOSYS; return NULL; }

/* A function that calls setjmp keeps a table of (id, label), one per setjmp done: each gets a new
   id, stored in its jmp_buf, and the label says where in the function setjmp returns to. */
typedef struct { uint32_t id, label; } Entry;
static uint32_t next_id, temp_ret;
uint32_t getTempRet0(void) { return temp_ret; }
Entry *saveSetjmp(uint32_t *env, uint32_t label, Entry *table, uint32_t size) {
  uint32_t i = 0;
  while (i < size && table[i].id != 0) i++;
  if (i == size && !(table = realloc(table, sizeof(Entry) * ((size *= 2) + 1)))) abort();
  *env = ++next_id;
  table[i] = (Entry){next_id, label};
  table[i + 1].id = 0;
  temp_ret = size; /* the table's size, read back with getTempRet0 */
  return table;
}
uint32_t testSetjmp(uint32_t id, Entry *table, uint32_t size) {
  for (uint32_t i = 0; i < size && table[i].id != 0; i++)
    if (table[i].id == id) return table[i].label;
  return 0;
}
/* longjmp throws tag 1, __c_longjmp, with the jmp_buf and the value setjmp is to return. */
static struct { void *env; int val; } longjmp_args;
void __wasm_longjmp(void *env, int val) {
  longjmp_args.env = env;
  longjmp_args.val = val == 0 ? 1 : val;
  __builtin_wasm_throw(1, &longjmp_args);
}
