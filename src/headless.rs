//! Rendering without a display: Slint's software renderer into a buffer we own. Used by
//! `hetki screenshot` and the render benchmark.

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use slint::platform::software_renderer::{
    MinimalSoftwareWindow, PremultipliedRgbaColor, RepaintBufferType, TargetPixel,
};
use slint::platform::{Platform, WindowAdapter};
use slint::{PhysicalPosition, PhysicalSize, Rgb8Pixel};

/// Gives every component a window of its own that renders into memory.
struct HeadlessPlatform {
    size: PhysicalSize,
    /// The window made last, for [`HeadlessWindow::take`] to pick up.
    made: Rc<RefCell<Option<Rc<MinimalSoftwareWindow>>>>,
    /// Time for timers and animations when stopped (see [`install_stopped_clock`]); the real
    /// time otherwise.
    clock: Option<Rc<Cell<Duration>>>,
}

impl Platform for HeadlessPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        let window = MinimalSoftwareWindow::new(RepaintBufferType::ReusedBuffer);
        window.set_size(self.size);
        *self.made.borrow_mut() = Some(window.clone());
        Ok(window)
    }

    fn duration_since_start(&self) -> Duration {
        match &self.clock {
            Some(clock) => clock.get(),
            None => START.with(|start| start.elapsed()),
        }
    }
}

thread_local! {
    static START: Instant = Instant::now();
}

/// Makes Slint render into memory for the rest of this process, every window at
/// `width`×`height`; call before creating any component.
pub fn install(width: u32, height: u32) -> Result<Headless, slint::PlatformError> {
    install_with(width, height, None)
}

/// Like [`install`], but time stands still until [`Headless::advance`] moves it: a test then
/// sees every animation finish without waiting.
pub fn install_stopped_clock(width: u32, height: u32) -> Result<Headless, slint::PlatformError> {
    install_with(width, height, Some(Rc::default()))
}

fn install_with(
    width: u32,
    height: u32,
    clock: Option<Rc<Cell<Duration>>>,
) -> Result<Headless, slint::PlatformError> {
    let made = Rc::new(RefCell::new(None));
    let size = PhysicalSize::new(width, height);
    slint::platform::set_platform(Box::new(HeadlessPlatform {
        size,
        made: made.clone(),
        clock: clock.clone(),
    }))
    .map_err(|e| slint::PlatformError::Other(e.to_string()))?;
    Ok(Headless { made, clock })
}

/// The installed headless platform.
pub struct Headless {
    made: Rc<RefCell<Option<Rc<MinimalSoftwareWindow>>>>,
    clock: Option<Rc<Cell<Duration>>>,
}

impl Headless {
    /// Moves a stopped clock on by `by`; the real clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Some(clock) = &self.clock {
            clock.set(clock.get() + by);
        }
    }
}

/// A rectangle of the window that a render drew, in physical pixels.
pub type Redrawn = (PhysicalPosition, PhysicalSize);

/// A window of a fixed size that renders into memory, in pixels of type `P`: RGB for
/// screenshots, [`Xrgb8888`] for what a display's frame buffer holds.
pub struct HeadlessWindow<P = Rgb8Pixel> {
    window: Rc<MinimalSoftwareWindow>,
    width: usize,
    height: usize,
    /// Reused between frames, so a redraw repaints only what changed.
    buffer: Vec<P>,
}

impl<P: TargetPixel + Default> HeadlessWindow<P> {
    /// The window of the component created last; `None` if none was created since.
    pub fn take(headless: &Headless) -> Option<HeadlessWindow<P>> {
        let window = headless.made.borrow_mut().take()?;
        let size = window.size();
        let (width, height) = (size.width as usize, size.height as usize);
        Some(HeadlessWindow {
            window,
            width,
            height,
            buffer: vec![P::default(); width * height],
        })
    }

    /// The same window drawing into a buffer of another pixel type (the benchmark compares
    /// the frame buffer formats).
    pub fn with_pixels<Q: TargetPixel + Default>(&self) -> HeadlessWindow<Q> {
        HeadlessWindow {
            window: self.window.clone(),
            width: self.width,
            height: self.height,
            buffer: vec![Q::default(); self.width * self.height],
        }
    }

    /// Runs due timers and change handlers, then draws what changed into the reused buffer.
    /// Returns the rectangles it drew, none if nothing had changed.
    pub fn render(&mut self) -> Vec<Redrawn> {
        self.draw(RepaintBufferType::ReusedBuffer)
    }

    /// Repaints the whole window, as after a resize or on a display that keeps no buffer.
    pub fn render_full(&mut self) {
        self.window.request_redraw();
        self.draw(RepaintBufferType::NewBuffer);
    }

    fn draw(&mut self, repaint: RepaintBufferType) -> Vec<Redrawn> {
        slint::platform::update_timers_and_animations();
        let (buffer, width) = (&mut self.buffer, self.width);
        let mut redrawn = Vec::new();
        self.window.draw_if_needed(|renderer| {
            renderer.set_repaint_buffer_type(repaint);
            redrawn = renderer.render(buffer, width).iter().collect();
            renderer.set_repaint_buffer_type(RepaintBufferType::ReusedBuffer);
        });
        redrawn
    }
}

impl HeadlessWindow<Rgb8Pixel> {
    /// Writes the last rendered frame as an RGB PNG.
    pub fn save_png(&self, path: &Path) -> std::io::Result<()> {
        let file = std::io::BufWriter::new(std::fs::File::create(path)?);
        let mut encoder = png::Encoder::new(file, self.width as u32, self.height as u32);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
        let bytes: Vec<u8> = self.buffer.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
        writer
            .write_image_data(&bytes)
            .map_err(std::io::Error::other)?;
        writer.finish().map_err(std::io::Error::other)
    }
}

/// A pixel as Slint's Linux KMS and winit (softbuffer) back-ends store it: 32 bits, `0xAARRGGBB`,
/// blended the way they blend. The render benchmark draws into these so it measures what a
/// device draws.
#[derive(Clone, Copy, Default)]
#[repr(transparent)]
pub struct Xrgb8888(pub u32);

impl TargetPixel for Xrgb8888 {
    fn blend(&mut self, color: PremultipliedRgbaColor) {
        let v = self.0;
        let mut pixel = PremultipliedRgbaColor {
            red: (v >> 16) as u8,
            green: (v >> 8) as u8,
            blue: v as u8,
            alpha: (v >> 24) as u8,
        };
        pixel.blend(color);
        self.0 = (pixel.alpha as u32) << 24
            | (pixel.red as u32) << 16
            | (pixel.green as u32) << 8
            | pixel.blue as u32;
    }

    fn from_rgb(red: u8, green: u8, blue: u8) -> Self {
        Self(0xff00_0000 | (red as u32) << 16 | (green as u32) << 8 | blue as u32)
    }

    fn background() -> Self {
        Self(0)
    }
}
