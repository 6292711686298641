// Ogg Opus through libopus 1.3.1 (Debian's opus source, float build, no SIMD) and libogg 1.3.5:
// the multistream surround encoder (mapping family 0 for one or two channels, 1 for up to 8),
// 20 ms frames at 48 kHz, written as RFC 7845 pages: OpusHead (its pre-skip the encoder's
// lookahead), OpusTags (libopus's version as the vendor, no comments), then the audio, the last
// page's granule position trimming the padding. A rate Opus does not take (it takes 8, 12, 16, 24
// and 48 kHz) is resampled to 48 kHz first by libsamplerate's medium sinc. The stream's serial
// number is fixed, so every node writes the same bytes.
#include <stdlib.h>
#include <string.h>

#include <ogg/ogg.h>
#include <opus_multistream.h>
#include <samplerate.h>

#include "audio.h"

#define SERIAL 0x6d657368 /* "mesh" */
#define MAX_PACKET 4000

typedef struct {
  OpusMSEncoder *enc;
  ogg_stream_state os;
  unsigned rate, channels, frame;
  /** Samples (a channel) at `rate` given to the encoder, and those of the input, at 48 kHz. */
  uint64_t fed, input48;
  int64_t packetno;
  unsigned preskip;
  float *pcm;
  size_t filled;
  SRC_STATE *src;
  float *in, *out;
  unsigned char packet[MAX_PACKET * MAX_CHANNELS];
} opus_enc;

static void pages(opus_enc *s, int flush) {
  ogg_page page;
  while (flush ? ogg_stream_flush(&s->os, &page) : ogg_stream_pageout(&s->os, &page)) {
    out_append(page.header, (size_t)page.header_len);
    out_append(page.body, (size_t)page.body_len);
  }
}

static void packet(opus_enc *s, unsigned char *bytes, long len, int64_t granule, int bos, int eos) {
  ogg_packet p = {bytes, len, bos, eos, granule, s->packetno++};
  if (ogg_stream_packetin(&s->os, &p) != 0) fail("libogg could not take an Opus packet");
}

/** Encodes the frame in s->pcm (zero-padded from s->filled); `last`: the stream's last. */
static void encode_frame(opus_enc *s, int last) {
  memset(s->pcm + s->filled * s->channels, 0, (s->frame - s->filled) * s->channels * sizeof(float));
  s->fed += s->frame;
  int n = opus_multistream_encode_float(s->enc, s->pcm, (int)s->frame, s->packet, (opus_int32)sizeof s->packet);
  if (n < 0) fail("libopus failed: %s", opus_strerror(n));
  // Granules count 48 kHz samples; the last is where the input ends, after the pre-skip.
  uint64_t scale = 48000 / s->rate, granule = s->fed * scale;
  if (last) granule = s->preskip + s->input48;
  packet(s, s->packet, n, (int64_t)granule, 0, last);
  pages(s, last);
  s->filled = 0;
}

static void feed(opus_enc *s, const float *buf, size_t frames) {
  while (frames > 0) {
    size_t n = s->frame - s->filled < frames ? s->frame - s->filled : frames;
    memcpy(s->pcm + s->filled * s->channels, buf, n * s->channels * sizeof(float));
    s->filled += n;
    buf += n * s->channels;
    frames -= n;
    if (s->filled == s->frame) encode_frame(s, 0);
  }
}

/** Resamples (or not) and feeds; `end`: flush the resampler. */
static void take(opus_enc *s, const float *in, size_t frames, int end, double ratio) {
  if (!s->src) {
    feed(s, in, frames);
    return;
  }
  size_t cap = BLOCK_FRAMES * 4;
  for (;;) {
    SRC_DATA d = {.data_in = in, .data_out = s->out, .input_frames = (long)frames, .output_frames = (long)cap,
                  .end_of_input = end, .src_ratio = ratio};
    int err = src_process(s->src, &d);
    if (err) fail("libsamplerate failed: %s", src_strerror(err));
    feed(s, s->out, (size_t)d.output_frames_gen);
    in += d.input_frames_used * s->channels;
    frames -= (size_t)d.input_frames_used;
    if (frames == 0 && (!end || d.output_frames_gen == 0)) break;
  }
}

