// The image library as a WASI program: the `image` crate 0.24.3 (Debian's librust-image-dev, with
// png, jpeg-decoder and gif) and its `imageops`, and libwebp 1.2.4's encoder (webp.rs). Built by
// scripts/build-library.mjs.
//
// argv: image METHOD [NAME=VALUE]…: the node checks every param before a unit runs (algorithms.ts);
// the input image (JPEG, PNG, GIF or WebP) is stdin, turned as a JPEG's EXIF orientation says, the
// result (PNG, JPEG at `quality`, or WebP: lossy at `quality` or `lossless=true`, at `effort`)
// stdout.
// A refusal is exit 2 with its message on stdout (what the nodes compare and send back) and stderr.
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::{self, FilterType};
use image::io::{Limits, Reader};
use image::{DynamicImage, ImageEncoder, ImageError};
use std::io::{Cursor, Read, Write};

mod webp;

/// The most pixels an input may have: decoded, filtered and encoded within a unit's 64 MiB.
const MAX_PIXELS: u64 = 4 * 1024 * 1024;
/// The longest side an input or a result may have.
const MAX_SIDE: u32 = 16384;
/// The most the decoder may allocate.
const MAX_ALLOC: u64 = 40 * 1024 * 1024;

fn fail(message: String) -> ! {
    let line = format!("image: {}\n", message);
    let _ = std::io::stdout().write_all(line.as_bytes());
    let _ = std::io::stderr().write_all(line.as_bytes());
    std::process::exit(2)
}

struct Params(Vec<(String, String)>);

