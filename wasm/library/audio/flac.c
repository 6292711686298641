// FLAC through libFLAC 1.4.2 (Debian's flac source): the stream decoder as a source, reading the
// input from memory; the stream encoder as a sink, writing the output and seeking back to patch
// STREAMINFO (its total samples and MD5) when it finishes.
#include <stdlib.h>
#include <string.h>

#include <FLAC/stream_decoder.h>
#include <FLAC/stream_encoder.h>

#include "audio.h"

typedef struct {
  FLAC__StreamDecoder *dec;
  input_t in;
  size_t pos;
  uint64_t total, decoded;
  unsigned bits, channels, rate;
  /** The last decoded block, and how much of it is handed over. */
  double *block;
  size_t frames, at, cap;
  int finished;
  const char *error;
} flac_dec;

static FLAC__StreamDecoderReadStatus on_read(const FLAC__StreamDecoder *d, FLAC__byte buf[], size_t *n, void *data) {
  (void)d;
  flac_dec *s = data;
  size_t left = s->in.len - s->pos;
  if (left == 0) {
    *n = 0;
    return FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM;
  }
  if (*n > left) *n = left;
  memcpy(buf, s->in.bytes + s->pos, *n);
  s->pos += *n;
  return FLAC__STREAM_DECODER_READ_STATUS_CONTINUE;
}

