// The video library as a WASI program: libvpx 1.12.0 (Debian 12's source, its patches applied) for
// VP8, libwebm 1.0.0.29 (mkvmuxer writes the WebM, mkvparser reads it) and stb_image /
// stb_image_write (Debian's libstb) for the frames. Built by scripts/library/video.mjs.
//
// argv: video METHOD [NAME=VALUE]…: the node checks every param before a unit runs (algorithms.ts,
// core/library/video-methods.ts); this program checks them again.
//   encode fps=N [bitrate=KBITS | quality=CQ] [keyframe_interval=N]: stdin is an uncompressed
//     tar of PNG or JPEG frames, taken in the order of their names; stdout the WebM (VP8).
//   frames: stdin is a WebM (VP8); stdout an uncompressed tar of PNG frames, frame-000001.png….
// A refusal is exit 2 with its message on stdout (what the nodes compare and send back) and stderr.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "mkvmuxer/mkvmuxer.h"
#include "mkvparser/mkvparser.h"
#include "stb_image.h"
#include "stb_image_write.h"
#include "vpx/vp8cx.h"
#include "vpx/vp8dx.h"
#include "vpx/vpx_decoder.h"
#include "vpx/vpx_encoder.h"
// After the public headers: its vpx_internal_error_info is where longjmp finds the error.
#include "vpx/internal/vpx_codec_internal.h"

static const int MAX_SIDE = 4096;
static const long MAX_PIXELS = 2048L * 1024;
static const size_t MAX_FRAMES = 10000;
// What one unit's fuel (20·10⁹) encodes with room to spare: at realtime speed 8, the frames
// decoded from JPEG, 1,800 fuel a pixel of a frame at 1000 kbit/s and 3,300 at quality 4, the most
// (20 frames of 640×360, 80 of 320×180, 2 of 1920×1080).
static const long long MAX_PIXEL_FRAMES = 4608000;
// What frames decodes and writes as PNG in a unit's fuel: stb's deflate costs about 4,400 fuel a
// pixel of a noisy frame (15 frames of 640×360, 60 of 320×180).
static const long long MAX_DECODED_PIXEL_FRAMES = 3456000;

// libvpx reports an error by longjmp to where setjmp armed its return (vpx_internal_error); this
// build's setjmp arms nothing (setjmp.h), so the error ends the program with libvpx's message.
extern "C" _Noreturn void longjmp(jmp_buf env, int val) {
  const vpx_internal_error_info *info = reinterpret_cast<const vpx_internal_error_info *>(
      reinterpret_cast<const char *>(env) - offsetof(vpx_internal_error_info, jmp));
  fail("libvpx: %s%s%s", vpx_codec_err_to_string(static_cast<vpx_codec_err_t>(val)), info->has_detail ? ": " : "",
       info->has_detail ? info->detail : "");
}

// Param NAME as an integer in [lo, hi]; `fallback` when absent (-1: none).
static long param(int argc, char **argv, const char *name, long lo, long hi, long fallback) {
  size_t len = strlen(name);
  for (int i = 2; i < argc; i++) {
    if (strncmp(argv[i], name, len) != 0 || argv[i][len] != '=') continue;
    char *end;
    long value = strtol(argv[i] + len + 1, &end, 10);
    if (*end != '\0' || end == argv[i] + len + 1 || value < lo || value > hi)
      fail("param %s must be an integer in %ld..%ld", name, lo, hi);
    return value;
  }
  return fallback;
}

// ---- encode ----

// mkvmuxer's output, held whole: it seeks back to write sizes, cues and the duration.
class MemoryWriter : public mkvmuxer::IMkvWriter {
 public:
  std::vector<uint8_t> bytes;
  int64_t pos = 0;
  mkvmuxer::int32 Write(const void *buf, mkvmuxer::uint32 len) override {
    if (static_cast<size_t>(pos) + len > MAX_OUTPUT) fail("the video passes %zu bytes, a unit's most", MAX_OUTPUT);
    if (bytes.size() < static_cast<size_t>(pos) + len) bytes.resize(static_cast<size_t>(pos) + len);
    memcpy(bytes.data() + pos, buf, len);
    pos += len;
    return 0;
  }
  mkvmuxer::int64 Position() const override { return pos; }
  mkvmuxer::int32 Position(mkvmuxer::int64 p) override {
    pos = p;
    return 0;
  }
  bool Seekable() const override { return true; }
  void ElementStartNotify(mkvmuxer::uint64, mkvmuxer::int64) override {}
};

