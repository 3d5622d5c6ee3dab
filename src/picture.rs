//! Pictures from the configuration (the participation symbol, answer options), decoded once
//! and kept no larger than the kiosk ever shows them. A city's photo straight from a camera
//! (4000×3000) would otherwise hold 48 MB for as long as the kiosk runs, and the software
//! renderer would scale it down again at every frame.

use std::path::Path;

use slint::{Image, Rgba8Pixel, SharedPixelBuffer};

/// The largest side a picture keeps: about 1.4 times the largest it is shown (an answer's
/// picture, 140 px × the 1.35 scale of a 1920×1080 screen), from where the renderer still
/// scales down cleanly.
pub const LARGEST_SIDE: u32 = 256;

/// The most pixels a picture may have: decoding it takes several copies of it in memory at
/// once (a 24-megapixel camera photo, about 300 MB at the peak), and a Raspberry Pi has 1 GB.
pub const MOST_PIXELS: u64 = 25_000_000;

/// Loads the picture at `path`, scaled down to fit `LARGEST_SIDE` if it is larger. Vector
/// pictures (SVG) stay as they are: the renderer draws them at the size shown. The error
/// says what is wrong, for the configuration's message.
pub fn load(path: &Path) -> Result<Image, String> {
    // Told before decoding: a photo too large would have the kiosk killed for its memory at
    // every start, and `hetki check` with it.
    let stated = stated_size(path);
    if let Some((width, height)) = stated
        && u64::from(width) * u64::from(height) > MOST_PIXELS
    {
        return Err(format!(
            "the image {} is {width}×{height} pixels: make it smaller (it shows at most \
             {LARGEST_SIDE} pixels wide; at most {} megapixels)",
            path.display(),
            MOST_PIXELS / 1_000_000
        ));
    }
    // Slint prints its decoder's complaint before failing: a file that is no picture at all
    // gets only this. (A PNG or JPEG whose size was read is one already.)
    if stated.is_none() && !looks_like_a_picture(path) {
        return Err(format!(
            "{} is not a picture: save it as PNG, JPEG or SVG",
            path.display()
        ));
    }
    let image = Image::load_from_path(path)
        .map_err(|_| format!("cannot load the image {}", path.display()))?;
    let size = image.size();
    if size.width.max(size.height) <= LARGEST_SIDE {
        return Ok(image);
    }
    match image.to_rgba8() {
        Some(pixels) => Ok(Image::from_rgba8(shrink_to_fit(&pixels, LARGEST_SIDE))),
        None => Ok(image),
    }
}

/// An answer's picture with smaller copies for smaller screens: the software renderer takes
/// each pixel from the picture's nearest one, so a picture three times larger than shown (on
/// a 7" panel) draws jagged. The answer button draws the copy nearest above its size.
#[derive(Clone, Default)]
pub struct AnswerPicture {
    pub full: Image,
    pub medium: Image,
    pub small: Image,
}

/// The longer side of the medium and small copies, in pixels.
pub const MEDIUM_SIDE: u32 = 160;
pub const SMALL_SIDE: u32 = 96;

impl AnswerPicture {
    /// Loads the picture at `path` (see [`load`]) and makes its copies. A vector picture
    /// (SVG) is drawn at the size shown: it is its own copy.
    pub fn load(path: &Path) -> Result<AnswerPicture, String> {
        let full = load(path)?;
        let pixels = (!is_vector(path)).then(|| full.to_rgba8()).flatten();
        let copy = |side| match &pixels {
            Some(pixels) => Image::from_rgba8(shrink_to_fit(pixels, side)),
            None => full.clone(),
        };
        Ok(AnswerPicture {
            medium: copy(MEDIUM_SIDE),
            small: copy(SMALL_SIDE),
            full,
        })
    }
}

/// Whether the picture at `path` is a vector one (SVG), by its name.
fn is_vector(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg") || e.eq_ignore_ascii_case("svgz"))
}

