// WebP out: libwebp 1.2.4's encoder (Debian's source, built for wasm32-wasi by
// scripts/library/webp.mjs) through ../webp.c, linked into this program as a static archive.
use image::DynamicImage;
use std::borrow::Cow;
use std::os::raw::{c_float, c_int, c_void};

#[link(name = "webp", kind = "static")]
extern "C" {
    fn image_webp_encode(
        pixels: *const u8,
        width: c_int,
        height: c_int,
        alpha: c_int,
        lossless: c_int,
        quality: c_float,
        method: c_int,
        out: *mut *mut u8,
        error: *mut c_int,
    ) -> usize;
    fn WebPFree(ptr: *mut c_void);
}

/// WebP's largest side (its header's 14 bits).
pub const MAX_SIDE: u32 = 16383;

/// libwebp's WebPEncodingError names, by code.
const ERRORS: [&str; 11] = [
    "VP8_ENC_OK",
    "VP8_ENC_ERROR_OUT_OF_MEMORY",
    "VP8_ENC_ERROR_BITSTREAM_OUT_OF_MEMORY",
    "VP8_ENC_ERROR_NULL_PARAMETER",
    "VP8_ENC_ERROR_INVALID_CONFIGURATION",
    "VP8_ENC_ERROR_BAD_DIMENSION",
    "VP8_ENC_ERROR_PARTITION0_OVERFLOW",
    "VP8_ENC_ERROR_PARTITION_OVERFLOW",
    "VP8_ENC_ERROR_BAD_WRITE",
    "VP8_ENC_ERROR_FILE_TOO_BIG",
    "VP8_ENC_ERROR_USER_ABORT",
];

/// `img` as WebP: lossless (bit-exact, alpha kept) or lossy at `quality` 0..100, by libwebp's
/// `method` 0..6; an error names libwebp's reason. The caller has checked the sides against
/// MAX_SIDE and the method's range.
pub fn encode(img: &DynamicImage, lossless: bool, quality: f32, method: u8) -> Result<Vec<u8>, String> {
    let alpha = img.color().has_alpha();
    // 8-bit RGB(A) as it is; anything else (grey, 16-bit) converted to it.
    let pixels: Cow<[u8]> = match img {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => Cow::Borrowed(img.as_bytes()),
        _ if alpha => Cow::Owned(img.to_rgba8().into_raw()),
        _ => Cow::Owned(img.to_rgb8().into_raw()),
    };
    let mut out: *mut u8 = std::ptr::null_mut();
    let mut error: c_int = 0;
    // SAFETY: `pixels` holds width × height packed RGB(A) rows, as webp.c reads them; on success
    // `out` is libwebp's buffer of `size` bytes, copied and then freed with libwebp's own free.
    let size = unsafe {
        image_webp_encode(
            pixels.as_ptr(),
            img.width() as c_int,
            img.height() as c_int,
            c_int::from(alpha),
            c_int::from(lossless),
            quality,
            c_int::from(method),
            &mut out,
            &mut error,
        )
    };
    if size == 0 || out.is_null() {
        let name = usize::try_from(error).ok().and_then(|e| ERRORS.get(e)).copied().unwrap_or("an unknown error");
        // The one a unit's 64 MiB causes: lossless holds the image several times over.
        let why = if error == 1 { ": the image is more than it encodes in a unit's 64 MiB" } else { "" };
        return Err(format!("libwebp: {}{}", name, why));
    }
    let bytes = unsafe { std::slice::from_raw_parts(out, size) }.to_vec();
    unsafe { WebPFree(out.cast()) };
    Ok(bytes)
}