static void check(vpx_codec_ctx_t *codec, vpx_codec_err_t err, const char *what) {
  if (err != VPX_CODEC_OK) fail("libvpx could not %s: %s %s", what, vpx_codec_error(codec), vpx_codec_error_detail(codec) ?: "");
}

static void encode(int argc, char **argv) {
  const long fps = param(argc, argv, "fps", 1, 240, 24);
  const long bitrate = param(argc, argv, "bitrate", 16, 100000, -1);
  const long quality = param(argc, argv, "quality", 4, 63, -1);
  const long keyframes = param(argc, argv, "keyframe_interval", 1, 10000, 120);
  if (bitrate >= 0 && quality >= 0) fail("params bitrate and quality exclude each other");

  std::vector<uint8_t> in = read_all();
  std::vector<Entry> frames = tar_entries(in);
  if (frames.empty()) fail("the archive holds no frames");
  if (frames.size() > MAX_FRAMES) fail("the archive holds %zu frames, over %zu", frames.size(), MAX_FRAMES);
  int w = 0, h = 0;
  for (const Entry &f : frames) {
    int fw, fh, comp;
    if (f.size > INT32_MAX || !stbi_info_from_memory(&in[f.offset], static_cast<int>(f.size), &fw, &fh, &comp)) {
      // stb refuses a PNG over 1 GiB of pixels without its size: read that from the IHDR.
      static const uint8_t PNG[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
      if (f.size < 24 || memcmp(&in[f.offset], PNG, 16) != 0)
        fail("%s is not a PNG or JPEG image (%s)", f.name.c_str(), stbi_failure_reason());
      const uint8_t *p = &in[f.offset + 16];
      fw = static_cast<int>((p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]) & 0x7fffffff);
      fh = static_cast<int>((p[4] << 24 | p[5] << 16 | p[6] << 8 | p[7]) & 0x7fffffff);
    }
    if (&f == &frames[0]) {
      if (fw > MAX_SIDE || fh > MAX_SIDE || static_cast<long>(fw) * fh > MAX_PIXELS)
        fail("%s is %d×%d: a frame is at most %d pixels a side and %ld pixels", f.name.c_str(), fw, fh, MAX_SIDE,
             MAX_PIXELS);
      w = fw, h = fh;
    } else if (fw != w || fh != h) {
      fail("%s is %d×%d, but %s is %d×%d: every frame must be the same size", f.name.c_str(), fw, fh,
           frames[0].name.c_str(), w, h);
    }
  }

  if (static_cast<long long>(w) * h * static_cast<long long>(frames.size()) > MAX_PIXEL_FRAMES)
    fail("%zu frames of %d×%d are over a unit's %lld pixels of frames: encode fewer or smaller frames a unit",
         frames.size(), w, h, MAX_PIXEL_FRAMES);

  vpx_codec_enc_cfg_t cfg;
  vpx_codec_ctx_t codec;
  if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0) != VPX_CODEC_OK) fail("libvpx has no VP8 encoder");
  cfg.g_w = static_cast<unsigned>(w);
  cfg.g_h = static_cast<unsigned>(h);
  cfg.g_threads = 1;
  cfg.g_timebase = {1, static_cast<int>(fps)};
  cfg.g_pass = VPX_RC_ONE_PASS;
  cfg.g_lag_in_frames = 0;
  cfg.g_error_resilient = 0;
  cfg.rc_dropframe_thresh = 0;
  // Quality is one quantizer for every frame (VP8 has no constant-quality rate control of its own).
  cfg.rc_end_usage = VPX_VBR;
  cfg.rc_target_bitrate = static_cast<unsigned>(bitrate >= 0 ? bitrate : 1000);
  cfg.rc_min_quantizer = static_cast<unsigned>(quality >= 0 ? quality : 0);
  cfg.rc_max_quantizer = static_cast<unsigned>(quality >= 0 ? quality : 63);
  cfg.kf_mode = VPX_KF_AUTO;
  cfg.kf_min_dist = 0;
  cfg.kf_max_dist = static_cast<unsigned>(keyframes);
  check(&codec, vpx_codec_enc_init(&codec, vpx_codec_vp8_cx(), &cfg, 0), "start the encoder");
  // Realtime at speed 8, fixed (a negative cpu-used: a positive one would pick speeds by the clock).
  check(&codec, vpx_codec_control(&codec, VP8E_SET_CPUUSED, -8), "set the speed");
  check(&codec, vpx_codec_control(&codec, VP8E_SET_ENABLEAUTOALTREF, 0), "turn off alt-ref frames");

  MemoryWriter writer;
  mkvmuxer::Segment segment;
  if (!segment.Init(&writer)) fail("libwebm could not start the WebM");
  segment.set_mode(mkvmuxer::Segment::kFile);
  segment.GetSegmentInfo()->set_writing_app("mesh video (libvpx 1.12.0, libwebm 1.0.0.29)");
  segment.GetSegmentInfo()->set_muxing_app("libwebm 1.0.0.29");
  const uint64_t track = segment.AddVideoTrack(w, h, 1);
  auto *video = static_cast<mkvmuxer::VideoTrack *>(segment.GetTrackByNumber(track));
  if (track == 0 || video == nullptr) fail("libwebm could not add the video track");
  video->set_uid(1);  // not a random one: every node writes the same bytes
  video->set_codec_id(mkvmuxer::Tracks::kVp8CodecId);
  video->set_frame_rate(static_cast<double>(fps));
  segment.CuesTrack(track);

  const uint64_t frame_ns = 1000000000ull / static_cast<uint64_t>(fps);
  std::vector<uint8_t> pending;
  uint64_t pending_ns = 0;
  bool pending_key = false;
  size_t packets = 0;
  auto add = [&](bool last) {
    mkvmuxer::Frame frame;
    if (!frame.Init(pending.data(), pending.size())) fail("libwebm could not take a frame");
    frame.set_track_number(track);
    frame.set_timestamp(pending_ns);
    frame.set_is_key(pending_key);
    if (last) frame.set_duration(frame_ns);
    if (!segment.AddGenericFrame(&frame)) fail("libwebm could not add a frame");
  };
  auto drain = [&]() {
    vpx_codec_iter_t iter = nullptr;
    while (const vpx_codec_cx_pkt_t *pkt = vpx_codec_get_cx_data(&codec, &iter)) {
      if (pkt->kind != VPX_CODEC_CX_FRAME_PKT) continue;
      if (packets++ > 0) add(false);
      const uint8_t *data = static_cast<const uint8_t *>(pkt->data.frame.buf);
      pending.assign(data, data + pkt->data.frame.sz);
      pending_ns = static_cast<uint64_t>(pkt->data.frame.pts) * 1000000000ull / static_cast<uint64_t>(fps);
      pending_key = (pkt->data.frame.flags & VPX_FRAME_IS_KEY) != 0;
    }
  };

  vpx_image_t *img = vpx_img_alloc(nullptr, VPX_IMG_FMT_I420, static_cast<unsigned>(w), static_cast<unsigned>(h), 16);
  if (!img) fail("out of memory for a %d×%d frame", w, h);
  for (size_t i = 0; i < frames.size(); i++) {
    int fw, fh, comp;
    stbi_uc *rgb = stbi_load_from_memory(&in[frames[i].offset], static_cast<int>(frames[i].size), &fw, &fh, &comp, 3);
    if (!rgb) fail("cannot decode %s: %s", frames[i].name.c_str(), stbi_failure_reason());
    rgb_to_i420(rgb, w, h, img);
    stbi_image_free(rgb);
    check(&codec, vpx_codec_encode(&codec, img, static_cast<vpx_codec_pts_t>(i), 1, 0, VPX_DL_REALTIME),
          "encode a frame");
    drain();
  }
  check(&codec, vpx_codec_encode(&codec, nullptr, 0, 1, 0, VPX_DL_REALTIME), "flush the encoder");
  drain();
  if (packets != frames.size()) fail("libvpx gave %zu frames for %zu", packets, frames.size());
  add(true);
  vpx_img_free(img);
  vpx_codec_destroy(&codec);
  if (!segment.Finalize()) fail("libwebm could not finish the WebM");
  put(writer.bytes.data(), writer.bytes.size());
}

