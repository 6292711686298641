// Ogg Vorbis through libvorbis 1.3.7's vorbisfile over libogg 1.3.5 (Debian's sources), reading
// the input from memory. The decoder's floats are the source's samples; a chained stream whose
// links differ in channels or rate is refused.
#include <string.h>

#define OV_EXCLUDE_STATIC_CALLBACKS
#include <vorbis/vorbisfile.h>

#include "audio.h"

typedef struct {
  OggVorbis_File vf;
  input_t in;
  size_t pos;
} vorbis_dec;

static size_t mem_read(void *ptr, size_t size, size_t nmemb, void *data) {
  vorbis_dec *s = data;
  size_t want = size * nmemb, left = s->in.len - s->pos;
  if (want > left) want = left;
  memcpy(ptr, s->in.bytes + s->pos, want);
  s->pos += want;
  return size ? want / size : 0;
}

static int mem_seek(void *data, ogg_int64_t offset, int whence) {
  vorbis_dec *s = data;
  ogg_int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (ogg_int64_t)s->pos : (ogg_int64_t)s->in.len;
  if (base + offset < 0 || base + offset > (ogg_int64_t)s->in.len) return -1;
  s->pos = (size_t)(base + offset);
  return 0;
}

static long mem_tell(void *data) { return (long)((vorbis_dec *)data)->pos; }

static size_t vorbis_read(source_t *src, double *buf, size_t max) {
  vorbis_dec *s = src->state;
  for (;;) {
    float **pcm;
    int link;
    long n = ov_read_float(&s->vf, &pcm, (int)max, &link);
    if (n == OV_HOLE) continue;
    if (n < 0) fail("cannot decode the Ogg Vorbis stream (error %ld): corrupt or truncated", n);
    if (n == 0) return 0;
    vorbis_info *info = ov_info(&s->vf, link);
    if ((unsigned)info->channels != src->channels || (unsigned)info->rate != src->rate)
      fail("the Ogg Vorbis stream's links differ in channels or sample rate");
    for (long i = 0; i < n; i++)
      for (unsigned c = 0; c < src->channels; c++) buf[i * src->channels + c] = pcm[c][i];
    return (size_t)n;
  }
}

void vorbis_open(source_t *src, input_t in) {
  vorbis_dec *s = xmalloc(sizeof *s);
  s->in = in;
  s->pos = 0;
  ov_callbacks io = {mem_read, mem_seek, NULL, mem_tell};
  int err = ov_open_callbacks(s, &s->vf, NULL, 0, io);
  // The first page's packet (after its 27-byte header and a 1-byte segment table) names the codec.
  int named = in.len >= 35 && memcmp(in.bytes + 28, "\x01vorbis", 7) == 0;
  if (err == OV_ENOTVORBIS && !named) fail("the Ogg stream is not Vorbis: Ogg Vorbis is read");
  if (err != 0) fail("cannot read the Ogg Vorbis header (error %d): corrupt or truncated", err);
  vorbis_info *info = ov_info(&s->vf, -1);
  if (info->channels <= 0 || info->channels > MAX_CHANNELS)
    fail("the Ogg Vorbis says %d channels: 1 to %d are read", info->channels, MAX_CHANNELS);
  if (info->rate <= 0 || info->rate > MAX_RATE)
    fail("the Ogg Vorbis says a sample rate of %ld Hz: 1 to %d are read", info->rate, MAX_RATE);
  src->channels = (unsigned)info->channels;
  src->rate = (unsigned)info->rate;
  src->format = S16;
  src->codec = VORBIS;
  ogg_int64_t total = ov_pcm_total(&s->vf, -1);
  src->length = total > 0 ? (uint64_t)total : 0;
  src->read = vorbis_read;
  src->state = s;
}
