// WAV, read and written here (no library: the format is a header and PCM): 16-, 24- and 32-bit
// integer PCM and 32-bit float, plain or WAVE_FORMAT_EXTENSIBLE, little-endian RIFF.
#include <string.h>

#include "audio.h"

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

typedef struct {
  const uint8_t *data;
  size_t frames, at;
  unsigned bytes;
} wav_state;

static size_t wav_read(source_t *src, double *buf, size_t max) {
  wav_state *s = src->state;
  size_t n = s->frames - s->at < max ? s->frames - s->at : max;
  size_t count = n * src->channels;
  const uint8_t *p = s->data + s->at * src->channels * s->bytes;
  for (size_t i = 0; i < count; i++, p += s->bytes) {
    switch (src->format) {
    case S16: buf[i] = (int16_t)le16(p) / 32768.0; break;
    case S24: buf[i] = (int32_t)((uint32_t)(p[0] << 8 | p[1] << 16 | (uint32_t)p[2] << 24)) / 2147483648.0; break;
    case S32: buf[i] = (int32_t)le32(p) / 2147483648.0; break;
    case F32: {
      uint32_t u = le32(p);
      float f;
      memcpy(&f, &u, 4);
      buf[i] = f;
      break;
    }
    }
  }
  s->at += n;
  return n;
}

void wav_open(source_t *src, input_t in) {
  const uint8_t *p = in.bytes, *end = in.bytes + in.len;
  if (in.len < 12) fail("the WAV is truncated: %zu bytes", in.len);
  p += 12;
  const uint8_t *fmt = NULL, *data = NULL;
  uint32_t data_len = 0, fmt_len = 0;
  while (!data && end - p >= 8) {
    uint32_t len = le32(p + 4);
    const uint8_t *body = p + 8;
    if (memcmp(p, "data", 4) == 0) {
      if (len > (size_t)(end - body))
        fail("the WAV's data chunk says %u bytes, but %zu follow: truncated or a bad header", len,
             (size_t)(end - body));
      data = body;
      data_len = len;
    } else if (len > (size_t)(end - body)) {
      fail("the WAV's %.4s chunk says %u bytes, past the end of the file", (const char *)p, len);
    } else if (memcmp(p, "fmt ", 4) == 0) {
      if (len < 16) fail("the WAV's fmt chunk is %u bytes, under 16", len);
      fmt = body;
      fmt_len = len;
    }
    p = body + len + (len & 1);
  }
  if (!fmt) fail("the WAV has no fmt chunk before its data");
  if (!data) fail("the WAV has no data chunk");
  unsigned tag = le16(fmt), channels = le16(fmt + 2), bits = le16(fmt + 14);
  uint32_t rate = le32(fmt + 4);
  // WAVE_FORMAT_EXTENSIBLE: the format is its SubFormat GUID's first two bytes.
  if (tag == 0xFFFE && fmt_len >= 40) tag = le16(fmt + 24);
  if (channels == 0 || channels > MAX_CHANNELS) fail("the WAV says %u channels: 1 to %d are read", channels, MAX_CHANNELS);
  if (rate == 0 || rate > MAX_RATE) fail("the WAV says a sample rate of %u Hz: 1 to %d are read", rate, MAX_RATE);
  if (tag == 1 && (bits == 16 || bits == 24 || bits == 32))
    src->format = bits == 16 ? S16 : bits == 24 ? S24 : S32;
  else if (tag == 3 && bits == 32)
    src->format = F32;
  else
    fail("the WAV is format %u with %u bits a sample: 16-, 24- and 32-bit PCM and 32-bit float are read", tag, bits);
  wav_state *s = xmalloc(sizeof *s);
  s->bytes = bits / 8;
  s->data = data;
  s->frames = data_len / (s->bytes * channels);
  s->at = 0;
  src->channels = channels;
  src->rate = rate;
  src->codec = WAV;
  src->length = s->frames;
  src->read = wav_read;
  src->state = s;
}

static void put16(uint8_t *p, unsigned v) { p[0] = v & 0xff, p[1] = (v >> 8) & 0xff; }
static void put32(uint8_t *p, uint32_t v) { put16(p, v & 0xffff), put16(p + 2, v >> 16); }

/** The 44-byte header: its sizes from the frames written so far. */
static void wav_header(sink_t *sink) {
  unsigned bytes = format_bits(sink->opts.format) / 8;
  uint64_t data = sink->frames * sink->channels * bytes;
  if (data + 36 > UINT32_MAX) fail("the WAV would be over 4 GiB");
  uint8_t h[44];
  memcpy(h, "RIFF", 4);
  put32(h + 4, (uint32_t)(36 + data + (data & 1)));
  memcpy(h + 8, "WAVEfmt ", 8);
  put32(h + 16, 16);
  put16(h + 20, sink->opts.format == F32 ? 3 : 1);
  put16(h + 22, sink->channels);
  put32(h + 24, sink->rate);
  put32(h + 28, sink->rate * sink->channels * bytes);
  put16(h + 32, sink->channels * bytes);
  put16(h + 34, bytes * 8);
  memcpy(h + 36, "data", 4);
  put32(h + 40, (uint32_t)data);
  out_write_at(0, h, sizeof h);
}

static void wav_write(sink_t *sink, const double *buf, size_t frames) {
  static uint8_t bytes[BLOCK_FRAMES * MAX_CHANNELS * 4];
  unsigned bits = format_bits(sink->opts.format), width = bits / 8;
  while (frames > 0) {
    size_t n = frames < BLOCK_FRAMES ? frames : BLOCK_FRAMES, count = n * sink->channels;
    uint8_t *p = bytes;
    for (size_t i = 0; i < count; i++, p += width) {
      if (sink->opts.format == F32) {
        float f = (float)buf[i];
        uint32_t u;
        memcpy(&u, &f, 4);
        put32(p, u);
      } else {
        uint32_t v = (uint32_t)to_int(buf[i], bits);
        for (unsigned b = 0; b < width; b++) p[b] = (v >> (8 * b)) & 0xff;
      }
    }
    out_append(bytes, count * width);
    sink->frames += n;
    buf += count;
    frames -= n;
  }
}

static void wav_finish(sink_t *sink) {
  if (out_length() & 1) out_append("", 1);
  wav_header(sink);
}

void wav_sink_open(sink_t *sink) {
  wav_header(sink);
  sink->write = wav_write;
  sink->finish = wav_finish;
}