// ---- frames ----

class MemoryReader : public mkvparser::IMkvReader {
 public:
  explicit MemoryReader(const std::vector<uint8_t> &b) : bytes(b) {}
  int Read(long long pos, long len, unsigned char *buf) override {
    if (pos < 0 || len < 0 || static_cast<size_t>(pos) + static_cast<size_t>(len) > bytes.size()) return -1;
    memcpy(buf, bytes.data() + pos, static_cast<size_t>(len));
    return 0;
  }
  int Length(long long *total, long long *available) override {
    if (total) *total = static_cast<long long>(bytes.size());
    if (available) *available = static_cast<long long>(bytes.size());
    return 0;
  }

 private:
  const std::vector<uint8_t> &bytes;
};

static void png_out(void *context, void *data, int size) {
  auto *out = static_cast<std::vector<uint8_t> *>(context);
  out->insert(out->end(), static_cast<uint8_t *>(data), static_cast<uint8_t *>(data) + size);
}

static void frames() {
  // One PNG filter for every row (Paeth) and stb's fastest deflate: trying all five filters a row,
  // as stb does by default, costs several times the fuel for a few percent of size.
  stbi_write_force_png_filter = 4;
  stbi_write_png_compression_level = 5;
  std::vector<uint8_t> in = read_all();
  MemoryReader reader(in);
  long long pos = 0;
  mkvparser::EBMLHeader ebml;
  if (ebml.Parse(&reader, pos) < 0) fail("the input is not a WebM (no EBML header)");
  if (!ebml.m_docType || (strcmp(ebml.m_docType, "webm") != 0 && strcmp(ebml.m_docType, "matroska") != 0))
    fail("the input is not a WebM (its document type is not webm)");
  mkvparser::Segment *parsed = nullptr;
  if (mkvparser::Segment::CreateInstance(&reader, pos, parsed) != 0 || !parsed)
    fail("the WebM is malformed or truncated (no segment)");
  std::unique_ptr<mkvparser::Segment> segment(parsed);
  // The segment's size as its header says it (mkvparser takes a size past the input's end as unknown).
  static const uint8_t SEGMENT_ID[4] = {0x18, 0x53, 0x80, 0x67};
  if (static_cast<size_t>(pos) + 5 <= in.size() && memcmp(&in[static_cast<size_t>(pos)], SEGMENT_ID, 4) == 0) {
    const uint8_t first = in[static_cast<size_t>(pos) + 4];
    const int len = first == 0 ? 9 : __builtin_clz(first) - 23;
    if (len <= 8 && static_cast<size_t>(pos) + 4 + len <= in.size()) {
      uint64_t size = first & (0xffu >> len), unknown = (1ull << (7 * len)) - 1;
      for (int i = 1; i < len; i++) size = size << 8 | in[static_cast<size_t>(pos) + 4 + i];
      const uint64_t end = static_cast<uint64_t>(pos) + 4 + len + size;
      if (size != unknown && end > in.size()) fail("the WebM is truncated: its segment ends at byte %llu, the input at %zu", static_cast<unsigned long long>(end), in.size());
    }
  }
  if (segment->Load() < 0) fail("the WebM is malformed or truncated");
  const mkvparser::Tracks *tracks = segment->GetTracks();
  const mkvparser::VideoTrack *video = nullptr;
  for (unsigned long i = 0; tracks && i < tracks->GetTracksCount() && !video; i++) {
    const mkvparser::Track *t = tracks->GetTrackByIndex(i);
    if (t && t->GetType() == mkvparser::Track::kVideo) video = static_cast<const mkvparser::VideoTrack *>(t);
  }
  if (!video) fail("the WebM has no video track");
  if (!video->GetCodecId() || strcmp(video->GetCodecId(), "V_VP8") != 0)
    fail("the video is %s: this program decodes VP8 (V_VP8)", video->GetCodecId() ? video->GetCodecId() : "of no codec");
  if (video->GetWidth() > MAX_SIDE || video->GetHeight() > MAX_SIDE ||
      video->GetWidth() * video->GetHeight() > MAX_PIXELS)
    fail("the video is %lld×%lld: a frame is at most %d pixels a side and %ld pixels", video->GetWidth(),
         video->GetHeight(), MAX_SIDE, MAX_PIXELS);

  // The frames counted before any is decoded: refused at once when too many for a unit.
  long long total = 0;
  for (const mkvparser::Cluster *c = segment->GetFirst(); c && !c->EOS(); c = segment->GetNext(c)) {
    const mkvparser::BlockEntry *entry = nullptr;
    if (c->GetFirst(entry) < 0) fail("the WebM is malformed or truncated (a cluster)");
    while (entry && !entry->EOS()) {
      if (entry->GetBlock()->GetTrackNumber() == video->GetNumber()) total += entry->GetBlock()->GetFrameCount();
      if (c->GetNext(entry, entry) < 0) fail("the WebM is malformed or truncated (a block)");
    }
  }
  if (total * video->GetWidth() * video->GetHeight() > MAX_DECODED_PIXEL_FRAMES)
    fail("%lld frames of %lld×%lld are over a unit's %lld pixels of frames: cut the video shorter", total,
         video->GetWidth(), video->GetHeight(), MAX_DECODED_PIXEL_FRAMES);

  vpx_codec_ctx_t codec;
  vpx_codec_dec_cfg_t cfg = {1, 0, 0};
  check(&codec, vpx_codec_dec_init(&codec, vpx_codec_vp8_dx(), &cfg, 0), "start the decoder");
  size_t count = 0;
  std::vector<uint8_t> data, png;
  auto emit = [&]() {
    vpx_codec_iter_t iter = nullptr;
    while (vpx_image_t *img = vpx_codec_get_frame(&codec, &iter)) {
      if (++count > MAX_FRAMES) fail("the video has over %zu frames", MAX_FRAMES);
      std::vector<uint8_t> rgb = i420_to_rgb(img);
      png.clear();
      int w = static_cast<int>(img->d_w), h = static_cast<int>(img->d_h);
      if (!stbi_write_png_to_func(png_out, &png, w, h, 3, rgb.data(), w * 3)) fail("cannot write frame %zu", count);
      char name[32];
      snprintf(name, sizeof name, "frame-%06zu.png", count);
      tar_put(name, png);
    }
  };
  for (const mkvparser::Cluster *cluster = segment->GetFirst(); cluster && !cluster->EOS();
       cluster = segment->GetNext(cluster)) {
    const mkvparser::BlockEntry *entry = nullptr;
    if (cluster->GetFirst(entry) < 0) fail("the WebM is malformed or truncated (a cluster)");
    while (entry && !entry->EOS()) {
      const mkvparser::Block *block = entry->GetBlock();
      if (block->GetTrackNumber() == video->GetNumber())
        for (int i = 0; i < block->GetFrameCount(); i++) {
          const mkvparser::Block::Frame &frame = block->GetFrame(i);
          if (frame.len <= 0 || frame.len > static_cast<long>(MAX_INPUT)) fail("the WebM holds a frame of %ld bytes", frame.len);
          data.resize(static_cast<size_t>(frame.len));
          if (frame.Read(&reader, data.data()) != 0) fail("the WebM is truncated (a frame past its end)");
          check(&codec, vpx_codec_decode(&codec, data.data(), static_cast<unsigned>(data.size()), nullptr, 0),
                "decode a frame");
          emit();
        }
      if (cluster->GetNext(entry, entry) < 0) fail("the WebM is malformed or truncated (a block)");
    }
  }
  check(&codec, vpx_codec_decode(&codec, nullptr, 0, nullptr, 0), "flush the decoder");
  emit();
  vpx_codec_destroy(&codec);
  if (count == 0) fail("the video holds no frames");
  static const uint8_t end[1024] = {0};
  put(end, sizeof end);
}

int main(int argc, char **argv) {
  const char *method = argc > 1 ? argv[1] : "";
  if (strcmp(method, "encode") == 0)
    encode(argc, argv);
  else if (strcmp(method, "frames") == 0)
    frames();
  else
    fail("unknown method \"%s\"", method);
  if (fflush(stdout) != 0) fail("cannot write the output");
  return 0;
}
