// How much audio a unit can work through: a unit has 20 G fuel (docs/UNIT_ABI.md), which runs out
// partway through a long file, after both providers have burnt it. So each method's cost a sample
// is estimated (fuel measured under the node's metering on 10 s of 48 kHz stereo pink noise, with a
// margin) and an input past the budget is refused up front, from its header, or as soon as its
// decoded samples pass it (where the header does not say, or says less): split the file.
#include <math.h>

#include "audio.h"

/** The fuel a unit's estimate may reach: 14 G of its 20 G. */
#define FUEL_BUDGET 14e9

/** Fuel to decode a sample, by codec (WAV, FLAC, Vorbis, MP3). */
static const double DECODE[] = {250, 500, 900, 900};
/** Fuel to encode a sample as FLAC at each compression level; WAV's is WAV_WRITE. */
static const double FLAC_LEVEL[] = {700, 800, 900, 1000, 1300, 1500, 2200, 3200, 5200};
#define WAV_WRITE 100
/** Fuel to encode a sample as Opus (complexity 10, libopus's default; most at low bitrates), and to resample it first to 48 kHz. */
#define OPUS 8000
#define OPUS_RESAMPLE 3000
/** libsamplerate's fuel an input sample at a ratio of at most 1 (best, medium, fastest); times the ratio above. */
static const double RESAMPLE[] = {8500, 2900, 1300};

double decode_cost(const source_t *src) { return DECODE[src->codec]; }

double encode_cost(sink_opts_t opts, unsigned rate) {
  if (opts.container == OUT_FLAC) return FLAC_LEVEL[opts.compression];
  if (opts.container == OUT_WAV) return WAV_WRITE;
  int native = rate == 8000 || rate == 12000 || rate == 16000 || rate == 24000 || rate == 48000;
  return OPUS + (native ? 0 : OPUS_RESAMPLE);
}

double resample_cost(int quality, double ratio) { return RESAMPLE[quality] * (ratio > 1 ? ratio : 1); }

double fft_cost(unsigned window) { return 70 * log2(window); }

static const char *method_;
static uint64_t most, seen;
static size_t (*read_)(source_t *, double *, size_t);

/** Refuses the input of `samples` samples (`more`: and more, not yet decoded). */
static _Noreturn void over(const source_t *src, uint64_t samples, int more) {
  double per_second = (double)src->channels * src->rate;
  fail("the input is %s%.1f s of %u channels at %u Hz: %s takes at most %.1f s of it a unit (a unit's fuel): "
       "split the file",
       more ? "over " : "", samples / per_second, src->channels, src->rate, method_, most / per_second);
}

static size_t counted(source_t *src, double *buf, size_t max) {
  size_t n = read_(src, buf, max);
  seen += (uint64_t)n * src->channels;
  if (seen > most) over(src, seen, 1);
  return n;
}

void budget(source_t *src, const char *method, double per_sample) {
  method_ = method;
  most = (uint64_t)(FUEL_BUDGET / per_sample);
  seen = 0;
  if (src->length && src->length * src->channels > most) over(src, src->length * src->channels, 0);
  read_ = src->read;
  src->read = counted;
}
