// MP3 (MPEG-1/2/2.5 layers I-III) through mpg123 1.31.2's libmpg123 (Debian's source, its patches
// applied), its generic C decoder (no assembly) giving 32-bit floats, reading from memory. A
// LAME/Xing header's encoder delay and padding are removed (gapless), as ffmpeg does.
#include <stdio.h>
#include <string.h>

#include <mpg123.h>

#include "audio.h"

typedef struct {
  mpg123_handle *mh;
  input_t in;
  size_t pos;
  float *pcm;
} mp3_dec;

static mpg123_ssize_t mem_read(void *data, void *buf, size_t n) {
  mp3_dec *s = data;
  size_t left = s->in.len - s->pos;
  if (n > left) n = left;
  memcpy(buf, s->in.bytes + s->pos, n);
  s->pos += n;
  return (mpg123_ssize_t)n;
}

static off_t mem_seek(void *data, off_t offset, int whence) {
  mp3_dec *s = data;
  off_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (off_t)s->pos : (off_t)s->in.len;
  if (base + offset < 0 || base + offset > (off_t)s->in.len) return -1;
  s->pos = (size_t)(base + offset);
  return (off_t)s->pos;
}

static size_t mp3_read(source_t *src, double *buf, size_t max) {
  mp3_dec *s = src->state;
  size_t done = 0;
  int err = mpg123_read(s->mh, s->pcm, max * src->channels * sizeof(float), &done);
  if (err == MPG123_NEW_FORMAT) fail("the MP3's channels or sample rate change midway");
  if (err != MPG123_OK && err != MPG123_DONE) fail("cannot decode the MP3: %s", mpg123_plain_strerror(err));
  size_t count = done / sizeof(float);
  for (size_t i = 0; i < count; i++) buf[i] = s->pcm[i];
  return count / src->channels;
}

void mp3_open(source_t *src, input_t in) {
  int err = MPG123_OK;
  mp3_dec *s = xmalloc(sizeof *s);
  s->in = in;
  s->pos = 0;
  s->mh = mpg123_new(NULL, &err);
  if (!s->mh) fail("cannot start the MP3 decoder: %s", mpg123_plain_strerror(err));
  // Quiet, and no resync past junk: bytes that are no MP3 are refused rather than searched through.
  mpg123_param(s->mh, MPG123_ADD_FLAGS, MPG123_QUIET | MPG123_NO_RESYNC, 0);
  mpg123_param(s->mh, MPG123_REMOVE_FLAGS, MPG123_AUTO_RESAMPLE, 0);
  mpg123_format_none(s->mh);
  const long *rates;
  size_t nrates;
  mpg123_rates(&rates, &nrates);
  for (size_t i = 0; i < nrates; i++)
    mpg123_format(s->mh, rates[i], MPG123_MONO | MPG123_STEREO, MPG123_ENC_FLOAT_32);
  if (mpg123_replace_reader_handle(s->mh, mem_read, mem_seek, NULL) != MPG123_OK ||
      mpg123_open_handle(s->mh, s) != MPG123_OK)
    fail("cannot open the MP3: %s", mpg123_strerror(s->mh));
  long rate;
  int channels, encoding;
  if (mpg123_getformat(s->mh, &rate, &channels, &encoding) != MPG123_OK)
    fail("the input is no MP3 stream: %s", mpg123_strerror(s->mh));
  src->channels = (unsigned)channels;
  src->rate = (unsigned)rate;
  src->format = S16;
  src->codec = MP3;
  // From a Xing or LAME header, else estimated from the size and the first frame's bitrate.
  off_t length = mpg123_length(s->mh);
  src->length = length > 0 ? (uint64_t)length : 0;
  src->read = mp3_read;
  s->pcm = xmalloc(BLOCK_FRAMES * MAX_CHANNELS * sizeof(float));
  src->state = s;
}