static FLAC__StreamDecoderWriteStatus on_write(const FLAC__StreamDecoder *d, const FLAC__Frame *frame,
                                               const FLAC__int32 *const channels[], void *data) {
  (void)d;
  flac_dec *s = data;
  unsigned nch = frame->header.channels, bits = frame->header.bits_per_sample;
  size_t n = frame->header.blocksize;
  if (bits != s->bits || nch != s->channels) {
    s->error = "a frame's channels or bits differ from the stream's";
    return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
  }
  if (n * nch > s->cap) {
    free(s->block);
    s->block = xmalloc(n * nch * sizeof(double));
    s->cap = n * nch;
  }
  double scale = 1.0 / (double)(1u << (bits - 1));
  for (size_t i = 0; i < n; i++)
    for (unsigned c = 0; c < nch; c++) s->block[i * nch + c] = channels[c][i] * scale;
  s->frames = n;
  s->at = 0;
  s->decoded += n;
  return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void on_metadata(const FLAC__StreamDecoder *d, const FLAC__StreamMetadata *m, void *data) {
  (void)d;
  flac_dec *s = data;
  if (m->type != FLAC__METADATA_TYPE_STREAMINFO) return;
  s->total = m->data.stream_info.total_samples;
  s->bits = m->data.stream_info.bits_per_sample;
  s->channels = m->data.stream_info.channels;
  s->rate = m->data.stream_info.sample_rate;
}

static void on_error(const FLAC__StreamDecoder *d, FLAC__StreamDecoderErrorStatus status, void *data) {
  (void)d;
  flac_dec *s = data;
  // "FLAC__STREAM_DECODER_ERROR_STATUS_LOST_SYNC": its last words.
  if (!s->error) s->error = FLAC__StreamDecoderErrorStatusString[status] + strlen("FLAC__STREAM_DECODER_ERROR_STATUS_");
}

static _Noreturn void truncated(const flac_dec *s) {
  fail("the FLAC stream is truncated: %llu of its %llu samples a channel are there", (unsigned long long)s->decoded,
       (unsigned long long)s->total);
}

static size_t flac_read(source_t *src, double *buf, size_t max) {
  flac_dec *s = src->state;
  while (s->at == s->frames) {
    if (s->finished) return 0;
    if (FLAC__stream_decoder_get_state(s->dec) == FLAC__STREAM_DECODER_END_OF_STREAM) {
      if (s->total && s->decoded != s->total) truncated(s);
      s->finished = 1;
      if (!FLAC__stream_decoder_finish(s->dec)) fail("the FLAC's samples do not match its MD5 signature");
      return 0;
    }
    if (!FLAC__stream_decoder_process_single(s->dec) || s->error) {
      if (s->pos == s->in.len) truncated(s);
      fail("cannot decode the FLAC stream at byte %zu: %s", s->pos, s->error ? s->error : "the decoder stopped");
    }
  }
  size_t n = s->frames - s->at < max ? s->frames - s->at : max;
  memcpy(buf, s->block + s->at * src->channels, n * src->channels * sizeof(double));
  s->at += n;
  return n;
}

void flac_open(source_t *src, input_t in) {
  flac_dec *s = xmalloc(sizeof *s);
  memset(s, 0, sizeof *s);
  s->in = in;
  s->dec = FLAC__stream_decoder_new();
  if (!s->dec) fail("out of memory starting the FLAC decoder");
  FLAC__stream_decoder_set_md5_checking(s->dec, true);
  if (FLAC__stream_decoder_init_stream(s->dec, on_read, NULL, NULL, NULL, NULL, on_write, on_metadata, on_error, s) !=
      FLAC__STREAM_DECODER_INIT_STATUS_OK)
    fail("cannot start the FLAC decoder");
  if (!FLAC__stream_decoder_process_until_end_of_metadata(s->dec) || s->error)
    fail("cannot read the FLAC header: %s", s->error ? s->error : "truncated");
  unsigned channels = s->channels, rate = s->rate;
  if (s->bits == 0) fail("the FLAC stream has no STREAMINFO");
  if (channels == 0 || channels > MAX_CHANNELS) fail("the FLAC says %u channels: 1 to %d are read", channels, MAX_CHANNELS);
  if (rate == 0 || rate > MAX_RATE) fail("the FLAC says a sample rate of %u Hz: 1 to %d are read", rate, MAX_RATE);
  if (s->bits < 4 || s->bits > 32) fail("the FLAC says %u bits a sample", s->bits);
  src->channels = channels;
  src->rate = rate;
  // A depth under 16 is kept at 16; 17 to 24 at 24.
  src->format = s->bits <= 16 ? S16 : s->bits <= 24 ? S24 : S32;
  src->codec = FLAC;
  src->length = s->total;
  src->read = flac_read;
  src->state = s;
}

typedef struct {
  FLAC__StreamEncoder *enc;
  uint64_t pos;
  FLAC__int32 *samples;
} flac_enc;

static FLAC__StreamEncoderWriteStatus enc_write(const FLAC__StreamEncoder *e, const FLAC__byte buf[], size_t n,
                                                uint32_t samples, uint32_t frame, void *data) {
  (void)e, (void)samples, (void)frame;
  flac_enc *s = data;
  out_write_at(s->pos, buf, n);
  s->pos += n;
  return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

static FLAC__StreamEncoderSeekStatus enc_seek(const FLAC__StreamEncoder *e, FLAC__uint64 at, void *data) {
  (void)e;
  ((flac_enc *)data)->pos = at;
  return FLAC__STREAM_ENCODER_SEEK_STATUS_OK;
}

static FLAC__StreamEncoderTellStatus enc_tell(const FLAC__StreamEncoder *e, FLAC__uint64 *at, void *data) {
  (void)e;
  *at = ((flac_enc *)data)->pos;
  return FLAC__STREAM_ENCODER_TELL_STATUS_OK;
}

static void enc_failed(flac_enc *s) {
  fail("the FLAC encoder failed: %s", FLAC__stream_encoder_get_resolved_state_string(s->enc));
}

static void flac_write(sink_t *sink, const double *buf, size_t frames) {
  flac_enc *s = sink->state;
  unsigned bits = format_bits(sink->opts.format);
  while (frames > 0) {
    size_t n = frames < BLOCK_FRAMES ? frames : BLOCK_FRAMES, count = n * sink->channels;
    for (size_t i = 0; i < count; i++) s->samples[i] = to_int(buf[i], bits);
    if (!FLAC__stream_encoder_process_interleaved(s->enc, s->samples, (uint32_t)n)) enc_failed(s);
    sink->frames += n;
    buf += count;
    frames -= n;
  }
}

static void flac_finish(sink_t *sink) {
  flac_enc *s = sink->state;
  if (!FLAC__stream_encoder_finish(s->enc)) enc_failed(s);
}

void flac_sink_open(sink_t *sink) {
  if (sink->opts.format == F32) fail("FLAC holds integer samples: sample_format f32 is WAV's only");
  flac_enc *s = xmalloc(sizeof *s);
  s->pos = 0;
  s->samples = xmalloc(BLOCK_FRAMES * MAX_CHANNELS * sizeof(FLAC__int32));
  s->enc = FLAC__stream_encoder_new();
  if (!s->enc) fail("out of memory starting the FLAC encoder");
  FLAC__StreamEncoder *e = s->enc;
  FLAC__stream_encoder_set_channels(e, sink->channels);
  FLAC__stream_encoder_set_bits_per_sample(e, format_bits(sink->opts.format));
  FLAC__stream_encoder_set_sample_rate(e, sink->rate);
  FLAC__stream_encoder_set_compression_level(e, sink->opts.compression);
  if (FLAC__stream_encoder_init_stream(e, enc_write, enc_seek, enc_tell, NULL, s) !=
      FLAC__STREAM_ENCODER_INIT_STATUS_OK)
    enc_failed(s);
  sink->write = flac_write;
  sink->finish = flac_finish;
  sink->state = s;
}