impl Params {
    fn text(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    fn number<T: std::str::FromStr>(&self, name: &str) -> T {
        match self.text(name) {
            Some(v) => v.parse().unwrap_or_else(|_| fail(format!("param {} is not a number: {}", name, v))),
            None => fail(format!("param {} is missing", name)),
        }
    }
}

fn filter(name: &str) -> FilterType {
    match name {
        "nearest" => FilterType::Nearest,
        "triangle" => FilterType::Triangle,
        "catmull-rom" => FilterType::CatmullRom,
        "gaussian" => FilterType::Gaussian,
        "lanczos3" => FilterType::Lanczos3,
        other => fail(format!("unknown filter {}", other)),
    }
}

fn decode(bytes: &[u8]) -> DynamicImage {
    let reader = || {
        Reader::new(Cursor::new(bytes))
            .with_guessed_format()
            .unwrap_or_else(|e| fail(format!("cannot read the input: {}", e)))
    };
    if reader().format().is_none() {
        fail("the input is not a JPEG, PNG, GIF or WebP image".to_string());
    }
    // The header alone first, read whatever it says: a huge image is refused, by our limits,
    // before anything is allocated for it.
    let mut header = reader();
    header.no_limits();
    let limit = format!("at most {} pixels a side and {} pixels in all", MAX_SIDE, MAX_PIXELS);
    let (w, h) = header.into_dimensions().unwrap_or_else(|e| match e {
        // A codec's own guard (PNG's, on a header past what it would ever allocate).
        ImageError::Limits(_) => fail(format!("the image's header says it is larger than a unit takes: {}", limit)),
        e => fail(format!("cannot read the image's header: {}", e)),
    });
    if w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS {
        fail(format!("the image is {} × {}: {}", w, h, limit));
    }
    // And the decoder's own guard on what it allocates, within the unit's 64 MiB.
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    let mut decoder = reader();
    decoder.limits(limits);
    decoder.decode().unwrap_or_else(|e| fail(format!("cannot decode the image: {}", e)))
}

/// The EXIF orientation (1..8) a JPEG's APP1 segment gives, if any: TIFF tag 0x0112 of IFD0.
fn exif_orientation(bytes: &[u8]) -> Option<u16> {
    if bytes.get(0..2)? != [0xff, 0xd8] {
        return None;
    }
    let mut at = 2;
    // Markers until the first scan: each FF xx with a big-endian length that counts itself.
    while at + 4 <= bytes.len() && bytes[at] == 0xff && bytes[at + 1] != 0xda {
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let segment = bytes.get(at + 4..at + 2 + len)?;
        if bytes[at + 1] == 0xe1 && segment.starts_with(b"Exif\0\0") {
            let tiff = &segment[6..];
            let little = match tiff.get(0..2)? {
                b"II" => true,
                b"MM" => false,
                _ => return None,
            };
            let u16_at = |i: usize| -> Option<u16> {
                let b = [*tiff.get(i)?, *tiff.get(i + 1)?];
                Some(if little { u16::from_le_bytes(b) } else { u16::from_be_bytes(b) })
            };
            let u32_at = |i: usize| -> Option<u32> {
                let b = [*tiff.get(i)?, *tiff.get(i + 1)?, *tiff.get(i + 2)?, *tiff.get(i + 3)?];
                Some(if little { u32::from_le_bytes(b) } else { u32::from_be_bytes(b) })
            };
            let ifd = usize::try_from(u32_at(4)?).ok()?;
            for entry in 0..usize::from(u16_at(ifd)?) {
                let e = ifd + 2 + entry * 12;
                if u16_at(e)? == 0x0112 && u16_at(e + 2)? == 3 {
                    return u16_at(e + 8).filter(|o| (1..=8).contains(o));
                }
            }
            return None;
        }
        at += 2 + len;
    }
    None
}

/// The image as its EXIF orientation says it is to be seen.
fn oriented(img: DynamicImage, orientation: Option<u16>) -> DynamicImage {
    match orientation {
        Some(2) => img.fliph(),
        Some(3) => img.rotate180(),
        Some(4) => img.flipv(),
        Some(5) => img.rotate90().fliph(),
        Some(6) => img.rotate90(),
        Some(7) => img.rotate270().fliph(),
        Some(8) => img.rotate270(),
        _ => img,
    }
}

fn apply(method: &str, img: DynamicImage, p: &Params) -> DynamicImage {
    match method {
        "resize" => {
            let (w, h) = (p.number::<u32>("width"), p.number::<u32>("height"));
            let f = filter(p.text("filter").unwrap_or_else(|| fail("param filter is missing".to_string())));
            img.resize_exact(w, h, f)
        }
        "crop" => {
            let (x, y, w, h) = (p.number::<u32>("x"), p.number::<u32>("y"), p.number::<u32>("width"), p.number::<u32>("height"));
            if u64::from(x) + u64::from(w) > u64::from(img.width()) || u64::from(y) + u64::from(h) > u64::from(img.height()) {
                fail(format!("the crop {}×{} at ({}, {}) is not within the {} × {} image", w, h, x, y, img.width(), img.height()));
            }
            img.crop_imm(x, y, w, h)
        }
        "blur" => img.blur(p.number::<f32>("sigma")),
        "brighten" => img.brighten(p.number::<i32>("value")),
        "contrast" => img.adjust_contrast(p.number::<f32>("value")),
        "grayscale" => img.grayscale(),
        "rotate90" => img.rotate90(),
        "rotate180" => img.rotate180(),
        "rotate270" => img.rotate270(),
        "fliph" => img.fliph(),
        "flipv" => img.flipv(),
        "invert" => {
            let mut img = img;
            imageops::invert(&mut img);
            img
        }
        other => fail(format!("unknown method \"{}\"", other)),
    }
}

/// The `quality` param (a JPEG's or a lossy WebP's), 90 when not given.
fn quality(p: &Params) -> u8 {
    let quality = p.text("quality").map_or(90, |_| p.number::<u8>("quality"));
    if quality > 100 {
        fail(format!("param quality is over 100: {}", quality));
    }
    quality
}

fn encode(img: &DynamicImage, p: &Params) -> Vec<u8> {
    let mut out = Vec::new();
    let result = match p.text("format").unwrap_or("png") {
        "png" => PngEncoder::new(&mut out).write_image(img.as_bytes(), img.width(), img.height(), img.color()),
        "jpeg" => {
            // JPEG has no alpha: an image with it is flattened to its colour channels.
            let rgb;
            let img = if img.color().has_alpha() {
                rgb = DynamicImage::ImageRgb8(img.to_rgb8());
                &rgb
            } else {
                img
            };
            JpegEncoder::new_with_quality(&mut out, quality(p)).encode_image(img)
        }
        "webp" => {
            if img.width() > webp::MAX_SIDE || img.height() > webp::MAX_SIDE {
                fail(format!("the result is {} × {}: WebP's sides are at most {}", img.width(), img.height(), webp::MAX_SIDE));
            }
            let lossless = match p.text("lossless") {
                None | Some("false") => false,
                Some("true") => true,
                Some(other) => fail(format!("param lossless is not true or false: {}", other)),
            };
            // libwebp's `method`, its speed against size: 4 (its default, cwebp's) when not given.
            let effort = p.text("effort").map_or(4, |_| p.number::<u8>("effort"));
            if effort > 6 {
                fail(format!("param effort is over 6: {}", effort));
            }
            return webp::encode(img, lossless, f32::from(quality(p)), effort)
                .unwrap_or_else(|e| fail(format!("cannot encode the result: {}", e)));
        }
        other => fail(format!("unknown format {}", other)),
    };
    result.unwrap_or_else(|e| fail(format!("cannot encode the result: {}", e)));
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let method = args.get(1).cloned().unwrap_or_default();
    let params = Params(
        args.iter()
            .skip(2)
            .map(|a| match a.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => fail(format!("an arg is not NAME=VALUE: {}", a)),
            })
            .collect(),
    );
    let mut input = Vec::new();
    std::io::stdin()
        .read_to_end(&mut input)
        .unwrap_or_else(|e| fail(format!("cannot read the input: {}", e)));
    let img = oriented(decode(&input), exif_orientation(&input));
    drop(input);
    let out = apply(&method, img, &params);
    let bytes = encode(&out, &params);
    std::io::stdout()
        .write_all(&bytes)
        .unwrap_or_else(|e| fail(format!("cannot write the result: {}", e)));
}
