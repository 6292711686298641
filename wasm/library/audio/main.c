// The audio library as a WASI program: decode (WAV, FLAC, Ogg Vorbis, MP3 → WAV), encode (WAV, FLAC
// or Ogg Opus), resample, normalize and fft, built by scripts/build-library.mjs from libFLAC 1.4.2,
// libvorbis 1.3.7 and libogg 1.3.5, mpg123 1.31.2, libopus 1.3.1, libsamplerate 0.2.2 and kissfft
// 131.1.0 (Debian 12's source packages); WAV is read and written here (wav.c).
//
// argv: audio METHOD [NAME=VALUE]…: the node checks every param before a unit runs
// (core/library/audio-methods.ts); the program checks them again. The input is stdin, the result
// stdout. A refusal is exit 2 with `audio: <message>` on stdout (what the nodes compare and send
// back) and stderr.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <samplerate.h>

#include "audio.h"

void resample(source_t *src, sink_t *sink, int converter);
double peak(source_t *src);
void gain(source_t *src, sink_t *sink, double by);
void spectrum(source_t *src, unsigned window, int csv);
double decode_cost(const source_t *src);
double encode_cost(sink_opts_t opts, unsigned rate);
double resample_cost(int quality, double ratio);
double fft_cost(unsigned window);
void budget(source_t *src, const char *method, double per_sample);

static int argc_;
static char **argv_;

/** The value of NAME=VALUE, or NULL. */
static const char *param(const char *name) {
  size_t len = strlen(name);
  for (int i = 2; i < argc_; i++)
    if (strncmp(argv_[i], name, len) == 0 && argv_[i][len] == '=') return argv_[i] + len + 1;
  return NULL;
}

static long int_param(const char *name, long lo, long hi, long fallback) {
  const char *v = param(name);
  if (!v) return fallback;
  char *end;
  long n = strtol(v, &end, 10);
  if (*v == '\0' || *end != '\0' || n < lo || n > hi) fail("param %s must be an integer from %ld to %ld", name, lo, hi);
  return n;
}

/** The index of the param's value in `names` (NULL-terminated), or `fallback` when it is absent. */
static int choice(const char *name, const char *const *names, int fallback) {
  const char *v = param(name);
  if (!v) return fallback;
  for (int i = 0; names[i]; i++)
    if (strcmp(v, names[i]) == 0) return i;
  fail("param %s is not one of its values: \"%s\"", name, v);
}