static void opus_write(sink_t *sink, const double *buf, size_t frames) {
  opus_enc *s = sink->state;
  while (frames > 0) {
    size_t n = frames < BLOCK_FRAMES ? frames : BLOCK_FRAMES;
    for (size_t i = 0; i < n * s->channels; i++) s->in[i] = (float)buf[i];
    take(s, s->in, n, 0, (double)s->rate / sink->rate);
    sink->frames += n;
    buf += n * s->channels;
    frames -= n;
  }
}

static void opus_finish(sink_t *sink) {
  opus_enc *s = sink->state;
  take(s, s->in, 0, 1, (double)s->rate / sink->rate);
  s->input48 = sink->frames * 48000 / sink->rate;
  // Past the input's end by the lookahead, so its last samples come out of the encoder; the frame
  // that gets there is the last. One more (all padding) could start a page of its own, whose granule
  // position, trimming more than that page holds, is below the page's before it (RFC 7845 4.5).
  uint64_t scale = 48000 / s->rate;
  while ((s->fed + s->frame) * scale < s->preskip + s->input48) encode_frame(s, 0);
  encode_frame(s, 1);
}

static void put16(unsigned char *p, unsigned v) { p[0] = v & 0xff, p[1] = (v >> 8) & 0xff; }
static void put32(unsigned char *p, uint32_t v) { put16(p, v & 0xffff), put16(p + 2, v >> 16); }

void opus_sink_open(sink_t *sink) {
  opus_enc *s = calloc(1, sizeof *s);
  if (!s) fail("out of memory starting the Opus encoder");
  unsigned r = sink->rate;
  s->rate = r == 8000 || r == 12000 || r == 16000 || r == 24000 || r == 48000 ? r : 48000;
  s->channels = sink->channels;
  s->frame = s->rate / 50;
  int streams, coupled, err;
  unsigned char mapping[MAX_CHANNELS];
  int family = s->channels > 2;
  s->enc = opus_multistream_surround_encoder_create((opus_int32)s->rate, (int)s->channels, family, &streams, &coupled,
                                                     mapping, OPUS_APPLICATION_AUDIO, &err);
  if (!s->enc) fail("cannot start the Opus encoder: %s", opus_strerror(err));
  if (sink->opts.bitrate) opus_multistream_encoder_ctl(s->enc, OPUS_SET_BITRATE((opus_int32)sink->opts.bitrate));
  opus_int32 lookahead = 0;
  opus_multistream_encoder_ctl(s->enc, OPUS_GET_LOOKAHEAD(&lookahead));
  s->preskip = (unsigned)lookahead * (48000 / s->rate);
  if (s->rate != sink->rate) {
    s->src = src_new(SRC_SINC_MEDIUM_QUALITY, (int)s->channels, &err);
    if (!s->src) fail("cannot start libsamplerate: %s", src_strerror(err));
  }
  s->pcm = xmalloc(s->frame * s->channels * sizeof(float));
  s->in = xmalloc(BLOCK_FRAMES * s->channels * sizeof(float));
  s->out = xmalloc(BLOCK_FRAMES * 4 * s->channels * sizeof(float));
  ogg_stream_init(&s->os, SERIAL);
  unsigned char head[21 + MAX_CHANNELS];
  memcpy(head, "OpusHead", 8);
  head[8] = 1;
  head[9] = (unsigned char)s->channels;
  put16(head + 10, s->preskip);
  put32(head + 12, sink->rate);
  put16(head + 16, 0);
  head[18] = (unsigned char)family;
  long head_len = 19;
  if (family) {
    head[19] = (unsigned char)streams;
    head[20] = (unsigned char)coupled;
    memcpy(head + 21, mapping, s->channels);
    head_len = 21 + (long)s->channels;
  }
  packet(s, head, head_len, 0, 1, 0);
  pages(s, 1);
  const char *vendor = opus_get_version_string();
  size_t vendor_len = strlen(vendor);
  unsigned char *tags = xmalloc(16 + vendor_len);
  memcpy(tags, "OpusTags", 8);
  put32(tags + 8, (uint32_t)vendor_len);
  memcpy(tags + 12, vendor, vendor_len);
  put32(tags + 12 + vendor_len, 0);
  packet(s, tags, (long)(16 + vendor_len), 0, 0, 0);
  pages(s, 1);
  sink->write = opus_write;
  sink->finish = opus_finish;
  sink->state = s;
}
