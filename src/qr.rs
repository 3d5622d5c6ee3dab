//! QR codes made on the device (no network, no service): one pixel per module with the
//! standard quiet zone, drawn enlarged and pixelated by the UI so edges stay sharp.

use qrcode::{Color, QrCode};
use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

/// The light margin around a code, in modules, that readers need.
const QUIET_ZONE: usize = 4;

/// The most modules a code may have across (version 10, about 200 characters): drawn at
/// the 3 pixels a module needs to be read, a larger one would not fit a 7" 800×480 screen.
pub const MOST_MODULES: usize = 57;

/// The QR code of `text` as a small image, or `None` if it needs a code larger than
/// [`MOST_MODULES`].
pub fn qr_image(text: &str) -> Option<Image> {
    let code = QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    if width > MOST_MODULES {
        return None;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_too_long_to_read_from_a_small_screen_makes_no_code() {
        let address = |length: usize| format!("https://example.fi/{}", "a".repeat(length - 19));
        let code = qr_image(&address(150)).expect("150 characters fit");
        assert!(code.size().width as usize <= MOST_MODULES + 2 * QUIET_ZONE);
        assert!(qr_image(&address(400)).is_none());
    }
}
