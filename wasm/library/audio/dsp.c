// The methods that change the samples: resample (libsamplerate 0.2.2's sinc converters, Debian's
// source), normalize (a gain to a peak) and fft (kissfft 131.1.0's real FFT, Debian's source: the
// mean magnitude spectrum of Hann-windowed frames).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kiss_fftr.h>
#include <samplerate.h>

#include "audio.h"

void resample(source_t *src, sink_t *sink, int converter) {
  double ratio = (double)sink->rate / src->rate;
  if (ratio > 256 || ratio < 1.0 / 256)
    fail("cannot resample %u Hz to %u Hz: libsamplerate converts by at most 256 times", src->rate, sink->rate);
  int err = 0;
  SRC_STATE *state = src_new(converter, (int)src->channels, &err);
  if (!state) fail("cannot start libsamplerate: %s", src_strerror(err));
  size_t in_cap = BLOCK_FRAMES, out_cap = (size_t)(BLOCK_FRAMES * ratio) + 64;
  double *block = xmalloc(in_cap * src->channels * sizeof(double));
  float *in = xmalloc(in_cap * src->channels * sizeof(float));
  float *out = xmalloc(out_cap * src->channels * sizeof(float));
  double *result = xmalloc(out_cap * src->channels * sizeof(double));
  size_t have = 0, used = 0;
  int end = 0;
  for (;;) {
    if (used == have && !end) {
      have = src->read(src, block, in_cap);
      used = 0;
      end = have == 0;
      for (size_t i = 0; i < have * src->channels; i++) in[i] = (float)block[i];
    }
    SRC_DATA data = {
      .data_in = in + used * src->channels,
      .data_out = out,
      .input_frames = (long)(have - used),
      .output_frames = (long)out_cap,
      .end_of_input = end,
      .src_ratio = ratio,
    };
    if ((err = src_process(state, &data)) != 0) fail("libsamplerate failed: %s", src_strerror(err));
    used += (size_t)data.input_frames_used;
    size_t n = (size_t)data.output_frames_gen;
    for (size_t i = 0; i < n * src->channels; i++) result[i] = out[i];
    sink->write(sink, result, n);
    if (end && n == 0) break;
  }
  src_delete(state);
}

double peak(source_t *src) {
  double *block = xmalloc(BLOCK_FRAMES * src->channels * sizeof(double)), most = 0;
  size_t n;
  while ((n = src->read(src, block, BLOCK_FRAMES)) > 0)
    for (size_t i = 0; i < n * src->channels; i++) most = fmax(most, fabs(block[i]));
  free(block);
  return most;
}

void gain(source_t *src, sink_t *sink, double by) {
  double *block = xmalloc(BLOCK_FRAMES * src->channels * sizeof(double));
  size_t n;
  while ((n = src->read(src, block, BLOCK_FRAMES)) > 0) {
    for (size_t i = 0; i < n * src->channels; i++) block[i] *= by;
    sink->write(sink, block, n);
  }
  free(block);
}

static void print(int csv, double hz, double magnitude, int first) {
  char line[64];
  int n = csv ? snprintf(line, sizeof line, "%.6g,%.6g\n", hz, magnitude)
              : snprintf(line, sizeof line, "%s%.6g", first ? "" : ",", magnitude);
  out_append(line, (size_t)n);
}

typedef struct {
  kiss_fftr_cfg cfg;
  unsigned window, bins;
  float *frame, *hann;
  kiss_fft_cpx *bin;
  double *sum, norm;
  size_t frames;
} fft_state;

/** Adds the magnitudes of the frame, zero-padded from `filled`, to the sums. */
static void transform(fft_state *f, unsigned filled) {
  for (unsigned k = 0; k < f->window; k++) f->frame[k] = k < filled ? f->frame[k] * f->hann[k] : 0;
  kiss_fftr(f->cfg, f->frame, f->bin);
  for (unsigned k = 0; k < f->bins; k++) f->sum[k] += hypot(f->bin[k].r, f->bin[k].i) * 2 / f->norm;
  f->frames++;
}

/**
 * The mean magnitude spectrum of the channels' mean, over frames of `window` samples (the last
 * frame, if partial, zero-padded; an input shorter than a window is one), each Hann-windowed and
 * scaled so a full-scale sine at a bin's frequency reads 1 there. JSON: its rate, window, frames,
 * bin width and the `window / 2 + 1` magnitudes from 0 Hz; CSV: `frequency_hz,magnitude` rows.
 */
void spectrum(source_t *src, unsigned window, int csv) {
  fft_state f = {.window = window, .bins = window / 2 + 1};
  unsigned ch = src->channels;
  f.cfg = kiss_fftr_alloc((int)window, 0, NULL, NULL);
  if (!f.cfg) fail("out of memory for an FFT of %u", window);
  f.frame = xmalloc(window * sizeof(float));
  f.hann = xmalloc(window * sizeof(float));
  f.bin = xmalloc(f.bins * sizeof(kiss_fft_cpx));
  f.sum = calloc(f.bins, sizeof(double));
  if (!f.sum) fail("out of memory for the spectrum");
  for (unsigned i = 0; i < window; i++) f.norm += f.hann[i] = (float)(0.5 - 0.5 * cos(2 * M_PI * i / window));
  double *block = xmalloc(BLOCK_FRAMES * ch * sizeof(double));
  unsigned filled = 0;
  size_t n;
  while ((n = src->read(src, block, BLOCK_FRAMES)) > 0)
    for (size_t i = 0; i < n; i++) {
      double mono = 0;
      for (unsigned c = 0; c < ch; c++) mono += block[i * ch + c];
      f.frame[filled++] = (float)(mono / ch);
      if (filled == window) transform(&f, filled), filled = 0;
    }
  if (filled > 0 || f.frames == 0) transform(&f, filled);
  double hz = (double)src->rate / window;
  char head[160];
  if (csv)
    out_append("frequency_hz,magnitude\n", 23);
  else
    out_append(head, (size_t)snprintf(head, sizeof head,
                                      "{\"sample_rate\":%u,\"window\":%u,\"frames\":%zu,\"bin_hz\":%.9g,\"magnitude\":[",
                                      src->rate, window, f.frames, hz));
  for (unsigned k = 0; k < f.bins; k++) print(csv, k * hz, f.sum[k] / f.frames, k == 0);
  if (!csv) out_append("]}\n", 3);
  kiss_fftr_free(f.cfg);
}
