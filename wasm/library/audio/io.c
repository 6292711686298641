// The audio program's input and output: stdin read whole, the output kept in 1 MiB blocks and
// written to stdout at the end (a header is patched once the length is known).
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio.h"

void fail(const char *fmt, ...) {
  FILE *streams[] = {stdout, stderr};
  for (int i = 0; i < 2; i++) {
    va_list ap;
    va_start(ap, fmt);
    fputs("audio: ", streams[i]);
    vfprintf(streams[i], fmt, ap);
    fputc('\n', streams[i]);
    va_end(ap);
  }
  exit(2);
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) fail("out of memory (%zu bytes)", n);
  return p;
}

input_t read_input(void) {
  size_t cap = 1 << 20, n = 0;
  uint8_t *buf = xmalloc(cap);
  for (;;) {
    ssize_t r = read(0, buf + n, cap - n);
    if (r < 0) fail("cannot read the input: %s", strerror(errno));
    if (r == 0) break;
    n += (size_t)r;
    if (n > MAX_INPUT_BYTES) fail("the input is over %u bytes, a unit's most", MAX_INPUT_BYTES);
    if (n == cap) {
      buf = realloc(buf, cap *= 2);
      if (!buf) fail("out of memory reading the input");
    }
  }
  if (n == 0) fail("the input is empty");
  return (input_t){buf, n};
}

#define BLOCK (1u << 20)
#define BLOCKS (MAX_OUTPUT_BYTES / BLOCK)
static uint8_t *blocks[BLOCKS];
static uint64_t length;

void out_write_at(uint64_t pos, const void *bytes, size_t n) {
  if (pos + n > MAX_OUTPUT_BYTES)
    fail("the output would be over %u bytes, a unit's most: split the input", MAX_OUTPUT_BYTES);
  const uint8_t *from = bytes;
  while (n > 0) {
    size_t b = (size_t)(pos / BLOCK), at = (size_t)(pos % BLOCK);
    size_t take = BLOCK - at < n ? BLOCK - at : n;
    if (!blocks[b]) blocks[b] = xmalloc(BLOCK);
    memcpy(blocks[b] + at, from, take);
    from += take;
    pos += take;
    n -= take;
  }
  if (pos > length) length = pos;
}

void out_append(const void *bytes, size_t n) { out_write_at(length, bytes, n); }

uint64_t out_length(void) { return length; }

void out_flush(void) {
  for (uint64_t pos = 0; pos < length; pos += BLOCK) {
    size_t n = length - pos < BLOCK ? (size_t)(length - pos) : BLOCK;
    if (fwrite(blocks[pos / BLOCK], 1, n, stdout) != n) fail("cannot write the output");
  }
  fflush(stdout);
}

unsigned format_bits(sample_format_t f) { return f == S16 ? 16 : f == S24 ? 24 : 32; }
