// The audio program's parts (main.c): its input and output in memory, a source of decoded frames
// (WAV, FLAC, Ogg Vorbis, MP3) and a sink that encodes them (WAV, FLAC, Ogg Opus). Samples travel between
// them as interleaved doubles in [-1, 1): exact for every integer depth up to 32 bits and for
// 32-bit floats, so decoding and encoding at the source's depth changes no sample.
#ifndef AUDIO_H
#define AUDIO_H

#include <stddef.h>
#include <stdint.h>

/** The most bytes of output a unit writes: refused past it (the unit's memory holds it whole). */
#define MAX_OUTPUT_BYTES (32u << 20)
/** The most bytes of input: what a unit may be given. */
#define MAX_INPUT_BYTES (16u << 20)
/** Frames a source hands over at a time. */
#define BLOCK_FRAMES 4096
#define MAX_CHANNELS 8
#define MAX_RATE 768000

/** Ends the program with exit code 2 and `audio: <message>` on stdout and stderr. */
_Noreturn void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xmalloc(size_t n);

/** The whole of stdin (at most MAX_INPUT_BYTES). */
typedef struct {
  const uint8_t *bytes;
  size_t len;
} input_t;
input_t read_input(void);

/** The output, in blocks, written at any position (a WAV's or FLAC's header is patched at the end). */
void out_write_at(uint64_t pos, const void *bytes, size_t n);
void out_append(const void *bytes, size_t n);
uint64_t out_length(void);
void out_flush(void);

/** How samples are stored: integer PCM of 16, 24 or 32 bits, or 32-bit float. */
typedef enum { S16, S24, S32, F32 } sample_format_t;
unsigned format_bits(sample_format_t f);

typedef enum { WAV, FLAC, VORBIS, MP3 } codec_t;

typedef struct source {
  codec_t codec;
  unsigned channels, rate;
  /** Frames in all, from the header (an MP3's estimated); 0 where it does not say. */
  uint64_t length;
  /** The format that keeps every sample as it was: the file's own, S16 for the lossy codecs. */
  sample_format_t format;
  /** Up to `max` frames into `buf` (channels × max doubles); 0 at the end. */
  size_t (*read)(struct source *, double *buf, size_t max);
  void *state;
} source_t;

/** Opens WAV, FLAC, Ogg Vorbis or MP3 by its first bytes, its header checked; else fails. */
void source_open(source_t *src, input_t in);
/** Each format's source: its header read and checked, else a refusal. */
void wav_open(source_t *src, input_t in);
void flac_open(source_t *src, input_t in);
void vorbis_open(source_t *src, input_t in);
void mp3_open(source_t *src, input_t in);

typedef enum { OUT_WAV, OUT_FLAC, OUT_OPUS } container_t;

typedef struct {
  container_t container;
  /** WAV's and FLAC's sample format; FLAC's compression level; Opus's bits a second (0: libopus's choice). */
  sample_format_t format;
  unsigned compression, bitrate;
} sink_opts_t;

typedef struct sink {
  unsigned channels, rate;
  sink_opts_t opts;
  void (*write)(struct sink *, const double *buf, size_t frames);
  void (*finish)(struct sink *);
  void *state;
  uint64_t frames;
} sink_t;

void sink_open(sink_t *sink, unsigned channels, unsigned rate, sink_opts_t opts);
void wav_sink_open(sink_t *sink);
void flac_sink_open(sink_t *sink);
void opus_sink_open(sink_t *sink);

/** A sample as a `bits`-bit integer: rounded, clamped to the range. */
static inline int32_t to_int(double x, unsigned bits) {
  double scale = (double)(1u << (bits - 1));
  double v = x * scale;
  v = v < 0 ? v - 0.5 : v + 0.5;
  if (v >= scale - 1) return (int32_t)(scale - 1);
  if (v <= -scale) return (int32_t)-scale;
  return (int32_t)v;
}

#endif