/// Whether the file starts as a picture format does (SVG by its name), or cannot be read:
/// loading it then says why.
fn looks_like_a_picture(path: &Path) -> bool {
    use std::io::Read;
    let svg = is_vector(path);
    let mut head = [0u8; 12];
    let Ok(read) = std::fs::File::open(path).and_then(|mut f| f.read(&mut head)) else {
        return true;
    };
    let head = &head[..read];
    svg || head.starts_with(&[0x89, b'P', b'N', b'G'])
        || head.starts_with(&[0xFF, 0xD8])
        || head.starts_with(b"GIF8")
        || head.starts_with(b"BM")
        || (head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP"))
}

/// The width and height a PNG or JPEG file's header states, without decoding it; `None` for
/// other files (and unreadable ones: loading them says why).
fn stated_size(path: &Path) -> Option<(u32, u32)> {
    use std::io::{BufReader, Read, Seek, SeekFrom};
    let mut file = BufReader::new(std::fs::File::open(path).ok()?);
    let mut head = [0u8; 24];
    file.read_exact(&mut head[..4]).ok()?;
    let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    if head[..4] == [0x89, b'P', b'N', b'G'] {
        // The signature, then the IHDR chunk: length, type, width, height.
        file.read_exact(&mut head[4..]).ok()?;
        return (&head[12..16] == b"IHDR").then(|| (be32(&head[16..20]), be32(&head[20..24])));
    }
    if head[..2] != [0xFF, 0xD8] {
        return None;
    }
    // JPEG: segments after the start marker, each `FF kind length…`, until a start-of-frame
    // gives the size. A segment's length counts its own two bytes.
    file.seek(SeekFrom::Start(2)).ok()?;
    loop {
        let mut marker = [0u8; 4];
        file.read_exact(&mut marker).ok()?;
        if marker[0] != 0xFF {
            return None;
        }
        let length = u16::from_be_bytes([marker[2], marker[3]]);
        let start_of_frame =
            matches!(marker[1], 0xC0..=0xCF) && !matches!(marker[1], 0xC4 | 0xC8 | 0xCC);
        if start_of_frame {
            let mut frame = [0u8; 5];
            file.read_exact(&mut frame).ok()?;
            let height = u16::from_be_bytes([frame[1], frame[2]]);
            let width = u16::from_be_bytes([frame[3], frame[4]]);
            return Some((u32::from(width), u32::from(height)));
        }
        file.seek(SeekFrom::Current(i64::from(length) - 2)).ok()?;
    }
}

/// Scales `source` down so that its longer side is `largest`, keeping its proportions: each
/// new pixel is the average of the source pixels it covers, weighted by their opacity so that
/// transparent pixels do not darken the edges.
pub fn shrink_to_fit(
    source: &SharedPixelBuffer<Rgba8Pixel>,
    largest: u32,
) -> SharedPixelBuffer<Rgba8Pixel> {
    let (width, height) = (source.width(), source.height());
    let longer = width.max(height);
    if longer <= largest {
        return source.clone();
    }
    let scaled = |side: u32| ((side as u64 * largest as u64 / longer as u64) as u32).max(1);
    let (new_width, new_height) = (scaled(width), scaled(height));
    let pixels = source.as_slice();
    let mut result = SharedPixelBuffer::<Rgba8Pixel>::new(new_width, new_height);
    let out = result.make_mut_slice();
    // The source span that new pixel `i` of `new` covers along a side of `old` pixels.
    let span = |i: u32, new: u32, old: u32| {
        let start = (i as u64 * old as u64 / new as u64) as usize;
        let end = (((i + 1) as u64 * old as u64).div_ceil(new as u64) as usize).max(start + 1);
        start..end
    };
    for y in 0..new_height {
        let rows = span(y, new_height, height);
        for x in 0..new_width {
            let columns = span(x, new_width, width);
            let (mut r, mut g, mut b, mut a, mut count) = (0u64, 0u64, 0u64, 0u64, 0u64);
            for row in rows.clone() {
                for p in &pixels[row * width as usize..][columns.clone()] {
                    let alpha = p.a as u64;
                    r += p.r as u64 * alpha;
                    g += p.g as u64 * alpha;
                    b += p.b as u64 * alpha;
                    a += alpha;
                    count += 1;
                }
            }
            let colour = |sum: u64| sum.checked_div(a).unwrap_or(0) as u8;
            out[(y * new_width + x) as usize] = Rgba8Pixel {
                r: colour(r),
                g: colour(g),
                b: colour(b),
                a: (a / count) as u8,
            };
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled(
        width: u32,
        height: u32,
        pixel: impl Fn(u32, u32) -> Rgba8Pixel,
    ) -> SharedPixelBuffer<Rgba8Pixel> {
        let mut buffer = SharedPixelBuffer::<Rgba8Pixel>::new(width, height);
        let slice = buffer.make_mut_slice();
        for y in 0..height {
            for x in 0..width {
                slice[(y * width + x) as usize] = pixel(x, y);
            }
        }
        buffer
    }

    /// Writes RGBA `pixels` as a PNG file.
    fn write_png(path: &Path, width: u32, height: u32, pixels: &[u8]) {
        let file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
        let mut encoder = png::Encoder::new(file, width, height);
        encoder.set_color(png::ColorType::Rgba);
        let mut writer = encoder.write_header().unwrap();
        writer.write_image_data(pixels).unwrap();
        writer.finish().unwrap();
    }

    #[test]
    fn a_large_picture_keeps_its_proportions_within_the_largest_side() {
        let photo = filled(4000, 3000, |_, _| Rgba8Pixel {
            r: 10,
            g: 20,
            b: 30,
            a: 255,
        });
        let small = shrink_to_fit(&photo, LARGEST_SIDE);
        assert_eq!((small.width(), small.height()), (256, 192));
        assert!(small.as_slice().iter().all(|p| *p
            == Rgba8Pixel {
                r: 10,
                g: 20,
                b: 30,
                a: 255
            }));
    }

    #[test]
    fn a_large_photo_file_is_loaded_small() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo.png");
        write_png(&path, 1200, 600, &[90; 1200 * 600 * 4]);

        let picture = load(&path).expect("a PNG loads");
        assert_eq!((picture.size().width, picture.size().height), (256, 128));
        let missing = dir.path().join("missing.png");
        assert!(
            load(&missing)
                .unwrap_err()
                .contains("cannot load the image")
        );
    }

    #[test]
    fn a_picture_too_large_to_decode_is_refused_by_its_header() {
        let dir = tempfile::tempdir().unwrap();
        // Only the headers: nothing past them is read.
        let png = dir.path().join("huge.png");
        let mut header = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        header.extend(12_000u32.to_be_bytes());
        header.extend(9_000u32.to_be_bytes());
        std::fs::write(&png, &header).unwrap();
        let error = load(&png).unwrap_err();
        assert!(
            error.contains("is 12000×9000 pixels: make it smaller"),
            "{error}"
        );

        // A JPEG with an EXIF segment before its frame, as a camera writes it.
        let jpeg = dir.path().join("huge.jpg");
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x06, b'E', b'x', b'i', b'f'];
        bytes.extend([0xFF, 0xC0, 0x00, 0x11, 0x08]);
        bytes.extend(9_000u16.to_be_bytes());
        bytes.extend(12_000u16.to_be_bytes());
        std::fs::write(&jpeg, &bytes).unwrap();
        assert_eq!(stated_size(&jpeg), Some((12_000, 9_000)));
        assert!(load(&jpeg).unwrap_err().contains("12000×9000"));
    }

    #[test]
    fn an_answer_picture_has_copies_for_smaller_screens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gradient.png");
        let pixels: Vec<u8> = (0..256 * 128)
            .flat_map(|i| [(i % 256) as u8, 0, 0, 255])
            .collect();
        write_png(&path, 256, 128, &pixels);

        let picture = AnswerPicture::load(&path).expect("a PNG loads");
        let size = |image: &Image| (image.size().width, image.size().height);
        assert_eq!(size(&picture.full), (256, 128));
        assert_eq!(size(&picture.medium), (160, 80));
        assert_eq!(size(&picture.small), (96, 48));
        // Each copy's pixel is the average of those it covers: the small one's first of the
        // first three columns (0, 1, 2), its last of the last three (253, 254, 255).
        let small = picture.small.to_rgba8().unwrap();
        assert_eq!(small.as_slice()[0].r, 1);
        assert_eq!(small.as_slice()[95].r, 254);
    }

    #[test]
    fn a_vector_answer_picture_is_its_own_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clock.svg");
        std::fs::write(
            &path,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="140" height="140"><circle cx="70" cy="70" r="60"/></svg>"#,
        )
        .unwrap();
        let picture = AnswerPicture::load(&path).expect("an SVG loads");
        assert!(picture.medium == picture.full && picture.small == picture.full);
    }

    #[test]
    fn a_small_picture_stays_as_it_is() {
        let icon = filled(100, 40, |x, _| Rgba8Pixel {
            r: x as u8,
            g: 0,
            b: 0,
            a: 255,
        });
        let same = shrink_to_fit(&icon, LARGEST_SIDE);
        assert_eq!(same.as_slice(), icon.as_slice());
    }

    #[test]
    fn transparent_pixels_do_not_darken_an_edge_and_halves_average() {
        // Left half opaque red, right half fully transparent black: shrunk 4:1, the edge
        // pixel stays pure red, half as opaque.
        let picture = filled(8, 2, |x, _| {
            if x < 2 || (4..6).contains(&x) {
                Rgba8Pixel {
                    r: 200,
                    g: 0,
                    b: 0,
                    a: 255,
                }
            } else {
                Rgba8Pixel {
                    r: 0,
                    g: 0,
                    b: 0,
                    a: 0,
                }
            }
        });
        let small = shrink_to_fit(&picture, 2);
        assert_eq!((small.width(), small.height()), (2, 1));
        for p in small.as_slice() {
            assert_eq!((p.r, p.g, p.b), (200, 0, 0));
            assert_eq!(p.a, 127);
        }
    }
}