void source_open(source_t *src, input_t in) {
  const uint8_t *b = in.bytes;
  if (in.len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WAVE", 4) == 0)
    wav_open(src, in);
  else if (in.len >= 4 && memcmp(b, "fLaC", 4) == 0)
    flac_open(src, in);
  else if (in.len >= 4 && memcmp(b, "OggS", 4) == 0)
    vorbis_open(src, in);
  else if ((in.len >= 3 && memcmp(b, "ID3", 3) == 0) || (in.len >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0))
    mp3_open(src, in);
  else
    fail("the input is not WAV, FLAC, Ogg Vorbis or MP3 (by its first bytes)");
}

static const char *const SAMPLE_FORMATS[] = {"s16", "s24", "s32", "f32", NULL};
static const char *const FORMATS[] = {"wav", "flac", "opus", NULL};

/** The output's options from the params: format (wav by default), compression_level, sample_format, bitrate. */
static sink_opts_t sink_opts(const source_t *src) {
  sink_opts_t o;
  o.container = (container_t)choice("format", FORMATS, OUT_WAV);
  o.format = (sample_format_t)choice("sample_format", SAMPLE_FORMATS, (int)src->format);
  o.compression = (unsigned)int_param("compression_level", 0, 8, 5);
  o.bitrate = (unsigned)int_param("bitrate", 6000, 512000, 0);
  if (param("compression_level") && o.container != OUT_FLAC) fail("param compression_level is FLAC's");
  if (param("bitrate") && o.container != OUT_OPUS) fail("param bitrate is Opus's");
  if (param("sample_format") && o.container == OUT_OPUS) fail("param sample_format is WAV's and FLAC's: Opus codes floats");
  return o;
}

void sink_open(sink_t *sink, unsigned channels, unsigned rate, sink_opts_t opts) {
  memset(sink, 0, sizeof *sink);
  sink->channels = channels;
  sink->rate = rate;
  sink->opts = opts;
  if (opts.container == OUT_FLAC)
    flac_sink_open(sink);
  else if (opts.container == OUT_OPUS)
    opus_sink_open(sink);
  else
    wav_sink_open(sink);
}

/** Every frame of the source into the sink, unchanged. */
static void copy(source_t *src, sink_t *sink) { gain(src, sink, 1.0); }

int main(int argc, char **argv) {
  argc_ = argc;
  argv_ = argv;
  const char *method = argc > 1 ? argv[1] : "";
  input_t in = read_input();
  source_t src;
  sink_t sink;
  source_open(&src, in);
  if (strcmp(method, "decode") == 0) {
    if (param("format") || param("compression_level") || param("bitrate"))
      fail("decode writes WAV: encode writes FLAC or Opus");
    sink_opts_t opts = sink_opts(&src);
    budget(&src, method, decode_cost(&src) + encode_cost(opts, src.rate));
    sink_open(&sink, src.channels, src.rate, opts);
    copy(&src, &sink);
  } else if (strcmp(method, "encode") == 0) {
    if (!param("format")) fail("param format is missing");
    sink_opts_t opts = sink_opts(&src);
    budget(&src, method, decode_cost(&src) + encode_cost(opts, src.rate));
    sink_open(&sink, src.channels, src.rate, opts);
    copy(&src, &sink);
  } else if (strcmp(method, "resample") == 0) {
    static const char *const QUALITIES[] = {"best", "medium", "fastest", NULL};
    static const int CONVERTERS[] = {SRC_SINC_BEST_QUALITY, SRC_SINC_MEDIUM_QUALITY, SRC_SINC_FASTEST};
    if (!param("rate")) fail("param rate is missing");
    unsigned rate = (unsigned)int_param("rate", 1000, MAX_RATE, 0);
    int quality = choice("quality", QUALITIES, 1);
    sink_opts_t opts = sink_opts(&src);
    double ratio = (double)rate / src.rate;
    budget(&src, method, decode_cost(&src) + resample_cost(quality, ratio) + ratio * encode_cost(opts, rate));
    sink_open(&sink, src.channels, rate, opts);
    resample(&src, &sink, CONVERTERS[quality]);
  } else if (strcmp(method, "normalize") == 0) {
    const char *v = param("peak_db");
    char *end;
    double db = v ? strtod(v, &end) : 1;
    if (!v || *v == '\0' || *end != '\0' || !(db >= -60 && db <= 0)) fail("param peak_db must be a number from -60 to 0");
    sink_opts_t opts = sink_opts(&src);
    // Decoded twice: for the peak, then for the gain.
    double cost = 2 * decode_cost(&src) + encode_cost(opts, src.rate);
    budget(&src, method, cost);
    double most = peak(&src);
    source_open(&src, in);
    budget(&src, method, cost);
    sink_open(&sink, src.channels, src.rate, opts);
    // Silence stays silence.
    gain(&src, &sink, most > 0 ? pow(10, db / 20) / most : 1.0);
  } else if (strcmp(method, "fft") == 0) {
    static const char *const OUTPUTS[] = {"json", "csv", NULL};
    if (!param("window")) fail("param window is missing");
    long window = int_param("window", 64, 65536, 0);
    if (window & (window - 1)) fail("param window must be a power of two from 64 to 65536");
    budget(&src, method, decode_cost(&src) + fft_cost((unsigned)window));
    spectrum(&src, (unsigned)window, choice("format", OUTPUTS, 0));
    out_flush();
    return 0;
  } else {
    fail("unknown method \"%s\": decode, encode, resample, normalize or fft", method);
  }
  sink.finish(&sink);
  out_flush();
  return 0;
}
