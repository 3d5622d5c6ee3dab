//! QR codes made on the device (no network, no service): one pixel per module with the
//! standard quiet zone, drawn enlarged and pixelated by the UI so edges stay sharp.

use qrcode::{Color, QrCode};
use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

/// The light margin around a code, in modules, that readers need.
const QUIET_ZONE: usize = 4;

/// The QR code of `text` as a small image, or `None` if it does not fit in a code.
pub fn qr_image(text: &str) -> Option<Image> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    let mut buffer = SharedPixelBuffer::<Rgb8Pixel>::new(size as u32, size as u32);
    let pixels = buffer.make_mut_slice();
    let white = Rgb8Pixel {
        r: 255,
        g: 255,
        b: 255,
    };
    let black = Rgb8Pixel { r: 0, g: 0, b: 0 };
    for (i, pixel) in pixels.iter_mut().enumerate() {
        let (x, y) = (i % size, i / size);
        let module = (x >= QUIET_ZONE
            && y >= QUIET_ZONE
            && x < QUIET_ZONE + width
            && y < QUIET_ZONE + width)
            .then(|| colors[(y - QUIET_ZONE) * width + (x - QUIET_ZONE)]);
        *pixel = if module == Some(Color::Dark) {
            black
        } else {
            white
        };
    }
    Some(Image::from_rgb8(buffer))
}
